package value

import (
	"context"

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

var scoreColumns = storage.BulkColumns("customer_id", "VARCHAR", "frequency", "INTEGER", "recency", "DOUBLE", "t", "DOUBLE",
	"monetary", "DOUBLE", "p_alive", "DOUBLE", "expected_purchases", "DOUBLE", "expected_spend", "DOUBLE", "clv", "DOUBLE")

// WriteScores replaces clv_scores with rows in one transaction.
func WriteScores(ctx context.Context, p *storage.Project, rows []Score, detail string) error {
	return p.Tx(ctx, func(tx *storage.Tx) error {
		var before int64 = -1
		if ok, _ := p.InTx(tx).TableExists(ctx, ScoresTable); ok {
			tx.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(ScoresTable)).Scan(&before)
		}
		err := p.ReplaceTable(ctx, tx, ScoresTable, scoreColumns, func(emit func(func(r *storage.Row))) {
			for _, s := range rows {
				emit(func(r *storage.Row) {
					r.Text(s.CustomerID)
					r.Int(int64(s.Frequency))
					for _, v := range []float64{s.Recency, s.T, s.Monetary, s.PAlive, s.ExpectedPurchases, s.Spend, s.CLV} {
						r.Num(v)
					}
				})
			}
		})
		if err != nil {
			return err
		}
		if err := p.InTx(tx).SetRoles(ctx, ScoresTable, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			return err
		}
		return p.Audit(ctx, tx, "clv score", ScoresTable, before, int64(len(rows)), detail)
	})
}
