package recmodel

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

func project(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// A user's own table named recommendations is never replaced; ours is,
// in one step, and ids with commas and quotes survive the trip.
func TestWriteTableKeepsForeignTable(t *testing.T) {
	ctx := context.Background()
	p := project(t)
	if _, err := p.DB().Exec(`CREATE TABLE recommendations (who VARCHAR, what VARCHAR); INSERT INTO recommendations VALUES ('me', 'mine')`); err != nil {
		t.Fatal(err)
	}
	err := WriteTable(ctx, p, "m", time.Now(), []Row{{Customer: "c1", Rank: 1, Product: "A"}})
	if err == nil || !strings.Contains(err.Error(), "did not write, and it is kept") {
		t.Fatalf("foreign table: %v", err)
	}
	var who string
	if err := p.DB().QueryRow(`SELECT who FROM recommendations`).Scan(&who); err != nil || who != "me" {
		t.Fatalf("the user's table changed: %q %v", who, err)
	}
	p.DB().Exec(`DROP TABLE recommendations`)
	rows := []Row{{Customer: `c,"1"`, Rank: 1, Product: "A,1", Name: `Big "A"`, Category: "x", Score: 0.1 + 0.2, Reason: "because you bought B", Link: "https://x/A%2C1"},
		{Customer: `c,"1"`, Rank: 2, Product: "B", Name: "", Score: 0, Reason: "best seller"}}
	for range 2 {
		if err := WriteTable(ctx, p, "m", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), rows); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var cust, prod, name string
	var score float64
	if err := p.DB().QueryRow(`SELECT count(*) OVER (), customer_id, product_id, product_name, score FROM recommendations ORDER BY rank LIMIT 1`).Scan(&n, &cust, &prod, &name, &score); err != nil {
		t.Fatal(err)
	}
	if n != 2 || cust != `c,"1"` || prod != "A,1" || name != `Big "A"` || score != 0.1+0.2 {
		t.Errorf("read back %d %q %q %q %v", n, cust, prod, name, score)
	}
}

// Save then load gives back the same lists and factors, bit for bit.
func TestSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	p := project(t)
	m := &Model{Info: Info{Name: "k", Method: ItemKNN, Orders: "orders", Customers: 3, Products: 3, Purchases: 5,
		Options: Options{K: 2, ScoreK: 1, Shrink: 10}, TrainedAt: time.Now().UTC().Truncate(time.Microsecond)},
		Neighbours: map[string]map[string][]Neighbour{KindCosine: {"A,x": {{"B", 1.0 / 3, 2}, {"C", 0.1, 1}}, "B": {{"A,x", 1.0 / 3, 2}}}}}
	if err := Save(ctx, p, m); err != nil {
		t.Fatal(err)
	}
	in, err := Get(ctx, p, "k")
	if err != nil || in.Options != m.Options || in.Purchases != 5 || !in.TrainedAt.Equal(m.TrainedAt) {
		t.Fatalf("get %+v, %v", in, err)
	}
	lists, err := LoadNeighbours(ctx, p, in, KindCosine, 2)
	if err != nil || len(lists) != 2 || lists["A,x"][0] != (Neighbour{"B", 1.0 / 3, 2}) || len(lists["A,x"]) != 2 {
		t.Errorf("lists %+v, %v", lists, err)
	}
	if one, _ := LoadNeighbours(ctx, p, in, KindCosine, 1); len(one["A,x"]) != 1 {
		t.Errorf("first 1: %+v", one)
	}
	f := []float64{1, -2.5, math.SmallestNonzeroFloat64, 1e300}
	a := &Model{Info: Info{Name: "a", Method: ALS, Orders: "orders", Customers: 2, Products: 2, Purchases: 2,
		Options: Options{Factors: 2, Lambda: 0.1, Alpha: 20}}, FactorIDs: []string{"P1", "P2"}, Factors: f}
	if err := Save(ctx, p, a); err != nil {
		t.Fatal(err)
	}
	ai, _ := Get(ctx, p, "a")
	ids, got, err := LoadFactors(ctx, p, ai)
	if err != nil || strings.Join(ids, " ") != "P1 P2" || len(got) != 4 || got[1] != -2.5 || got[2] != math.SmallestNonzeroFloat64 || got[3] != 1e300 {
		t.Errorf("factors %v %v %v", ids, got, err)
	}
	if _, err := Get(ctx, p, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if err := Delete(ctx, p, "a"); err != nil {
		t.Fatal(err)
	}
	var left int
	p.DB().QueryRow(`SELECT count(*) FROM mb_rec_factors`).Scan(&left)
	if list, _ := List(ctx, p); len(list) != 1 || left != 0 {
		t.Errorf("after delete: %+v, %d factor rows", list, left)
	}
}
