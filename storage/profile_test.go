package storage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// refQuantile is the quantile the profile reports: DuckDB's quantile_cont,
// linear interpolation between the order statistics at h = (n−1)·q
// (Hyndman & Fan type 7, numpy's default), over the non-missing values.
func refQuantile(sorted []float64, q float64) float64 {
	h := float64(len(sorted)-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[i]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// TestProfileValuesMatchReference profiles generated columns and checks
// every number against a computation in Go over the same values: count,
// missing (NULL, or blank text), distinct (non-NULL values; a blank text
// is a value here), min, max, mean, sample standard deviation (n−1) and the
// p05..p95 quantiles. A profile that only labelled its numbers would not
// pass. Tried and caught: population std (stddev_pop), quantile_disc
// instead of quantile_cont, blank text not counted missing, and the mean
// rounded through FLOAT; each misses by far more than the 1e-12 allowed.
func TestProfileValuesMatchReference(t *testing.T) {
	p := newProject(t)
	if _, err := p.DB().Exec(`CREATE TABLE t (x DOUBLE, n INTEGER, s VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	const rows = 2001
	var xs, ns []float64
	xDistinct, nDistinct, sDistinct := map[float64]bool{}, map[float64]bool{}, map[string]bool{}
	var xMissing, nMissing, sMissing int64
	tx, err := p.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO t VALUES (?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"", "  ", "alpha", "beta", "gamma", "Beta"}
	for i := range rows {
		var x, n, s any
		if i%19 == 0 {
			xMissing++
		} else {
			v := 100 + 15*rng.NormFloat64()
			x, xs, xDistinct[v] = v, append(xs, v), true
		}
		if i%23 == 0 {
			nMissing++
		} else {
			v := rng.IntN(31) - 5 // many ties
			n, ns, nDistinct[float64(v)] = v, append(ns, float64(v)), true
		}
		if i%29 == 0 {
			sMissing++
		} else {
			v := texts[rng.IntN(len(texts))]
			s, sDistinct[v] = v, true
			if strings.TrimSpace(v) == "" {
				sMissing++
			}
		}
		if _, err := stmt.Exec(x, n, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := stmt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	prof, err := p.Profile(context.Background(), "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(prof) != 3 {
		t.Fatalf("%d column profiles", len(prof))
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.17g, reference %.17g", what, got, want)
		}
	}
	for i, c := range []struct {
		vals     []float64
		missing  int64
		distinct int
	}{{xs, xMissing, len(xDistinct)}, {ns, nMissing, len(nDistinct)}} {
		cp := prof[i]
		if cp.Count != rows || cp.Missing != c.missing || cp.Distinct != int64(c.distinct) {
			t.Errorf("%s: count %d missing %d distinct %d, want %d %d %d", cp.Name, cp.Count, cp.Missing, cp.Distinct, rows, c.missing, c.distinct)
		}
		sorted := slices.Sorted(slices.Values(c.vals))
		var sum float64
		for _, v := range sorted {
			sum += v
		}
		mean := sum / float64(len(sorted))
		var ss float64
		for _, v := range sorted {
			ss += (v - mean) * (v - mean)
		}
		near(cp.Name+" min", cp.Min, sorted[0])
		near(cp.Name+" max", cp.Max, sorted[len(sorted)-1])
		near(cp.Name+" mean", cp.Mean, mean)
		near(cp.Name+" std", cp.Std, math.Sqrt(ss/float64(len(sorted)-1)))
		for _, q := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
			key := fmt.Sprintf("p%02d", int(math.Round(q*100)))
			got, ok := cp.Quantiles[key]
			if !ok {
				t.Errorf("%s: no %s", cp.Name, key)
			}
			near(cp.Name+" "+key, got, refQuantile(sorted, q))
		}
	}
	s := prof[2]
	if s.Count != rows || s.Missing != sMissing || s.Distinct != int64(len(sDistinct)) {
		t.Errorf("s: count %d missing %d distinct %d, want %d %d %d", s.Count, s.Missing, s.Distinct, rows, sMissing, len(sDistinct))
	}
	// Text: min and max are lengths, the top values are counted.
	if s.Min != 0 || s.Max != 5 {
		t.Errorf("s: lengths %v..%v, want 0..5", s.Min, s.Max)
	}
}
