package segment

import (
	"context"
	"strings"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// CLVTable holds each customer's lifetime-value scores (storage/value
// writes it; the name is repeated here so that segment does not import
// value).
const CLVTable = "clv_scores"

// clvFields are the columns of clv_scores a rule on another table may use.
// Its frequency, recency and monetary are left out: RFM has fields of
// those names, and the two count differently.
var clvFields = []string{"clv", "p_alive", "expected_purchases", "expected_spend"}

// addCLV offers the lifetime-value fields (alias cv) when clv_scores exists
// with them. The table is joined only when a rule reads one of them.
func (b *base) addCLV(ctx context.Context, p *storage.Project) error {
	if strings.EqualFold(b.table, CLVTable) {
		return nil
	}
	ok, err := p.TableExists(ctx, CLVTable)
	if err != nil || !ok {
		return err
	}
	cols, err := p.Columns(ctx, CLVTable)
	if err != nil {
		return err
	}
	have := map[string]storage.Column{}
	for _, c := range cols {
		have[strings.ToLower(c.Name)] = c
	}
	if c, ok := have["customer_id"]; !ok || c.IsNumeric() {
		return nil // not the table Marketbench writes: offer nothing from it
	}
	for _, f := range clvFields {
		if c, ok := have[f]; ok && c.IsNumeric() {
			b.hasCLV = true
			b.add(f, `cv.`+storage.Quote(c.Name), rule.Number)
		}
	}
	return nil
}
