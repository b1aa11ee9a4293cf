package prep

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// selScores holds sklearn's scores for one data set; null (nil) is a
// non-finite sklearn value.
type selScores struct {
	Names        []string
	Rows, Bins   int
	Corr, F, FP  []*float64
	CorrUnforced []*float64 `json:"corr_unforced"`
	Chi2, Chi2P  []*float64
	MI           []*float64
	BinCounts    [][]int `json:"bin_counts"`
	// The same scores in exact rational arithmetic on the float64 inputs
	// (50-digit special functions): the yardstick where sklearn's own
	// rounding exceeds the tolerance.
	Exact     struct{ Corr, F, FP []*float64 }
	ExactChi2 exactChi2 `json:"exact_chi2"`
}

type exactChi2 struct{ Chi2, Chi2P []*float64 }

// selFixture is written by testdata/gen_select.py (scikit-learn 1.2.1).
type selFixture struct {
	Synthetic struct {
		selScores
		X           [][]float64
		Y           []int
		YR          []float64 `json:"yr"`
		Constant    []int
		Discretized [][]int
		MIRaw       []*float64 `json:"mi_raw"`
	}
	Telco selScores
	Bank  struct {
		selScores
		Nonneg []int
		Job    struct {
			Classes         []string
			Chi2, Chi2P, MI []*float64
			ExactChi2       exactChi2 `json:"exact_chi2"`
		}
	}
}

// realSet is a real data set read the way the generator reads it.
type realSet struct {
	X       *mat.Dense
	targets map[string][]string
}

var (
	selOnce sync.Once
	selFix  selFixture
	selReal map[string]*realSet
	selErr  error
)

func loadSelect(t *testing.T) (*selFixture, map[string]*realSet) {
	t.Helper()
	selOnce.Do(func() {
		var b []byte
		if b, selErr = os.ReadFile("testdata/select.json"); selErr != nil {
			return
		}
		if selErr = json.Unmarshal(b, &selFix); selErr != nil {
			return
		}
		selReal = map[string]*realSet{}
		// Telco: drop the 11 blank TotalCharges rows, as gen_select.py does.
		selReal["telco"], selErr = readReal("../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv", ',',
			selFix.Telco.Names, []string{"Churn"}, func(r map[string]string) bool {
				return strings.TrimSpace(r["TotalCharges"]) != ""
			})
		if selErr != nil {
			return
		}
		selReal["bank"], selErr = readReal("../../testdata/real/bank-additional-full.csv", ';',
			selFix.Bank.Names, []string{"y", "job"}, nil)
	})
	if selErr != nil {
		t.Fatal(selErr)
	}
	return &selFix, selReal
}

// readReal reads numeric columns cols and string columns targets of the
// rows keep accepts (all rows when keep is nil).
func readReal(path string, sep rune, cols, targets []string, keep func(map[string]string) bool) (*realSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	head := recs[0]
	var data []float64
	out := &realSet{targets: map[string][]string{}}
	row := map[string]string{}
	for _, rec := range recs[1:] {
		for j, h := range head {
			row[h] = rec[j]
		}
		if keep != nil && !keep(row) {
			continue
		}
		for _, c := range cols {
			v, err := strconv.ParseFloat(row[c], 64)
			if err != nil {
				return nil, err
			}
			data = append(data, v)
		}
		for _, c := range targets {
			out.targets[c] = append(out.targets[c], row[c])
		}
	}
	out.X = mat.NewDense(len(data)/len(cols), len(cols), data)
	return out, nil
}

// Tolerances. The formulas are exact, so Go agrees with sklearn to 1e-10
// relative, with two kinds of exception, both checked rather than assumed:
//
//   - Values that are zero up to rounding get an absolute floor: r and MI
//     carry absolute errors of a few ulps of 1, and sklearn's χ² of a
//     constant column is 1.7e-28 where Go returns 0.
//   - sklearn's r_regression takes sums of squares as Σx²−n·mean², which
//     cancels on columns with a large mean and small spread: on Bank
//     Marketing's cons.price.idx (93.6 ± 0.6) and nr.employed its r is off
//     by 7.6e-10 and 3.5e-10 relative, F by up to 1.6e-9 and p (1e-170)
//     by 6e-7. Such values are compared with the exact reference from
//     gen_select.py instead, after checking sklearn really is that far off.
//
// Go is always held to 1e-10 of the exact reference, where there is one.
const (
	selRel     = 1e-10
	selAbsCorr = 1e-14
	selAbsMI   = 1e-14
	selAbsChi2 = 1e-20
)

// eqScores compares got with sklearn's sk and the exact reference ex (nil
// when there is none). A null in sk must be NaN in got; columns in skip are
// checked by the caller instead.
func eqScores(t *testing.T, what string, got []float64, sk, ex []*float64, abs float64, skip ...int) {
	t.Helper()
	eqCond(t, what, got, sk, ex, abs, nil, skip...)
}

// eqP compares p-values. A p-value inherits its statistic's rounding
// multiplied by the condition number |d ln p / d ln stat|, which for F(1, d)
// and χ² tails is at most 1 + stat/2 (about 390 for Bank's F = 778,
// p = 1e-170): no float64 code can do better than that, so the tolerance is
// 1e-10·(1 + stat/2). TestPValueFunctions holds the tail functions
// themselves to 1e-10 at the exact statistics.
func eqP(t *testing.T, what string, got []float64, sk, ex []*float64, stat []float64, skip ...int) {
	t.Helper()
	cond := make([]float64, len(stat))
	for j, s := range stat {
		cond[j] = 1 + s/2
	}
	eqCond(t, what, got, sk, ex, 0, cond, skip...)
}

func eqCond(t *testing.T, what string, got []float64, sk, ex []*float64, abs float64, cond []float64, skip ...int) {
	t.Helper()
	if len(got) != len(sk) || (ex != nil && len(ex) != len(sk)) {
		t.Fatalf("%s: len %d, sklearn %d, exact %d", what, len(got), len(sk), len(ex))
	}
	for j, w := range sk {
		rel := selRel
		if cond != nil && !math.IsNaN(cond[j]) {
			rel *= cond[j]
		}
		close := func(a, b float64) bool { return math.Abs(a-b) <= max(rel*math.Abs(b), abs) }
		switch {
		case slices.Contains(skip, j):
			continue
		case w == nil:
			if !math.IsNaN(got[j]) {
				t.Errorf("%s[%d] = %v, sklearn non-finite: want NaN", what, j, got[j])
			}
			continue
		}
		if ex != nil && ex[j] != nil && !close(got[j], *ex[j]) {
			t.Errorf("%s[%d] = %.17g, exact %.17g (rel %.2g)", what, j, got[j], *ex[j], math.Abs(got[j]-*ex[j])/math.Abs(*ex[j]))
		}
		if close(got[j], *w) {
			continue
		}
		if ex != nil && ex[j] != nil && !close(*w, *ex[j]) {
			t.Logf("%s[%d]: sklearn %.17g is %.2g off the exact %.17g; Go %.17g is %.2g off", what, j, *w,
				math.Abs(*w-*ex[j])/math.Abs(*ex[j]), *ex[j], got[j], math.Abs(got[j]-*ex[j])/math.Abs(*ex[j]))
			continue
		}
		t.Errorf("%s[%d] = %.17g, sklearn %.17g (rel %.2g)", what, j, got[j], *w, math.Abs(got[j]-*w)/math.Abs(*w))
	}
}

// TestPValueFunctions evaluates the tail functions at the exact statistics
// and compares with the exact (50-digit) p-values: the special functions
// alone, without the statistic's rounding.
func TestPValueFunctions(t *testing.T) {
	f, _ := loadSelect(t)
	type set struct {
		name       string
		n, classes int
		sc         *selScores
		chi2       exactChi2
	}
	sets := []set{
		{"synthetic", len(f.Synthetic.Y), 3, &f.Synthetic.selScores, f.Synthetic.ExactChi2},
		{"telco", f.Telco.Rows, 2, &f.Telco, f.Telco.ExactChi2},
		{"bank", f.Bank.Rows, 2, &f.Bank.selScores, f.Bank.ExactChi2},
		{"bank job", f.Bank.Rows, len(f.Bank.Job.Classes), nil, f.Bank.Job.ExactChi2},
	}
	check := func(what string, got, want float64) {
		if math.Abs(got-want) > selRel*want {
			t.Errorf("%s = %.17g, exact %.17g (rel %.2g)", what, got, want, math.Abs(got-want)/want)
		}
	}
	for _, s := range sets {
		if s.sc != nil {
			for j, F := range s.sc.Exact.F {
				if F != nil {
					check(fmt.Sprintf("%s fSurvival[%d]", s.name, j), fSurvival(*F, float64(s.n-2)), *s.sc.Exact.FP[j])
				}
			}
		}
		for j, x := range s.chi2.Chi2 {
			if x != nil {
				check(fmt.Sprintf("%s chi2Survival[%d]", s.name, j), chi2Survival(*x, float64(s.classes-1)), *s.chi2.Chi2P[j])
			}
		}
	}
}

func floats(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func pick(X *mat.Dense, cols []int) *mat.Dense {
	n, _ := X.Dims()
	out := mat.NewDense(n, len(cols), nil)
	for c, j := range cols {
		for i := range n {
			out.Set(i, c, X.At(i, j))
		}
	}
	return out
}

func colOf(X *mat.Dense, j int) []float64 {
	n, _ := X.Dims()
	return mat.Col(make([]float64, n), j, X)
}

func TestSelectSynthetic(t *testing.T) {
	f, _ := loadSelect(t)
	s := &f.Synthetic
	X := dense(s.X)
	// Constant columns: Go says NaN where sklearn's force_finite says
	// r = 0 (or ±Inf through rounding), F = 0, p = 1.
	r, err := Correlation(X, s.YR)
	if err != nil {
		t.Fatal(err)
	}
	eqScores(t, "r", r, s.Corr, s.Exact.Corr, selAbsCorr, s.Constant...)
	F, p, err := FRegression(X, s.YR)
	if err != nil {
		t.Fatal(err)
	}
	eqScores(t, "F", F, s.F, s.Exact.F, selAbsCorr, s.Constant...)
	eqP(t, "p", p, s.FP, s.Exact.FP, F, s.Constant...)
	for _, j := range s.Constant {
		if !math.IsNaN(r[j]) || !math.IsNaN(F[j]) || !math.IsNaN(p[j]) {
			t.Errorf("constant column %d: r, F, p = %v, %v, %v; want NaN", j, r[j], F[j], p[j])
		}
		if *s.F[j] != 0 || *s.FP[j] != 1 {
			t.Errorf("constant column %d: sklearn F, p = %v, %v; the doc says 0, 1", j, *s.F[j], *s.FP[j])
		}
	}

	// Chi2 with int labels; all_zero is NaN on both sides, constant is
	// 0 / 1e-28.
	stat, cp, err := Chi2(X, s.Y)
	if err != nil {
		t.Fatal(err)
	}
	eqScores(t, "chi2", stat, s.Chi2, s.ExactChi2.Chi2, selAbsChi2)
	eqP(t, "chi2 p", cp, s.Chi2P, s.ExactChi2.Chi2P, stat)

	mi, err := MutualInfo(X, s.Y, s.Bins)
	if err != nil {
		t.Fatal(err)
	}
	eqScores(t, "MI", mi, s.MI, nil, selAbsMI)
	raw, err := MutualInfo(X, s.Y, 0)
	if err != nil {
		t.Fatal(err)
	}
	eqScores(t, "MI raw", raw, s.MIRaw, nil, selAbsMI)

	for j, want := range s.Discretized {
		got, err := Discretize(colOf(X, j), s.Bins)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("Discretize(%s) differs from gen_select.py", s.Names[j])
		}
	}
}

// checkBins compares Discretize's bin sizes with the generator's.
func checkBins(t *testing.T, X *mat.Dense, bins int, names []string, want [][]int) {
	t.Helper()
	for j, w := range want {
		codes, err := Discretize(colOf(X, j), bins)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int, slices.Max(codes)+1)
		for _, c := range codes {
			got[c]++
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s: bin sizes %v, gen_select.py %v", names[j], got, w)
		}
	}
}

func yesOne(y []string) []float64 {
	out := make([]float64, len(y))
	for i, v := range y {
		if v == "Yes" || v == "yes" {
			out[i] = 1
		}
	}
	return out
}

func TestSelectReal(t *testing.T) {
	f, real := loadSelect(t)
	cases := []struct {
		name, target string
		fix          *selScores
		chi2Cols     []int // nil: all columns
	}{
		{"telco", "Churn", &f.Telco, nil},
		{"bank", "y", &f.Bank.selScores, f.Bank.Nonneg},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := real[tc.name]
			if n, _ := d.X.Dims(); n != tc.fix.Rows {
				t.Fatalf("read %d rows, fixture has %d", n, tc.fix.Rows)
			}
			y := d.targets[tc.target]
			r, err := Correlation(d.X, yesOne(y))
			if err != nil {
				t.Fatal(err)
			}
			eqScores(t, "r", r, tc.fix.Corr, tc.fix.Exact.Corr, selAbsCorr)
			F, p, err := FRegression(d.X, yesOne(y))
			if err != nil {
				t.Fatal(err)
			}
			eqScores(t, "F", F, tc.fix.F, tc.fix.Exact.F, 0)
			eqP(t, "p", p, tc.fix.FP, tc.fix.Exact.FP, F)

			Xc := d.X
			if tc.chi2Cols != nil {
				Xc = pick(d.X, tc.chi2Cols)
			}
			// String labels straight from the CSV.
			stat, cp, err := Chi2(Xc, y)
			if err != nil {
				t.Fatal(err)
			}
			eqScores(t, "chi2", stat, tc.fix.Chi2, tc.fix.ExactChi2.Chi2, 0)
			eqP(t, "chi2 p", cp, tc.fix.Chi2P, tc.fix.ExactChi2.Chi2P, stat)

			mi, err := MutualInfo(d.X, y, tc.fix.Bins)
			if err != nil {
				t.Fatal(err)
			}
			eqScores(t, "MI", mi, tc.fix.MI, nil, selAbsMI)
			checkBins(t, d.X, tc.fix.Bins, tc.fix.Names, tc.fix.BinCounts)
		})
	}

	t.Run("bank job", func(t *testing.T) {
		d, want := real["bank"], &f.Bank.Job
		job := d.targets["job"]
		if got := slices.Compact(slices.Sorted(slices.Values(job))); !slices.Equal(got, want.Classes) {
			t.Fatalf("classes %v, sklearn %v", got, want.Classes)
		}
		stat, p, err := Chi2(pick(d.X, f.Bank.Nonneg), job)
		if err != nil {
			t.Fatal(err)
		}
		eqScores(t, "chi2", stat, want.Chi2, want.ExactChi2.Chi2, 0)
		eqP(t, "chi2 p", p, want.Chi2P, want.ExactChi2.Chi2P, stat)
		mi, err := MutualInfo(d.X, job, f.Bank.Bins)
		if err != nil {
			t.Fatal(err)
		}
		eqScores(t, "MI", mi, want.MI, nil, selAbsMI)
	})

	t.Run("bank chi2 negative", func(t *testing.T) {
		// emp.var.rate (column 5) is the first with negative values.
		_, _, err := Chi2(real["bank"].X, real["bank"].targets["y"])
		if err == nil || !strings.Contains(err.Error(), "column 5 ") {
			t.Fatalf("err = %v, want one naming column 5", err)
		}
	})
}

func TestSelectErrors(t *testing.T) {
	X := mat.NewDense(4, 2, []float64{1, 0, 2, 1, 3, 0, 4, 1})
	yf := []float64{1, 2, 4, 3}
	yc := []string{"a", "b", "a", "b"}
	neg := mat.NewDense(4, 2, []float64{1, 0, 2, 1, 3, -0.5, 4, 1})
	nan := mat.NewDense(4, 2, []float64{1, 0, 2, math.NaN(), 3, 0, 4, 1})
	errOf := func(_ any, err error) error { return err }
	errOf3 := func(_, _ any, err error) error { return err }
	cases := []struct {
		name, want string
		err        error
	}{
		{"corr rows", "X has 4 rows but y has 3 values", errOf(Correlation(X, yf[:3]))},
		{"corr empty", "X is empty", errOf(Correlation(&mat.Dense{}, nil))},
		{"corr nil", "X is empty", errOf(Correlation(nil, nil))},
		{"corr const y", "y is constant", errOf(Correlation(X, []float64{2, 2, 2, 2}))},
		{"corr NaN y", "y[1] is NaN", errOf(Correlation(X, []float64{1, math.NaN(), 2, 3}))},
		{"corr NaN X", "impute missing values first", errOf(Correlation(nan, yf))},
		{"F rows", "X has 4 rows but y has 5 values", errOf3(FRegression(X, append(yf, 1)))},
		{"F few", "needs at least 3 rows, got 2", errOf3(FRegression(X.Slice(0, 2, 0, 2).(*mat.Dense), yf[:2]))},
		{"chi2 rows", "X has 4 rows but y has 2 values", errOf3(Chi2(X, yc[:2]))},
		{"chi2 empty", "X is empty", errOf3(Chi2(&mat.Dense{}, []int{}))},
		{"chi2 negative", "column 1 has a negative value (-0.5 at row 2)", errOf3(Chi2(neg, yc))},
		{"chi2 one class", "y has a single class (a)", errOf3(Chi2(X, []string{"a", "a", "a", "a"}))},
		{"MI rows", "X has 4 rows but y has 1 values", errOf(MutualInfo(X, []int{1}, 2))},
		{"MI one class", "y has a single class (7)", errOf(MutualInfo(X, []int{7, 7, 7, 7}, 2))},
		{"MI bins", "bins must be 0 (raw values) or at least 2, got 1", errOf(MutualInfo(X, yc, 1))},
		{"MI empty", "X is empty", errOf(MutualInfo(nil, yc, 2))},
		{"discretize bins", "bins must be at least 2, got 0", errOf(Discretize([]float64{1, 2}, 0))},
		{"discretize empty", "column is empty", errOf(Discretize(nil, 10))},
		{"discretize NaN", "value 1 is NaN", errOf(Discretize([]float64{1, math.NaN()}, 10))},
	}
	for _, tc := range cases {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func TestSelectEdges(t *testing.T) {
	// A column equal to y: r = 1 exactly, F = +Inf, p = 0.
	y := []float64{3, 1, 4, 1, 5, 9, 2, 6}
	X := mat.NewDense(len(y), 2, nil)
	X.SetCol(0, y)
	for i, v := range y {
		X.Set(i, 1, 10-2*v)
	}
	r, _ := Correlation(X, y)
	F, p, _ := FRegression(X, y)
	if r[0] != 1 || r[1] != -1 || !math.IsInf(F[0], 1) || p[0] != 0 || !math.IsInf(F[1], 1) {
		t.Errorf("perfect fit: r %v, F %v, p %v", r, F, p)
	}

	// MI of a column that is the class itself is the class entropy; of a
	// constant column, 0.
	yc := []int{0, 0, 1, 1, 1, 2, 2, 2, 2, 2}
	M := mat.NewDense(len(yc), 2, nil)
	M.SetCol(0, floats(yc))
	for i := range yc {
		M.Set(i, 1, 7)
	}
	mi, err := MutualInfo(M, yc, DefaultBins)
	if err != nil {
		t.Fatal(err)
	}
	h := -(0.2*math.Log(0.2) + 0.3*math.Log(0.3) + 0.5*math.Log(0.5))
	if math.Abs(mi[0]-h) > 1e-15 || mi[1] != 0 {
		t.Errorf("MI = %v, want [%v 0]", mi, h)
	}

	// Chi2 by hand: the column sums to 10 over class a (5 rows of 2) and
	// to 2 over class b (one 2, four 0): total 12, expected 6 and 6, so
	// χ² = (10−6)²/6 + (2−6)²/6 = 16/3; with 1 degree of freedom
	// p = erfc(√(χ²/2)).
	C := mat.NewDense(10, 1, []float64{2, 2, 2, 2, 2, 2, 0, 0, 0, 0})
	lab := []string{"a", "a", "a", "a", "a", "b", "b", "b", "b", "b"}
	stat, cp, err := Chi2(C, lab)
	if err != nil {
		t.Fatal(err)
	}
	if want := 16.0 / 3; math.Abs(stat[0]-want) > 1e-14 || math.Abs(cp[0]-math.Erfc(math.Sqrt(want/2))) > 1e-15 {
		t.Errorf("chi2 = %v, p = %v; want 16/3, %v", stat[0], cp[0], math.Erfc(math.Sqrt(16.0/6)))
	}
}

func TestDiscretize(t *testing.T) {
	// Distinct values: equal-count bins, in value order.
	col := make([]float64, 1003)
	for i := range col {
		col[i] = float64((i * 389) % len(col)) // a permutation of 0..1002
	}
	codes, err := Discretize(col, 10)
	if err != nil {
		t.Fatal(err)
	}
	size := make([]int, 10)
	for i, c := range codes {
		size[c]++
		// Cuts at sorted positions ⌊i·1003/10⌋: 100, 200, 300, 401, ...
		want := 0
		for b := 1; b < 10; b++ {
			if b*len(col)/10 <= int(col[i]) {
				want = b
			}
		}
		if c != want {
			t.Fatalf("value %v in bin %d, want %d", col[i], c, want)
		}
	}
	for _, s := range size {
		if s != 100 && s != 101 {
			t.Errorf("bin sizes %v, want 100 or 101 each", size)
			break
		}
	}

	// Few distinct values: one bin per value, in value order.
	codes, _ = Discretize([]float64{5, -1, 5, 0.5, -1}, 3)
	if !slices.Equal(codes, []int{2, 0, 2, 1, 0}) {
		t.Errorf("few values: %v", codes)
	}

	// Ties at the cuts merge bins but never split equal values, and no
	// bin is empty: 6 zeros, then 1..4.
	codes, _ = Discretize([]float64{0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 3)
	// Cuts at sorted[3] = 0 (dropped, the minimum) and sorted[6] = 1.
	if !slices.Equal(codes, []int{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}) {
		t.Errorf("ties: %v", codes)
	}
}

func TestRank(t *testing.T) {
	nan := math.NaN()
	scores := []float64{0.5, nan, 2, 0.5, -1, nan, 2}
	names := []string{"b", "z", "y", "a", "c", "m", "x"}
	got := Rank(scores, names)
	var order []string
	for _, r := range got {
		order = append(order, r.Name)
		if r.Name != names[r.Index] {
			t.Errorf("%+v: name does not match its index", r)
		}
	}
	if want := []string{"x", "y", "a", "b", "c", "m", "z"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if idx := SelectK(got, 3); !slices.Equal(idx, []int{2, 3, 6}) {
		t.Errorf("SelectK(3) = %v", idx)
	}
	if idx := SelectK(got, 100); !slices.Equal(idx, []int{0, 2, 3, 4, 6}) {
		t.Errorf("SelectK(100) = %v; NaN columns must not be selected", idx)
	}
	if idx := SelectK(got, 0); len(idx) != 0 {
		t.Errorf("SelectK(0) = %v", idx)
	}
	// Without names: x<i>, and ties fall back to name order.
	got = Rank([]float64{1, 3, 1}, nil)
	if got[0].Index != 1 || got[1].Name != "x0" || got[2].Name != "x2" {
		t.Errorf("unnamed: %+v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Rank with mismatched names did not panic")
		}
	}()
	Rank([]float64{1, 2}, []string{"a"})
}

// TestSelectKSynthetic ranks the synthetic features with each scorer: the
// informative columns come first and the constant ones last.
func TestSelectKSynthetic(t *testing.T) {
	f, _ := loadSelect(t)
	s := &f.Synthetic
	X := dense(s.X)
	F, _, _ := FRegression(X, s.YR)
	stat, _, _ := Chi2(X, s.Y)
	mi, _ := MutualInfo(X, s.Y, DefaultBins)
	for name, tc := range map[string]struct {
		scores []float64
		top    []int
	}{
		"F":    {F, []int{0, 5}},    // yr = 3·count_informative − 2·uniform_noise + noise
		"chi2": {stat, []int{0, 2}}, // count and one-hot informative
		"MI":   {mi, []int{0, 2}},
	} {
		ranked := Rank(tc.scores, s.Names)
		if got := SelectK(ranked, 2); !slices.Equal(got, tc.top) {
			t.Errorf("%s: top 2 %v, want %v (%+v)", name, got, tc.top, ranked)
		}
		if name == "F" {
			for _, r := range ranked[len(ranked)-2:] {
				if !slices.Contains(s.Constant, r.Index) {
					t.Errorf("F: %s ranked last but is not constant", r.Name)
				}
			}
		}
	}
}
