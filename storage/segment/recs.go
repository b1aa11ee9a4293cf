package segment

import (
	"context"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// RecommendationsTable holds scored recommendations, one row per customer
// and rank (written by app/core's ScoreRecommendations).
const RecommendationsTable = storage.RecommendationsTable

// recCols are the columns of the recommendations table that rules and
// templates read; customer_id, rank and product_id are required, the rest
// are read as empty when missing.
var recCols = []string{"customer_id", "rank", "product_id", "product_name", "category", "score", "reason", "link"}

// TopRecommendationsSQL is a SELECT of each customer's first k
// recommendations: customer_id, pos (1..k), product_id, name (the product
// id when it has no name), category, score, reason and link, all text but
// score (DOUBLE). ok is false when the project has no usable
// recommendations table (none, or one without customer_id, rank and
// product_id): then there are no recommendation fields. The table may come
// from another version or be edited by hand, so ranks are re-numbered:
// gaps, repeats and a rank that is not a number do not stop it. only, when
// not "", is a SELECT of the customer_id (text) of the customers wanted,
// so a small audience does not rank the whole table.
func TopRecommendationsSQL(ctx context.Context, p *storage.Project, k int, only string) (q string, ok bool, err error) {
	if has, err := p.TableExists(ctx, RecommendationsTable); err != nil || !has {
		return "", false, err
	}
	cols, err := p.Columns(ctx, RecommendationsTable)
	if err != nil {
		return "", false, err
	}
	have := map[string]string{}
	for _, c := range cols {
		have[strings.ToLower(c.Name)] = c.Name
	}
	col := func(name string) string {
		if c, ok := have[name]; ok {
			return `CAST(` + storage.Quote(c) + ` AS VARCHAR)`
		}
		return `NULL::VARCHAR`
	}
	for _, need := range recCols[:3] {
		if _, ok := have[need]; !ok {
			return "", false, nil
		}
	}
	score := `NULL::DOUBLE`
	if c, ok := have["score"]; ok {
		score = `TRY_CAST(` + storage.Quote(c) + ` AS DOUBLE)`
	}
	id := col("product_id")
	where := col("customer_id") + ` IS NOT NULL AND ` + id + ` IS NOT NULL`
	if only != "" {
		where += ` AND ` + col("customer_id") + ` IN (SELECT customer_id FROM (` + only + `))`
	}
	rank := `TRY_CAST(` + storage.Quote(have["rank"]) + ` AS DOUBLE)`
	const out = `SELECT customer_id, pos, product_id, coalesce(nullif(trim(name), ''), product_id) AS name, category, score, reason, link FROM `
	if k == 1 {
		// The first only, as the rules need on every count: an aggregate
		// per customer is much faster than ranking every row.
		return out + `(SELECT ` + col("customer_id") + ` AS customer_id, 1 AS pos, unnest(arg_min(struct_pack(product_id := ` + id +
			`, name := ` + col("product_name") + `, category := ` + col("category") + `, score := ` + score + `, reason := ` + col("reason") +
			`, link := ` + col("link") + `), struct_pack(r := coalesce(` + rank + `, 'infinity'::DOUBLE), p := ` + id + `)))
			FROM ` + storage.Quote(RecommendationsTable) + ` WHERE ` + where + ` GROUP BY 1)`, true, nil
	}
	q = out + `(SELECT ` + col("customer_id") + ` AS customer_id, ` + id + ` AS product_id, ` + col("product_name") + ` AS name, ` +
		col("category") + ` AS category, ` + score + ` AS score, ` + col("reason") + ` AS reason, ` + col("link") + ` AS link,
		row_number() OVER (PARTITION BY ` + col("customer_id") + ` ORDER BY ` + rank + ` NULLS LAST, ` + id + `) AS pos
		FROM ` + storage.Quote(RecommendationsTable) + `
		WHERE ` + where + `) WHERE pos <= ` + strconv.Itoa(k)
	return q, true, nil
}

// The rule fields of a customer's first recommendation.
var topRecFields = []struct {
	name, col string
	kind      rule.Kind
}{
	{"top_recommendation", "name", rule.Text},
	{"top_recommendation_id", "product_id", rule.Text},
	{"top_recommendation_category", "category", rule.Text},
	{"top_recommendation_score", "score", rule.Number},
}

// addRecs lets rules use the customer's first recommendation (alias rc)
// when the project has scored recommendations. Ranking the table costs
// time on every count, so from joins it only for a rule that uses it.
func (b *base) addRecs(ctx context.Context, p *storage.Project) error {
	if strings.EqualFold(b.table, RecommendationsTable) {
		return nil // its own columns already say it
	}
	q, ok, err := TopRecommendationsSQL(ctx, p, 1, "")
	if err != nil || !ok {
		return err
	}
	b.recs = q
	for _, f := range topRecFields {
		b.add(f.name, `rc.`+f.col, f.kind)
	}
	return nil
}
