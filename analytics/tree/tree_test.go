package tree

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ref is one sklearn tree stored by testdata/gen_fixtures.py.
type ref struct {
	Feature       []int
	Threshold     []float64
	Left, Right   []int
	Value         [][]float64
	Impurity      []float64
	N             []int
	Depth         int
	Importances   []float64
	Proba         [][]float64
	Leaf          []int
	LeafProba     map[string][]float64 `json:"leaf_proba"`
	CCPAlphas     []float64            `json:"ccp_alphas"`
	CCPImpurities []float64            `json:"ccp_impurities"`
	Pruned        struct {
		Alpha     float64
		Feature   []int
		Threshold []float64
		N         []int
	}
}

type fixture struct {
	X         [][]float64
	Y         []int
	Rows      int
	Colsums   []float64
	Positives int
	Gini      ref
	Entropy   ref
}

func load(t *testing.T, name string) *fixture {
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

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// telco reads the same columns as the generator: tenure, MonthlyCharges,
// TotalCharges, SeniorCitizen, dropping blank TotalCharges and rounding to
// float32 as sklearn does.
func telco(t *testing.T, f *fixture) (*mat.Dense, []int) {
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
		row := make([]float64, 0, 4)
		for _, c := range []string{"tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"} {
			v, err := strconv.ParseFloat(strings.TrimSpace(r[idx[c]]), 64)
			if err != nil {
				t.Fatal(err)
			}
			row = append(row, float64(float32(v)))
		}
		X = append(X, row)
		if r[idx["Churn"]] == "Yes" {
			y = append(y, 1)
		} else {
			y = append(y, 0)
		}
	}
	if len(X) != f.Rows {
		t.Fatalf("telco: %d rows, fixture has %d", len(X), f.Rows)
	}
	pos := 0
	for _, v := range y {
		pos += v
	}
	if pos != f.Positives {
		t.Fatalf("telco: %d positives, fixture has %d", pos, f.Positives)
	}
	m := dense(X)
	for j, want := range f.Colsums {
		if got := mat.Sum(m.ColView(j)); math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Fatalf("telco: column %d sums to %v, fixture has %v", j, got, want)
		}
	}
	return m, y
}

func TestSklearn(t *testing.T) {
	syn := load(t, "synthetic.json")
	tel := load(t, "telco.json")
	tX, ty := telco(t, tel)
	sets := []struct {
		name string
		X    *mat.Dense
		y    []int
		f    *fixture
	}{
		{"synthetic", dense(syn.X), syn.Y, syn},
		{"telco", tX, ty, tel},
	}
	for _, s := range sets {
		for _, crit := range []string{"gini", "entropy"} {
			want := s.f.Gini
			if crit == "entropy" {
				want = s.f.Entropy
			}
			t.Run(s.name+"/"+crit, func(t *testing.T) {
				tr, err := Fit(s.X, s.y, Options{Criterion: crit, MaxDepth: 4, MinSamplesLeaf: 5})
				if err != nil {
					t.Fatal(err)
				}
				compare(t, tr, &want, s.X)
			})
		}
	}
}

func compare(t *testing.T, tr *Tree, want *ref, X *mat.Dense) {
	if tr.NodeCount() != len(want.Feature) {
		t.Fatalf("%d nodes, want %d", tr.NodeCount(), len(want.Feature))
	}
	if tr.Depth() != want.Depth {
		t.Errorf("depth %d, want %d", tr.Depth(), want.Depth)
	}
	for i, nd := range tr.Nodes {
		wf, wl, wr := want.Feature[i], want.Left[i], want.Right[i]
		if nd.Leaf() {
			// sklearn marks leaves with feature -2 and children -1.
			if wl != -1 {
				t.Errorf("node %d is a leaf, sklearn splits on %d", i, wf)
			}
		} else if nd.Feature != wf || nd.Left != wl || nd.Right != wr || math.Abs(nd.Threshold-want.Threshold[i]) > 1e-12 {
			t.Errorf("node %d: x%d <= %v → %d, %d; want x%d <= %v → %d, %d",
				i, nd.Feature, nd.Threshold, nd.Left, nd.Right, wf, want.Threshold[i], wl, wr)
		}
		if nd.N != want.N[i] {
			t.Errorf("node %d: n %d, want %d", i, nd.N, want.N[i])
		}
		for k, v := range want.Value[i] {
			if nd.Value[k] != v {
				t.Errorf("node %d: value %v, want %v", i, nd.Value, want.Value[i])
				break
			}
		}
		if math.Abs(nd.Impurity-want.Impurity[i]) > 1e-12 {
			t.Errorf("node %d: impurity %v, want %v", i, nd.Impurity, want.Impurity[i])
		}
	}
	for j, w := range want.Importances {
		if got := tr.Importances()[j]; math.Abs(got-w) > 1e-9 {
			t.Errorf("importance[%d] = %v, want %v", j, got, w)
		}
	}
	P := tr.PredictProba(X)
	leaves := tr.Apply(X)
	for i := range X.RawMatrix().Rows {
		w := want.Proba
		var row []float64
		if w != nil {
			row = w[i]
		} else {
			if leaves[i] != want.Leaf[i] {
				t.Fatalf("row %d: leaf %d, want %d", i, leaves[i], want.Leaf[i])
			}
			row = want.LeafProba[strconv.Itoa(want.Leaf[i])]
		}
		for k, v := range row {
			if math.Abs(P.At(i, k)-v) > 1e-12 {
				t.Fatalf("row %d: proba %v, want %v", i, mat.Row(nil, i, P), row)
			}
		}
	}
	alphas, imps := tr.Path()
	if len(alphas) != len(want.CCPAlphas) {
		t.Fatalf("path has %d steps, want %d: %v vs %v", len(alphas), len(want.CCPAlphas), alphas, want.CCPAlphas)
	}
	for i := range alphas {
		if math.Abs(alphas[i]-want.CCPAlphas[i]) > 1e-12 || math.Abs(imps[i]-want.CCPImpurities[i]) > 1e-12 {
			t.Errorf("path step %d: alpha %v impurity %v, want %v %v", i, alphas[i], imps[i], want.CCPAlphas[i], want.CCPImpurities[i])
		}
	}
	p, err := tr.Prune(want.Pruned.Alpha)
	if err != nil {
		t.Fatal(err)
	}
	if p.NodeCount() != len(want.Pruned.Feature) {
		t.Fatalf("pruned: %d nodes, want %d", p.NodeCount(), len(want.Pruned.Feature))
	}
	for i, nd := range p.Nodes {
		wf := want.Pruned.Feature[i]
		if (nd.Leaf() && wf != -2) || (!nd.Leaf() && (nd.Feature != wf || math.Abs(nd.Threshold-want.Pruned.Threshold[i]) > 1e-12)) || nd.N != want.Pruned.N[i] {
			t.Errorf("pruned node %d: x%d <= %v n %d, want x%d <= %v n %d", i, nd.Feature, nd.Threshold, nd.N, wf, want.Pruned.Threshold[i], want.Pruned.N[i])
		}
	}
}
