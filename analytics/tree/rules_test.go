package tree

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestRulesTelco(t *testing.T) {
	f := load(t, "telco.json")
	X, y := telco(t, f)
	tr, err := Fit(X, y, Options{MaxDepth: 4, MinSamplesLeaf: 5})
	if err != nil {
		t.Fatal(err)
	}
	rules := tr.Rules([]string{"tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen=1"})
	if len(rules) != tr.Leaves() {
		t.Fatalf("%d rules for %d leaves", len(rules), tr.Leaves())
	}
	n := 0
	for _, r := range rules {
		n += r.N
		seen := map[int]bool{}
		for _, c := range r.Conds {
			if seen[c.Feature] {
				t.Errorf("leaf %d: feature %d appears twice: %s", r.Leaf, c.Feature, r.Text)
			}
			seen[c.Feature] = true
			if !(c.Lo < c.Hi) {
				t.Errorf("leaf %d: empty range %v", r.Leaf, c)
			}
		}
		t.Log(r.Text)
	}
	if n != f.Rows {
		t.Errorf("rules cover %d rows, want %d", n, f.Rows)
	}
	// Root x0 <= 16.5, x1 <= 68.625, x0 <= 3.5, x1 <= 20.875: the first
	// leaf merges the two tenure bounds into one.
	r := rules[0]
	want := "IF tenure <= 3.5 AND MonthlyCharges <= 20.875 THEN class 0"
	if !strings.HasPrefix(r.Text, want) || r.N != 233 {
		t.Errorf("first rule %q (n=%d), want prefix %q and n=233", r.Text, r.N, want)
	}
	// Every row satisfies exactly its own leaf's rule.
	leaves := tr.Apply(X)
	byLeaf := map[int]Rule{}
	for _, r := range rules {
		byLeaf[r.Leaf] = r
	}
	for i := range f.Rows {
		for _, c := range byLeaf[leaves[i]].Conds {
			if v := X.At(i, c.Feature); !(c.Lo < v && v <= c.Hi) {
				t.Fatalf("row %d breaks its rule %q", i, byLeaf[leaves[i]].Text)
			}
		}
	}
}

func TestFormat(t *testing.T) {
	r := Rule{
		Conds: []Cond{
			{Feature: 0, Lo: math.Inf(-1), Hi: 17.5},
			{Feature: 1, Lo: 0.5, Hi: math.Inf(1)},
			{Feature: 2, Lo: 20.25, Hi: 1234567},
			{Feature: 1, Lo: math.Inf(-1), Hi: 0.5},
		},
		Class: 1, Share: 0.7777, N: 1234,
		names: []string{"tenure", "Contract=Month-to-month", "TotalCharges"},
	}
	got := r.Format("churn", "customers")
	want := "IF tenure <= 17.5 AND Contract = Month-to-month AND 20.25 < TotalCharges <= 1234567" +
		" AND Contract != Month-to-month THEN churn (78% of 1,234 customers)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSingleLeaf(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	tr, err := Fit(X, []int{7, 7, 7, 7}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.NodeCount() != 1 || tr.Depth() != 0 || tr.Importances()[0] != 0 {
		t.Errorf("pure y: %d nodes, depth %d, importances %v", tr.NodeCount(), tr.Depth(), tr.Importances())
	}
	if p := tr.Predict(X); p[0] != 7 {
		t.Errorf("predict %v, want 7", p)
	}
	rules := tr.Rules(nil)
	if len(rules) != 1 || rules[0].Text != "class 7 (100% of 4 rows)" {
		t.Errorf("rules %+v", rules)
	}
	a, imp := tr.Path()
	if len(a) != 1 || a[0] != 0 || imp[0] != 0 {
		t.Errorf("path %v %v", a, imp)
	}
}

// TestTies checks the documented tie-break: with two identical columns the
// split goes to the lower feature index, whichever order they come in.
func TestTies(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	y := []int{0, 0, 0, 1, 1, 1}
	X := mat.NewDense(6, 3, nil)
	X.SetCol(0, []float64{5, 1, 4, 2, 6, 3}) // useless
	X.SetCol(1, x)
	X.SetCol(2, x)
	tr, err := Fit(X, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if nd := tr.Nodes[0]; nd.Feature != 1 || nd.Threshold != 3.5 {
		t.Errorf("root splits x%d <= %v, want x1 <= 3.5", nd.Feature, nd.Threshold)
	}
	if got := tr.Importances(); got[1] != 1 || got[2] != 0 {
		t.Errorf("importances %v, want all on x1", got)
	}
	// Within a feature, the lowest of equally good thresholds wins:
	// y = 0 1 0 splits equally well at 1.5 and 2.5.
	tr, err = Fit(mat.NewDense(3, 1, []float64{1, 2, 3}), []int{0, 1, 0}, Options{MaxDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if th := tr.Nodes[0].Threshold; th != 1.5 {
		t.Errorf("threshold %v, want 1.5", th)
	}
}

func TestOptions(t *testing.T) {
	X := mat.NewDense(8, 1, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	y := []int{0, 1, 0, 1, 1, 1, 2, 2}
	full, err := Fit(X, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		opt   Options
		check func(*Tree) bool
	}{
		"depth":   {Options{MaxDepth: 1}, func(t *Tree) bool { return t.Depth() == 1 }},
		"split":   {Options{MinSamplesSplit: 9}, func(t *Tree) bool { return t.NodeCount() == 1 }},
		"leaf":    {Options{MinSamplesLeaf: 3}, func(t *Tree) bool { return leastLeaf(t) >= 3 }},
		"decr":    {Options{MinImpurityDecrease: 1}, func(t *Tree) bool { return t.NodeCount() == 1 }},
		"entropy": {Options{Criterion: "entropy"}, func(t *Tree) bool { return leastLeaf(t) >= 1 && t.Criterion == "entropy" }},
	} {
		tr, err := Fit(X, y, c.opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !c.check(tr) || tr.NodeCount() > full.NodeCount() {
			t.Errorf("%s: tree with %d nodes, depth %d", name, tr.NodeCount(), tr.Depth())
		}
	}
	if got := full.Predict(X); got[6] != 2 || got[0] != 0 {
		t.Errorf("unlimited tree predicts %v, want training labels", got)
	}
}

func leastLeaf(t *Tree) int {
	m := math.MaxInt
	for _, nd := range t.Nodes {
		if nd.Leaf() {
			m = min(m, nd.N)
		}
	}
	return m
}

func TestErrors(t *testing.T) {
	X := mat.NewDense(2, 1, []float64{1, 2})
	nan := mat.NewDense(2, 1, []float64{1, math.NaN()})
	for name, c := range map[string]struct {
		X   *mat.Dense
		y   []int
		opt Options
	}{
		"len":       {X, []int{0}, Options{}},
		"criterion": {X, []int{0, 1}, Options{Criterion: "mse"}},
		"depth":     {X, []int{0, 1}, Options{MaxDepth: -1}},
		"split":     {X, []int{0, 1}, Options{MinSamplesSplit: 1}},
		"leaf":      {X, []int{0, 1}, Options{MinSamplesLeaf: -1}},
		"decrease":  {X, []int{0, 1}, Options{MinImpurityDecrease: -1}},
		"nan":       {nan, []int{0, 1}, Options{}},
	} {
		if _, err := Fit(c.X, c.y, c.opt); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	tr, _ := Fit(X, []int{0, 1}, Options{})
	if _, err := tr.Prune(-1); err == nil {
		t.Error("Prune(-1): no error")
	}
	defer func() {
		if recover() == nil {
			t.Error("PredictProba with wrong columns did not panic")
		}
	}()
	tr.PredictProba(mat.NewDense(1, 2, nil))
}
