package models

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// ScoresTable is where scores and cluster labels live, one column each.
const ScoresTable = storage.ModelScoresTable

// WriteColumn stores one value per customer in column col of model_scores
// (DOUBLE), replacing the column's previous values, in one transaction.
// Customers not in ids keep their other columns and get NULL here. NaN is
// stored as NULL.
//
// The values go through a temporary CSV file read by DuckDB, which is far
// faster than a million parameterised inserts.
func WriteColumn(ctx context.Context, p *storage.Project, col string, ids []string, vals []float64, action, detail string) error {
	if len(ids) != len(vals) {
		return fmt.Errorf("internal: %d ids for %d values", len(ids), len(vals))
	}
	f, err := os.CreateTemp("", "mb-scores-*.csv")
	if err != nil {
		return i18n.Errorf("cannot write the scores: %v", err)
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("customer_id,v\n")
	for i, id := range ids {
		w.WriteString(storage.CSVField(id))
		w.WriteByte(',')
		if !math.IsNaN(vals[i]) {
			w.WriteString(strconv.FormatFloat(vals[i], 'g', -1, 64))
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
	t := storage.Quote(ScoresTable)
	c := storage.Quote(col)
	src := `read_csv(` + storage.Literal(f.Name()) + `, header = true, columns = {'customer_id': 'VARCHAR', 'v': 'DOUBLE'}, quote = '"', escape = '"')`
	return p.Tx(ctx, func(tx *storage.Tx) error {
		stmts := []string{
			`CREATE TABLE IF NOT EXISTS ` + t + ` (customer_id VARCHAR PRIMARY KEY)`,
			`CREATE TEMP TABLE mb_new_scores AS SELECT customer_id, any_value(v) AS v FROM ` + src + ` WHERE customer_id IS NOT NULL GROUP BY customer_id`,
			`INSERT INTO ` + t + ` (customer_id) SELECT customer_id FROM mb_new_scores EXCEPT SELECT customer_id FROM ` + t,
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return i18n.Errorf("cannot store the scores: %s", storage.FirstLine(err.Error()))
			}
		}
		if err := dropColumn(ctx, p.InTx(tx), col); err != nil {
			return err
		}
		for _, s := range []string{
			`ALTER TABLE ` + t + ` ADD COLUMN ` + c + ` DOUBLE`,
			`UPDATE ` + t + ` SET ` + c + ` = n.v FROM mb_new_scores n WHERE ` + t + `.customer_id = n.customer_id`,
			`DROP TABLE mb_new_scores`,
		} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return i18n.Errorf("cannot store the scores: %s", storage.FirstLine(err.Error()))
			}
		}
		if err := p.InTx(tx).SetRoles(ctx, ScoresTable, map[string]storage.Role{"customer_id": storage.CustomerID}, true); err != nil {
			return err
		}
		return p.InTx(tx).Audit(ctx, tx, action, ScoresTable+"."+col, -1, int64(len(ids)), detail)
	})
}

// dropColumn removes col from model_scores if both exist.
func dropColumn(ctx context.Context, p *storage.Project, col string) error {
	ok, err := p.TableExists(ctx, ScoresTable)
	if err != nil || !ok {
		return err
	}
	cols, err := p.Columns(ctx, ScoresTable)
	if err != nil {
		return err
	}
	for _, c := range cols {
		if strings.EqualFold(c.Name, col) {
			_, err := p.Q().ExecContext(ctx, `ALTER TABLE `+storage.Quote(ScoresTable)+` DROP COLUMN `+storage.Quote(c.Name))
			return err
		}
	}
	return nil
}
