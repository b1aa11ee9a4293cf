package forest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
)

// fixture is one dataset written by testdata/gen_fixtures.py.
type fixture struct {
	X           [][]float64 `json:"x"`
	Y           []int       `json:"y"`
	NRows       int         `json:"n_rows"`
	Test        []int       `json:"test"`
	AUC         float64     `json:"auc"`
	AUCBySeed   []float64   `json:"auc_by_seed"`
	OOBAccuracy float64     `json:"oob_accuracy"`
	OOBAUC      float64     `json:"oob_auc"`
	Importances []float64   `json:"importances"`
}

func load(t testing.TB, name string) *fixture {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// telcoXY reads the numeric Telco features the way gen_fixtures.py does:
// rows with a blank TotalCharges are dropped.
func telcoXY(t testing.TB) ([][]float64, []int) {
	t.Helper()
	fh, err := os.Open("../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for j, h := range recs[0] {
		idx[h] = j
	}
	var X [][]float64
	var y []int
	for _, r := range recs[1:] {
		if strings.TrimSpace(r[idx["TotalCharges"]]) == "" {
			continue
		}
		var row []float64
		for _, c := range []string{"tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"} {
			v, err := strconv.ParseFloat(strings.TrimSpace(r[idx[c]]), 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, v)
		}
		X = append(X, row)
		y = append(y, map[bool]int{true: 1, false: 0}[r[idx["Churn"]] == "Yes"])
	}
	return X, y
}

// trainTest returns the train and test parts given the fixture's test indices.
func trainTest(X [][]float64, y []int, test []int) (xtr *mat.Dense, ytr []int, xte *mat.Dense, yte []int) {
	isTest := make([]bool, len(y))
	for _, i := range test {
		isTest[i] = true
	}
	var a, b [][]float64
	for i := range y {
		if isTest[i] {
			b, yte = append(b, X[i]), append(yte, y[i])
		} else {
			a, ytr = append(a, X[i]), append(ytr, y[i])
		}
	}
	return dense(a), ytr, dense(b), yte
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func testAUC(t *testing.T, f *Forest, X *mat.Dense, y []int) float64 {
	t.Helper()
	p, err := f.PredictProba(X)
	if err != nil {
		t.Fatal(err)
	}
	a, err := eval.ROCAUC(y, mat.Col(nil, 1, p))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSklearn checks test-set AUC, OOB scores and importances against
// sklearn's RandomForestClassifier with the same settings. The random
// streams differ, so the tolerances are statistical.
func TestSklearn(t *testing.T) {
	cases := []struct {
		name string
		data func() ([][]float64, []int, *fixture)
	}{
		{"synthetic", func() ([][]float64, []int, *fixture) {
			f := load(t, "synthetic.json")
			return f.X, f.Y, f
		}},
		{"telco", func() ([][]float64, []int, *fixture) {
			f := load(t, "telco.json")
			X, y := telcoXY(t)
			if len(y) != f.NRows {
				t.Fatalf("telco: %d rows, fixture has %d", len(y), f.NRows)
			}
			return X, y, f
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			X, y, ref := c.data()
			xtr, ytr, xte, yte := trainTest(X, y, ref.Test)
			f, err := Fit(xtr, ytr, Options{NTrees: 100, MinSamplesLeaf: 5, Seed: 0})
			if err != nil {
				t.Fatal(err)
			}
			got := testAUC(t, f, xte, yte)
			t.Logf("test AUC %.4f (sklearn %.4f, seeds %v); OOB acc %.4f (sklearn %.4f), OOB AUC %.4f (sklearn %.4f)",
				got, ref.AUC, ref.AUCBySeed, f.OOBAccuracy, ref.OOBAccuracy, f.OOBAUC, ref.OOBAUC)
			t.Logf("importances %.3f (sklearn %.3f)", f.Importances, ref.Importances)
			if math.Abs(got-ref.AUC) > 0.01 {
				t.Errorf("test AUC %.4f, sklearn %.4f: differ by more than 0.01", got, ref.AUC)
			}
			if math.Abs(f.OOBAccuracy-ref.OOBAccuracy) > 0.02 {
				t.Errorf("OOB accuracy %.4f, sklearn %.4f", f.OOBAccuracy, ref.OOBAccuracy)
			}
			if math.Abs(f.OOBAUC-ref.OOBAUC) > 0.015 {
				t.Errorf("OOB AUC %.4f, sklearn %.4f", f.OOBAUC, ref.OOBAUC)
			}
			// A row is in-bag for all 100 trees with probability about 0.632^100.
			if f.OOBRows != len(ytr) {
				t.Errorf("OOBRows %d, want %d", f.OOBRows, len(ytr))
			}
			if s := floats(f.Importances); math.Abs(s-1) > 1e-9 {
				t.Errorf("importances sum to %v", s)
			}
			for j, v := range f.Importances {
				if math.Abs(v-ref.Importances[j]) > 0.05 {
					t.Errorf("importance[%d] = %.3f, sklearn %.3f", j, v, ref.Importances[j])
				}
			}
		})
	}
}

func floats(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// synth is a noisy two-class problem on k features where only the first
// three matter; it is used for determinism and benchmarking.
func synth(n, k int, seed uint64) (*mat.Dense, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n, k, nil)
	y := make([]int, n)
	for i := range n {
		row := X.RawRowView(i)
		for j := range row {
			row[j] = r.NormFloat64()
		}
		z := row[0] + 0.8*row[1]*row[2] + 0.5*math.Sin(3*row[min(3, k-1)]) + 0.7*r.NormFloat64()
		if z > 0 {
			y[i] = 1
		}
	}
	return X, y
}

func TestDeterministic(t *testing.T) {
	X, y := synth(3000, 8, 7)
	type result struct {
		p          *mat.Dense
		oob        [2]float64
		importance []float64
	}
	fit := func(procs, workers int, seed uint64) result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		f, err := Fit(X, y, Options{NTrees: 20, Seed: seed, Workers: workers, MinSamplesLeaf: 3})
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.PredictProba(X)
		if err != nil {
			t.Fatal(err)
		}
		return result{p, [2]float64{f.OOBAccuracy, f.OOBAUC}, f.Importances}
	}
	a := fit(1, 0, 3)
	for _, r := range []result{fit(2, 0, 3), fit(2, 5, 3)} {
		// Exact equality: the order of every floating-point sum is fixed.
		if !mat.Equal(a.p, r.p) || a.oob != r.oob || !slices.Equal(a.importance, r.importance) {
			t.Error("same seed gave different results with a different core or worker count")
		}
	}
	if mat.Equal(a.p, fit(2, 0, 4).p) {
		t.Error("different seeds gave identical probabilities")
	}
}

func TestOOBSanity(t *testing.T) {
	X, y := synth(4000, 6, 11)
	f, err := Fit(X, y, Options{NTrees: 60, MinSamplesLeaf: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	Xt, yt := synth(4000, 6, 12)
	held := testAUC(t, f, Xt, yt)
	train := testAUC(t, f, X, y)
	t.Logf("OOB AUC %.4f, held-out AUC %.4f, training AUC %.4f", f.OOBAUC, held, train)
	// OOB estimates held-out performance, not the optimistic training fit.
	if math.Abs(f.OOBAUC-held) > 0.02 {
		t.Errorf("OOB AUC %.4f far from held-out %.4f", f.OOBAUC, held)
	}
	if train-f.OOBAUC < 0.01 {
		t.Errorf("training AUC %.4f not above OOB %.4f: OOB rows leak into their trees?", train, f.OOBAUC)
	}
	if f.OOBAccuracy < 0.5 || f.OOBAccuracy > 1 {
		t.Errorf("OOB accuracy %v", f.OOBAccuracy)
	}
	// Only the first four features carry signal.
	for j := 4; j < 6; j++ {
		if f.Importances[j] > f.Importances[0] {
			t.Errorf("noise feature %d more important than feature 0: %v", j, f.Importances)
		}
	}
}

func TestOptions(t *testing.T) {
	X, y := synth(2000, 5, 3)
	f, err := Fit(X, y, Options{NTrees: 5, MaxDepth: 2, MinSamplesLeaf: 50, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range f.Trees {
		if tr.NodeCount() > 7 {
			t.Errorf("MaxDepth 2 tree has %d nodes", tr.NodeCount())
		}
	}
	// Coarse bins and all features per split still learn the signal.
	f, err = Fit(X, y, Options{NTrees: 20, MaxBins: 4, MaxFeatures: 5, MinSamplesLeaf: 10, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f.OOBAUC < 0.75 {
		t.Errorf("MaxBins 4: OOB AUC %.3f", f.OOBAUC)
	}
	// Three-class labels that are not 0..n-1.
	y3 := slices.Clone(y)
	for i := range y3 {
		y3[i] = []int{-4, 10, 7}[(y[i]+i)%3]
	}
	f, err = Fit(X, y3, Options{NTrees: 5, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Classes, []int{-4, 7, 10}) || !math.IsNaN(f.OOBAUC) {
		t.Errorf("classes %v, OOB AUC %v", f.Classes, f.OOBAUC)
	}
	pred, err := f.Predict(X)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range pred {
		if !slices.Contains(f.Classes, v) {
			t.Fatalf("predicted unknown class %d", v)
		}
	}
	// Few distinct values: every gap is its own bin, so a forest separates
	// a deterministic step exactly at the midpoint. Each value is repeated
	// so that every bootstrap sample contains all of them.
	var xs []float64
	var ys []int
	for i := range 300 {
		v := float64(i%6 + 1)
		xs, ys = append(xs, v), append(ys, map[bool]int{true: 1}[v > 3])
	}
	f, err = Fit(mat.NewDense(len(xs), 1, xs), ys, Options{NTrees: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.PredictProba(mat.NewDense(2, 1, []float64{3.49, 3.51}))
	if p.At(0, 1) != 0 || p.At(1, 1) != 1 {
		t.Errorf("step at 3.5: P(1) = %v, %v", p.At(0, 1), p.At(1, 1))
	}
}

func TestBinEdges(t *testing.T) {
	col := make([]float64, 10000)
	for i := range col {
		col[i] = float64(i % 1000)
	}
	col[0] = 1e9 // one outlier must not swallow the bins
	e := binEdges(col, 255)
	if len(e) != 254 || !slices.IsSorted(e) {
		t.Fatalf("%d edges, sorted %v", len(e), slices.IsSorted(e))
	}
	if e := binEdges([]float64{5, 5, 5}, 255); len(e) != 0 {
		t.Errorf("constant column: edges %v", e)
	}
}

func TestErrors(t *testing.T) {
	X, y := synth(50, 3, 1)
	nan := mat.DenseCopyOf(X)
	nan.Set(4, 2, math.NaN())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		fit  func() error
	}{
		{"empty", func() error { _, err := Fit(&mat.Dense{}, nil, Options{}); return err }},
		{"length", func() error { _, err := Fit(X, y[:10], Options{}); return err }},
		{"one class", func() error { _, err := Fit(X, make([]int, 50), Options{}); return err }},
		{"nan", func() error { _, err := Fit(nan, y, Options{}); return err }},
		{"trees", func() error { _, err := Fit(X, y, Options{NTrees: -1}); return err }},
		{"features", func() error { _, err := Fit(X, y, Options{MaxFeatures: 4}); return err }},
		{"depth", func() error { _, err := Fit(X, y, Options{MaxDepth: -1}); return err }},
		{"leaf", func() error { _, err := Fit(X, y, Options{MinSamplesLeaf: -1}); return err }},
		{"split", func() error { _, err := Fit(X, y, Options{MinSamplesSplit: 1}); return err }},
		{"bins", func() error { _, err := Fit(X, y, Options{MaxBins: 257}); return err }},
		{"workers", func() error { _, err := Fit(X, y, Options{Workers: -2}); return err }},
	}
	for _, c := range cases {
		if err := c.fit(); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if _, err := FitContext(ctx, X, y, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	f, err := Fit(X, y, Options{NTrees: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PredictProba(mat.NewDense(1, 2, nil)); err == nil {
		t.Error("PredictProba with wrong width: no error")
	}
}

// BenchmarkFit200k fits 100 trees on 200k×20 synthetic rows, the size
// compared with sklearn (n_jobs=2). Run: go test -run '^$' -bench Fit200k
// -benchtime 1x ./analytics/forest
func BenchmarkFit200k(b *testing.B) {
	X, y := synth(200_000, 20, 1)
	for b.Loop() {
		if _, err := Fit(X, y, Options{NTrees: 100, Seed: 0}); err != nil {
			b.Fatal(err)
		}
	}
}
