package prep

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// numFix holds sklearn's outputs for one numeric matrix; Train is the
// transform of the first rows of the training matrix, Test of unseen rows.
type numFix struct {
	Standard struct {
		Mean, Scale []float64
		Train, Test [][]float64
	}
	MinMax struct {
		Min, Max    []float64
		Train, Test [][]float64
	}
	PCA struct {
		Mean, Variance, Ratio []float64
		Components            [][]float64
		Train, Test           [][]float64
	}
}

type impFix struct {
	Stats       []float64
	Train, Test [][]float64
}

// fixture is written by testdata/gen_fixtures.py (scikit-learn 1.2.1).
type fixture struct {
	Synthetic struct {
		X, Test [][]float64
		numFix
	}
	Telco struct {
		Rows int
		Test [][]float64
		numFix
	}
	Impute struct {
		X, Test                              [][]*float64
		Fill                                 float64
		Mean, Median, MostFrequent, Constant impFix
	}
	OneHot struct {
		Columns, Names []string
		Train, Test    [][]string
		Categories     [][]string
		Out            [][]float64
	}
}

func (f *fixture) UnmarshalJSON(b []byte) error {
	// most_frequent is not a Go-style key; map it before decoding.
	type plain fixture
	s := strings.Replace(string(b), `"most_frequent":`, `"MostFrequent":`, 1)
	return json.Unmarshal([]byte(s), (*plain)(f))
}

var (
	fixOnce sync.Once
	fix     fixture
	telco   *mat.Dense
	fixErr  error
)

func load(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		var b []byte
		if b, fixErr = os.ReadFile("testdata/prep.json"); fixErr != nil {
			return
		}
		if fixErr = json.Unmarshal(b, &fix); fixErr != nil {
			return
		}
		telco, fixErr = readTelco()
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return &fix
}

// readTelco reads tenure, MonthlyCharges and TotalCharges, dropping rows
// with a blank TotalCharges exactly as the generator script does.
func readTelco() (*mat.Dense, error) {
	f, err := os.Open("../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for j, h := range recs[0] {
		idx[h] = j
	}
	var data []float64
	n := 0
	for _, r := range recs[1:] {
		if strings.TrimSpace(r[idx["TotalCharges"]]) == "" {
			continue
		}
		for _, c := range []string{"tenure", "MonthlyCharges", "TotalCharges"} {
			v, err := strconv.ParseFloat(r[idx[c]], 64)
			if err != nil {
				return nil, err
			}
			data = append(data, v)
		}
		n++
	}
	return mat.NewDense(n, 3, data), nil
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// denseNaN turns JSON nulls into NaN.
func denseNaN(rows [][]*float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		for j, v := range r {
			if v == nil {
				m.Set(i, j, math.NaN())
			} else {
				m.Set(i, j, *v)
			}
		}
	}
	return m
}

// near reports whether got matches want to 1e-9 relative; abs is the
// absolute floor for values that are zero up to rounding (a centred or
// scaled value's error is relative to the column's scale, not to itself).
func near(got, want, abs float64) bool {
	return math.Abs(got-want) <= max(1e-9*math.Abs(want), abs)
}

func eqVec(t *testing.T, what string, got, want []float64, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, sklearn %d", what, len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i], abs) {
			t.Errorf("%s[%d] = %.15g, sklearn %.15g", what, i, got[i], want[i])
		}
	}
}

func eqMat(t *testing.T, what string, got *mat.Dense, want [][]float64, abs float64) {
	t.Helper()
	r, c := got.Dims()
	if r < len(want) || c != len(want[0]) {
		t.Fatalf("%s: %d×%d, sklearn %d×%d", what, r, c, len(want), len(want[0]))
	}
	for i, row := range want {
		for j, w := range row {
			if g := got.At(i, j); !near(g, w, abs) {
				t.Errorf("%s[%d,%d] = %.15g, sklearn %.15g", what, i, j, g, w)
			}
		}
	}
}

// numCases returns the synthetic and Telco matrices with their fixtures.
func numCases(t *testing.T) map[string]struct {
	X, test *mat.Dense
	f       *numFix
} {
	f := load(t)
	if r, _ := telco.Dims(); r != f.Telco.Rows {
		t.Fatalf("Telco: read %d rows, fixture has %d", r, f.Telco.Rows)
	}
	return map[string]struct {
		X, test *mat.Dense
		f       *numFix
	}{
		"synthetic": {dense(f.Synthetic.X), dense(f.Synthetic.Test), &f.Synthetic.numFix},
		"telco":     {telco, dense(f.Telco.Test), &f.Telco.numFix},
	}
}

func TestStandardScalerSklearn(t *testing.T) {
	for name, tc := range numCases(t) {
		t.Run(name, func(t *testing.T) {
			var s StandardScaler
			if err := s.Fit(tc.X); err != nil {
				t.Fatal(err)
			}
			eqVec(t, "mean", s.Mean, tc.f.Standard.Mean, 0)
			eqVec(t, "scale", s.Scale, tc.f.Standard.Scale, 0)
			for part, in := range map[string]*mat.Dense{"train": tc.X, "test": tc.test} {
				want := tc.f.Standard.Train
				if part == "test" {
					want = tc.f.Standard.Test
				}
				got, err := s.Transform(in)
				if err != nil {
					t.Fatal(err)
				}
				eqMat(t, part, got, want, 1e-12)
			}
		})
	}
}

func TestMinMaxScalerSklearn(t *testing.T) {
	for name, tc := range numCases(t) {
		t.Run(name, func(t *testing.T) {
			var s MinMaxScaler
			if err := s.Fit(tc.X); err != nil {
				t.Fatal(err)
			}
			eqVec(t, "min", s.Min, tc.f.MinMax.Min, 0)
			eqVec(t, "max", s.Max, tc.f.MinMax.Max, 0)
			for part, in := range map[string]*mat.Dense{"train": tc.X, "test": tc.test} {
				want := tc.f.MinMax.Train
				if part == "test" {
					want = tc.f.MinMax.Test
				}
				got, err := s.Transform(in)
				if err != nil {
					t.Fatal(err)
				}
				eqMat(t, part, got, want, 1e-12)
			}
		})
	}
}

// TestScalersFitOnTrainOnly checks that Transform uses the fitted state, not
// the rows it is given: a single test row must not be mapped to 0.
func TestScalersFitOnTrainOnly(t *testing.T) {
	train := mat.NewDense(4, 2, []float64{0, 5, 2, 5, 4, 5, 6, 5})
	row := mat.NewDense(1, 2, []float64{8, 7})
	var ss StandardScaler
	var mm MinMaxScaler
	for name, tc := range map[string]struct {
		tr   Transformer
		want []float64
	}{
		// mean 3, population sd √5; the constant column keeps scale 1.
		"standard": {&ss, []float64{5 / math.Sqrt(5), 2}},
		"minmax":   {&mm, []float64{8.0 / 6, 2}},
	} {
		t.Run(name, func(t *testing.T) {
			if err := tc.tr.Fit(train); err != nil {
				t.Fatal(err)
			}
			got, err := tc.tr.Transform(row)
			if err != nil {
				t.Fatal(err)
			}
			eqVec(t, "row", got.RawRowView(0), tc.want, 1e-15)
		})
	}
}

func TestTransformErrors(t *testing.T) {
	nan := mat.NewDense(2, 1, []float64{1, math.NaN()})
	inf := mat.NewDense(2, 1, []float64{1, math.Inf(1)})
	two := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	for name, tr := range map[string]Transformer{
		"standard": &StandardScaler{}, "minmax": &MinMaxScaler{}, "pca": &PCA{},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tr.Transform(two); err == nil {
				t.Error("Transform before Fit: no error")
			}
			if err := tr.Fit(nan); err == nil {
				t.Error("Fit with NaN: no error")
			}
			if err := tr.Fit(inf); err == nil {
				t.Error("Fit with Inf: no error")
			}
			if err := tr.Fit(two); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Transform(mat.NewDense(1, 3, nil)); err == nil {
				t.Error("Transform with 3 columns after fitting 2: no error")
			}
		})
	}
}

func TestImputerSklearn(t *testing.T) {
	f := load(t)
	X, test := denseNaN(f.Impute.X), denseNaN(f.Impute.Test)
	for s, want := range map[Strategy]impFix{
		Mean: f.Impute.Mean, Median: f.Impute.Median,
		MostFrequent: f.Impute.MostFrequent, Constant: f.Impute.Constant,
	} {
		t.Run(string(s), func(t *testing.T) {
			m := Imputer{Strategy: s, Fill: f.Impute.Fill}
			if err := m.Fit(X); err != nil {
				t.Fatal(err)
			}
			eqVec(t, "stats", m.Stats, want.Stats, 0)
			got, err := m.Transform(X)
			if err != nil {
				t.Fatal(err)
			}
			eqMat(t, "train", got, want.Train, 0)
			if got, err = m.Transform(test); err != nil {
				t.Fatal(err)
			}
			eqMat(t, "test", got, want.Test, 0)
		})
	}
}

func TestImputerEdges(t *testing.T) {
	nan := math.NaN()
	X := mat.NewDense(5, 2, []float64{
		2, nan,
		1, nan,
		2, nan,
		1, nan,
		nan, nan,
	})
	m := Imputer{Strategy: MostFrequent}
	if err := m.Fit(X); err == nil {
		t.Error("all-missing column: no error")
	}
	m = Imputer{Strategy: Constant, Fill: 9}
	if err := m.Fit(X); err != nil {
		t.Fatal(err)
	}
	m = Imputer{Strategy: "mode"}
	if err := m.Fit(X.Slice(0, 5, 0, 1).(*mat.Dense)); err == nil {
		t.Error("unknown strategy: no error")
	}
	// 1 and 2 both appear twice: the smaller wins, as in sklearn.
	m = Imputer{Strategy: MostFrequent}
	if err := m.Fit(X.Slice(0, 5, 0, 1).(*mat.Dense)); err != nil {
		t.Fatal(err)
	}
	if m.Stats[0] != 1 {
		t.Errorf("tie: most_frequent = %v, want 1", m.Stats[0])
	}
	if !math.IsNaN(X.At(4, 0)) {
		t.Error("Fit changed its input")
	}
}

func TestOneHotSklearn(t *testing.T) {
	f := load(t)
	var h OneHot
	if err := h.Fit(f.OneHot.Columns, f.OneHot.Train); err != nil {
		t.Fatal(err)
	}
	for j, want := range f.OneHot.Categories {
		if strings.Join(h.Categories[j], "|") != strings.Join(want, "|") {
			t.Errorf("categories[%d] = %q, sklearn %q", j, h.Categories[j], want)
		}
	}
	if got := strings.Join(h.FeatureNames(), "|"); got != strings.Join(f.OneHot.Names, "|") {
		t.Errorf("names = %s, want %s", got, strings.Join(f.OneHot.Names, "|"))
	}
	got, err := h.Transform(f.OneHot.Test)
	if err != nil {
		t.Fatal(err)
	}
	// Rows 0 and 1 hold unseen categories: all zeros in that column's block.
	eqMat(t, "out", got, f.OneHot.Out, 0)
}

func TestOneHotErrors(t *testing.T) {
	var h OneHot
	if _, err := h.Transform([][]string{{"a"}}); err == nil {
		t.Error("Transform before Fit: no error")
	}
	if err := h.Fit(nil, [][]string{{"a", "b"}, {"c"}}); err == nil {
		t.Error("ragged rows: no error")
	}
	if err := h.Fit([]string{"x"}, [][]string{{"a", "b"}}); err == nil {
		t.Error("names/columns mismatch: no error")
	}
	if err := h.Fit(nil, [][]string{{"b"}, {"a"}, {"b"}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.FeatureNames(), ","); got != "x0=a,x0=b" {
		t.Errorf("default names = %s", got)
	}
	if _, err := h.Transform([][]string{{"a", "b"}}); err == nil {
		t.Error("wrong width: no error")
	}
}

func TestPCASklearn(t *testing.T) {
	for name, tc := range numCases(t) {
		t.Run(name, func(t *testing.T) {
			var p PCA
			if err := p.Fit(tc.X); err != nil {
				t.Fatal(err)
			}
			want := tc.f.PCA
			eqVec(t, "mean", p.Mean, want.Mean, 0)
			eqVec(t, "variance", p.Variance, want.Variance, 0)
			eqVec(t, "ratio", p.Ratio, want.Ratio, 0)
			eqMat(t, "components", dense(p.Components), want.Components, 1e-12)
			got, err := p.Transform(tc.X)
			if err != nil {
				t.Fatal(err)
			}
			eqMat(t, "train", got, want.Train, 1e-10)
			if got, err = p.Transform(tc.test); err != nil {
				t.Fatal(err)
			}
			eqMat(t, "test", got, want.Test, 1e-10)
		})
	}
}

func TestPCASignsAndN(t *testing.T) {
	f := load(t)
	X := dense(f.Synthetic.X)
	var all PCA
	if err := all.Fit(X); err != nil {
		t.Fatal(err)
	}
	var sum float64
	for c, w := range all.Components {
		big := 0
		for j := range w {
			if math.Abs(w[j]) > math.Abs(w[big]) {
				big = j
			}
		}
		if w[big] <= 0 {
			t.Errorf("component %d: largest loading %v is not positive", c, w[big])
		}
		sum += all.Ratio[c]
	}
	if !near(sum, 1, 0) {
		t.Errorf("ratios of all components sum to %v", sum)
	}
	two := PCA{N: 2}
	if err := two.Fit(X); err != nil {
		t.Fatal(err)
	}
	eqVec(t, "ratio", two.Ratio, all.Ratio[:2], 0)
	eqMat(t, "components", dense(two.Components), all.Components[:2], 0)
	for _, n := range []int{-1, 7} {
		if err := (&PCA{N: n}).Fit(X); err == nil {
			t.Errorf("N = %d: no error", n)
		}
	}
	if err := (&PCA{}).Fit(mat.NewDense(1, 2, []float64{1, 2})); err == nil {
		t.Error("1 row: no error")
	}
}

// FuzzOneHot feeds arbitrary category strings: Transform must not fail on
// fitted-width rows, and each column's block holds one 1 exactly when the
// value was seen at Fit.
func FuzzOneHot(f *testing.F) {
	f.Add("Month-to-month", "One year", "Two year")
	f.Add("", "é", "\xff")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var h OneHot
		if err := h.Fit([]string{"x", "y"}, [][]string{{a, b}, {b, a}}); err != nil {
			t.Fatal(err)
		}
		got, err := h.Transform([][]string{{c, a}})
		if err != nil {
			t.Fatal(err)
		}
		var ones float64
		for _, v := range got.RawRowView(0) {
			ones += v
		}
		want := 1.0 // a was seen in column y
		if c == a || c == b {
			want = 2
		}
		if ones != want {
			t.Errorf("row (%q, %q) has %v ones, want %v", c, a, ones, want)
		}
	})
}

// DropFirst leaves out the first (sorted) category of each column, as
// sklearn's drop="first", and still encodes unseen values as zeros.
func TestOneHotDropFirst(t *testing.T) {
	h := &OneHot{DropFirst: true}
	if err := h.Fit([]string{"plan", "region"}, [][]string{{"b", "x"}, {"a", "y"}, {"c", "x"}}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h.FeatureNames(), ","); got != "plan=b,plan=c,region=y" {
		t.Fatalf("names %s", got)
	}
	X, err := h.Transform([][]string{{"a", "x"}, {"c", "y"}, {"zzz", "y"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0, 0, 0, 1, 1, 0, 0, 1}
	if got := X.RawMatrix().Data; !slices.Equal(got, want) {
		t.Fatalf("encoded %v, want %v", got, want)
	}
}

// The selection median equals the sorted one, ties and duplicates included.
func TestMedianSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 1; n < 300; n++ {
		col := make([]float64, n)
		for i := range col {
			col[i] = float64(r.IntN(n/3 + 1))
			if i%2 == 0 {
				col[i] += r.Float64()
			}
		}
		s := slices.Clone(col)
		slices.Sort(s)
		want := s[n/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		if got := median(col); got != want {
			t.Fatalf("n=%d: median %v, want %v", n, got, want)
		}
	}
}
