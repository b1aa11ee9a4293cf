// Package recmodel keeps trained recommenders in the project: one row of
// mb_recommenders per model, item-kNN neighbour lists in mb_rec_neighbours,
// ALS product factors in mb_rec_factors, and the scored recommendations
// table. A project may come from someone else, so everything loaded is
// checked; damage is reported as ErrDamaged, never a crash.
package recmodel

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Methods and neighbour kinds as stored.
const (
	ItemKNN = "item-knn"
	ALS     = "als"

	KindCosine = "cosine"
	KindCount  = "count"
)

// Errors callers test with errors.Is.
var (
	ErrNotFound = errors.New("no such recommender")
	ErrDamaged  = errors.New("the recommender is damaged")
)

// Options are the settings a model was trained with; scoring needs them.
type Options struct {
	K          int     `json:"k,omitempty"`       // neighbours kept per product
	ScoreK     int     `json:"score_k,omitempty"` // neighbours used to score customers
	Shrink     float64 `json:"shrink,omitempty"`
	Factors    int     `json:"factors,omitempty"`
	Iterations int     `json:"iterations,omitempty"`
	Lambda     float64 `json:"lambda,omitempty"`
	Alpha      float64 `json:"alpha,omitempty"`
}

// Info describes a stored model.
type Info struct {
	Name, Method, Orders           string
	Customers, Products, Purchases int
	Options                        Options
	TrainedAt                      time.Time
}

// Neighbour is one entry of a product's list, best first.
type Neighbour struct {
	ID       string
	Score    float64
	CoBuyers int
}

// Model is what Save writes: Info plus the neighbour lists (item-kNN) or
// the product factors (ALS).
type Model struct {
	Info
	Neighbours map[string]map[string][]Neighbour // kind → product id → list
	FactorIDs  []string
	Factors    []float64 // row-major, Options.Factors per product
}

// Damaged wraps a problem found in a stored model in ErrDamaged, with the
// fix.
func Damaged(name, what string) error {
	return i18n.Errorf("the recommender %q is damaged (%s); train it again: marketbench recommend train --orders TABLE --name %s: %w", name, what, name, ErrDamaged)
}

// Save stores m, replacing a model of the same name, in one transaction.
func Save(ctx context.Context, p *storage.Project, m *Model) error {
	opt, err := json.Marshal(m.Options)
	if err != nil {
		return err
	}
	nb, err := storage.TempCSV(func(w *bufio.Writer) {
		w.WriteString("kind,product_id,rank,neighbour_id,score,co_buyers\n")
		for kind, lists := range m.Neighbours {
			for id, list := range lists {
				for r, n := range list {
					fmt.Fprintf(w, "%s,%s,%d,%s,%s,%d\n", kind, storage.CSVField(id), r+1, storage.CSVField(n.ID), fmtFloat(n.Score), n.CoBuyers)
				}
			}
		}
	})
	if err != nil {
		return err
	}
	defer os.Remove(nb)
	fc, err := storage.TempCSV(func(w *bufio.Writer) {
		w.WriteString("product_id,f\n")
		k := m.Options.Factors
		for i, id := range m.FactorIDs {
			w.WriteString(storage.CSVField(id))
			w.WriteByte(',')
			w.WriteString(hexFloats(m.Factors[i*k : (i+1)*k]))
			w.WriteByte('\n')
		}
	})
	if err != nil {
		return err
	}
	defer os.Remove(fc)
	return p.Tx(ctx, func(tx *storage.Tx) error {
		name := m.Name
		stmts := []struct {
			q    string
			args []any
		}{
			{`DELETE FROM mb_recommenders WHERE name = ?`, []any{name}},
			{`DELETE FROM mb_rec_neighbours WHERE model = ?`, []any{name}},
			{`DELETE FROM mb_rec_factors WHERE model = ?`, []any{name}},
			{`INSERT INTO mb_recommenders (name, method, orders_table, customers, products, purchases, options_json, trained_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, []any{name, m.Method, m.Orders, m.Customers, m.Products, m.Purchases, string(opt), m.TrainedAt}},
			{`INSERT INTO mb_rec_neighbours SELECT ?, kind, product_id, rank, neighbour_id, score, co_buyers FROM read_csv(` + storage.Literal(nb) +
				`, header = true, quote = '"', escape = '"', columns = {'kind': 'VARCHAR', 'product_id': 'VARCHAR', 'rank': 'INTEGER',
				'neighbour_id': 'VARCHAR', 'score': 'DOUBLE', 'co_buyers': 'BIGINT'})`, []any{name}},
			{`INSERT INTO mb_rec_factors SELECT ?, product_id, unhex(f) FROM read_csv(` + storage.Literal(fc) +
				`, header = true, quote = '"', escape = '"', columns = {'product_id': 'VARCHAR', 'f': 'VARCHAR'})`, []any{name}},
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
				return i18n.Errorf("cannot store the recommender: %s", storage.FirstLine(err.Error()))
			}
		}
		return p.InTx(tx).Audit(ctx, tx, "recommend train", name, -1, int64(m.Products), m.Method+" on "+m.Orders)
	})
}

// List returns the stored models by name. A row that cannot be read is
// listed with what could be read, so it can still be deleted.
func List(ctx context.Context, p *storage.Project) ([]Info, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT name FROM mb_recommenders ORDER BY name`)
	if err != nil {
		return nil, i18n.Errorf("cannot read the recommenders: %s", storage.FirstLine(err.Error()))
	}
	var names []string
	for rows.Next() {
		var n sql.NullString
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		if n.Valid {
			names = append(names, n.String)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Info{}
	for _, n := range names {
		in, err := Get(ctx, p, n)
		if errors.Is(err, ErrDamaged) {
			out = append(out, Info{Name: n, Method: "?"})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, nil
}

// maxLen bounds any stored text: ids and names longer than this are damage.
const maxLen = 4096

// Get reads and checks one model's row.
func Get(ctx context.Context, p *storage.Project, name string) (*Info, error) {
	var in Info
	var opt string
	var cu, pr, pu int64
	err := p.Q().QueryRowContext(ctx, `SELECT CAST(name AS VARCHAR), CAST(method AS VARCHAR), CAST(orders_table AS VARCHAR),
		CAST(customers AS BIGINT), CAST(products AS BIGINT), CAST(purchases AS BIGINT), CAST(options_json AS VARCHAR), CAST(trained_at AS TIMESTAMP)
		FROM mb_recommenders WHERE name = ? LIMIT 1`, name).Scan(&in.Name, &in.Method, &in.Orders, &cu, &pr, &pu, &opt, &in.TrainedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, Damaged(name, storage.FirstLine(err.Error()))
	}
	in.Customers, in.Products, in.Purchases = int(cu), int(pr), int(pu)
	if err := json.Unmarshal([]byte(opt), &in.Options); err != nil {
		return nil, Damaged(name, "options: "+err.Error())
	}
	o := in.Options
	switch {
	case in.Method != ItemKNN && in.Method != ALS:
		return nil, Damaged(name, fmt.Sprintf("unknown method %q", in.Method))
	case len(in.Orders) > maxLen || in.Orders == "":
		return nil, Damaged(name, "no order table")
	case cu < 0 || pr < 0 || pu < 0 || pr > 1e8 || cu > 1e9:
		return nil, Damaged(name, "counts out of range")
	case in.Method == ItemKNN && (o.K < 1 || o.K > 1000 || o.ScoreK < 1 || o.ScoreK > o.K || !(o.Shrink >= 0) || o.Shrink > 1e9):
		return nil, Damaged(name, "neighbour settings out of range")
	case in.Method == ALS && (o.Factors < 1 || o.Factors > 1024 || !(o.Lambda > 0) || !(o.Alpha >= 0) || o.Lambda > 1e9 || o.Alpha > 1e9):
		return nil, Damaged(name, "factor settings out of range")
	}
	return &in, nil
}

// Delete removes a model and its data.
func Delete(ctx context.Context, p *storage.Project, name string) error {
	var n int64
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_recommenders WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return p.Tx(ctx, func(tx *storage.Tx) error {
		for _, t := range []string{`mb_recommenders WHERE name = ?`, `mb_rec_neighbours WHERE model = ?`, `mb_rec_factors WHERE model = ?`} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t, name); err != nil {
				return err
			}
		}
		return p.InTx(tx).Audit(ctx, tx, "recommend delete", name, -1, -1, "")
	})
}
