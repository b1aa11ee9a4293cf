package value

import (
	"bufio"
	"context"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// ScoresTable holds every customer's lifetime-value figures; each scoring
// replaces it.
const ScoresTable = "clv_scores"

// Score is one customer's row of clv_scores.
type Score struct {
	CustomerID               string
	Frequency                int
	Recency, T, Monetary     float64
	PAlive                   float64
	ExpectedPurchases, Spend float64
	CLV                      float64
}

// scoreColumns are clv_scores' columns after customer_id, in CSV order.
var scoreColumns = []string{"frequency", "recency", "t", "monetary", "p_alive", "expected_purchases", "expected_spend", "clv"}

// WriteScores replaces clv_scores with rows in one transaction. The rows go
// through a temporary CSV read by DuckDB, far faster than row inserts.
func WriteScores(ctx context.Context, p *storage.Project, rows []Score, detail string) error {
	f, err := os.CreateTemp("", "mb-clv-*.csv")
	if err != nil {
		return i18n.Errorf("cannot write the scores: %v", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("customer_id," + strings.Join(scoreColumns, ",") + "\n")
	num := func(v float64) {
		w.WriteByte(',')
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	for _, r := range rows {
		w.WriteString(storage.CSVField(r.CustomerID))
		num(float64(r.Frequency))
		for _, v := range []float64{r.Recency, r.T, r.Monetary, r.PAlive, r.ExpectedPurchases, r.Spend, r.CLV} {
			num(v)
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return i18n.Errorf("cannot write the scores: %v", err)
	}
	if err := f.Close(); err != nil {
		return i18n.Errorf("cannot write the scores: %v", err)
	}
	types := []string{"'customer_id': 'VARCHAR'", "'frequency': 'INTEGER'"}
	for _, c := range scoreColumns[1:] {
		types = append(types, "'"+c+"': 'DOUBLE'")
	}
	src := `read_csv(` + storage.Literal(f.Name()) + `, header = true, columns = {` + strings.Join(types, ", ") + `}, quote = '"', escape = '"')`
	t := storage.Quote(ScoresTable)
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var before int64 = -1
		if ok, _ := p.InTx(tx).TableExists(ctx, ScoresTable); ok {
			tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&before)
		}
		for _, s := range []string{`DROP TABLE IF EXISTS ` + t, `CREATE TABLE ` + t + ` AS SELECT * FROM ` + src + ` ORDER BY customer_id`} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return i18n.Errorf("cannot store the scores: %s", storage.FirstLine(err.Error()))
			}
		}
		if err := p.InTx(tx).SetRoles(ctx, ScoresTable, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			return err
		}
		return p.Audit(ctx, tx, "clv score", ScoresTable, before, int64(len(rows)), detail)
	})
}
