package recmodel

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Row is one line of the recommendations table.
type Row struct {
	Customer                string
	Rank                    int
	Product, Name, Category string
	Score                   float64
	Reason, Link            string
}

// tableColumns is the recommendations table's shape; a table of that name
// with other columns is the user's own and is never replaced.
var tableColumns = []string{"customer_id", "rank", "product_id", "product_name", "category", "score", "reason", "link", "model", "scored_at"}

// WriteTable replaces the recommendations table with rows, in one
// transaction, through a temporary CSV that DuckDB reads (far faster than
// row-by-row inserts).
func WriteTable(ctx context.Context, p *storage.Project, model string, at time.Time, rows []Row) error {
	t := storage.RecommendationsTable
	if ok, err := p.TableExists(ctx, t); err != nil {
		return err
	} else if ok {
		cols, err := p.Columns(ctx, t)
		if err != nil {
			return err
		}
		same := len(cols) == len(tableColumns)
		for i := 0; same && i < len(cols); i++ {
			same = strings.EqualFold(cols[i].Name, tableColumns[i])
		}
		if !same {
			return i18n.Errorf("the project already has a table %q that Marketbench did not write, and it is kept; rename that table, then score again", t)
		}
	}
	path, err := storage.TempCSV(func(w *bufio.Writer) {
		w.WriteString("customer_id,rank,product_id,product_name,category,score,reason,link\n")
		for _, r := range rows {
			for _, f := range []string{storage.CSVField(r.Customer), strconv.Itoa(r.Rank), storage.CSVField(r.Product), storage.CSVField(r.Name), storage.CSVField(r.Category)} {
				w.WriteString(f)
				w.WriteByte(',')
			}
			w.WriteString(fmtFloat(r.Score))
			w.WriteByte(',')
			w.WriteString(storage.CSVField(r.Reason))
			w.WriteByte(',')
			w.WriteString(storage.CSVField(r.Link))
			w.WriteByte('\n')
		}
	})
	if err != nil {
		return err
	}
	defer os.Remove(path)
	return p.Tx(ctx, func(tx *storage.Tx) error {
		for _, s := range []struct {
			q    string
			args []any
		}{
			{`DROP TABLE IF EXISTS ` + storage.Quote(t), nil},
			{`CREATE TABLE ` + storage.Quote(t) + ` AS SELECT customer_id, rank, product_id, product_name, category, score, reason, link,
				CAST(? AS VARCHAR) AS model, CAST(? AS TIMESTAMP) AS scored_at FROM read_csv(` + storage.Literal(path) + `, header = true,
				quote = '"', escape = '"', columns = {'customer_id': 'VARCHAR', 'rank': 'INTEGER', 'product_id': 'VARCHAR',
				'product_name': 'VARCHAR', 'category': 'VARCHAR', 'score': 'DOUBLE', 'reason': 'VARCHAR', 'link': 'VARCHAR'})
				ORDER BY customer_id, rank`, []any{model, at}},
		} {
			if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
				return i18n.Errorf("cannot store the recommendations: %s", storage.FirstLine(err.Error()))
			}
		}
		if err := p.InTx(tx).SetRoles(ctx, t, map[string]storage.Role{"customer_id": storage.CustomerID, "product_id": storage.ProductID,
			"product_name": storage.ProductName, "category": storage.Category}, true); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, "recommend score", t, -1, int64(len(rows)), model)
	})
}
