package prep

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// Univariate feature selection: each column of X is scored against the
// target on its own, as in sklearn.feature_selection, and Rank / SelectK
// keep the best columns.
//
//   - Correlation and FRegression: a numeric target (sklearn r_regression and
//     f_regression, center=True). F is monotone in |r|, so ranking by F is
//     ranking by |r|; rank Correlation's output by absolute value yourself.
//   - Chi2: a class target and non-negative features such as counts or
//     one-hot columns (sklearn chi2).
//   - MutualInfo: a class target, any features; continuous columns are cut
//     into quantile bins first (sklearn mutual_info_classif with
//     discrete_features=True on the binned columns).
//
// Constant columns. Pearson's r is 0/0 on a constant column, so Correlation
// and FRegression return NaN for it (F and p both NaN). sklearn's
// force_finite instead reports r = 0, F = 0, p = 1 (or, through rounding,
// r = ±Inf). Chi2 returns 0 and p = 1 for a constant non-zero column (sklearn:
// about 1e-28 from rounding) and NaN for an all-zero column, which has no
// counts at all (sklearn: NaN too). MutualInfo returns 0 (as sklearn).
// Rank sorts NaN last, and SelectK never picks a NaN-scored column.

// DefaultBins is the suggested number of quantile bins (deciles) for
// MutualInfo and Discretize: fine enough to follow a non-linear relation,
// coarse enough that the plug-in estimate's upward bias, about
// (bins−1)(classes−1)/(2n) nats, stays small on a few thousand rows.
const DefaultBins = 10

// target checks X for a scorer and that y has one value per row.
func target(who string, X *mat.Dense, ny int) error {
	if err := check(who, X, false); err != nil {
		return err
	}
	if n, _ := X.Dims(); n != ny {
		return fmt.Errorf("prep: %s: X has %d rows but y has %d values", who, n, ny)
	}
	return nil
}

// constant reports whether column j of X holds one value only.
func constant(X *mat.Dense, j int) bool {
	n, _ := X.Dims()
	v := X.At(0, j)
	for i := 1; i < n; i++ {
		if X.At(i, j) != v {
			return false
		}
	}
	return true
}

// Correlation returns Pearson's r between each column of X and y, like
// sklearn's r_regression (center=True). A constant column gets NaN; a
// constant y is an error. Sums of squares are taken around the mean (two
// passes), which is at least as accurate as sklearn's Σx²−n·mean².
func Correlation(X *mat.Dense, y []float64) ([]float64, error) {
	return correlation("correlation", X, y, 2)
}

func correlation(who string, X *mat.Dense, y []float64, minRows int) ([]float64, error) {
	if err := target(who, X, len(y)); err != nil {
		return nil, err
	}
	n, k := X.Dims()
	if n < minRows {
		return nil, fmt.Errorf("prep: %s: needs at least %d rows, got %d", who, minRows, n)
	}
	var my float64
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("prep: %s: y[%d] is %v", who, i, v)
		}
		my += v
	}
	my /= float64(n)
	mx := make([]float64, k)
	for i := range n {
		for j, v := range X.RawRowView(i) {
			mx[j] += v
		}
	}
	for j := range mx {
		mx[j] /= float64(n)
	}
	var syy float64
	sxy, sxx := make([]float64, k), make([]float64, k)
	for i := range n {
		dy := y[i] - my
		syy += dy * dy
		for j, v := range X.RawRowView(i) {
			dx := v - mx[j]
			sxy[j] += dx * dy
			sxx[j] += dx * dx
		}
	}
	if slices.Min(y) == slices.Max(y) {
		return nil, fmt.Errorf("prep: %s: y is constant (%v); correlation with it is undefined", who, y[0])
	}
	r := make([]float64, k)
	for j := range r {
		if constant(X, j) {
			r[j] = math.NaN()
			continue
		}
		// Rounding can push |r| a hair past 1 on a perfectly linear column.
		r[j] = max(-1, min(1, sxy[j]/math.Sqrt(sxx[j])/math.Sqrt(syy)))
	}
	return r, nil
}

// FRegression returns the F statistic and p-value of a univariate linear
// regression of y on each column of X, like sklearn's f_regression
// (center=True): F = r²/(1−r²)·(n−2) with r from Correlation, and p the
// upper tail of the F(1, n−2) distribution. It needs at least 3 rows. A
// perfectly correlated column gets F = +Inf and p = 0 (sklearn: the largest
// float64 and 0); a constant column gets NaN for both.
func FRegression(X *mat.Dense, y []float64) (F, p []float64, err error) {
	r, err := correlation("f-regression", X, y, 3)
	if err != nil {
		return nil, nil, err
	}
	dof := float64(len(y) - 2)
	F, p = make([]float64, len(r)), make([]float64, len(r))
	for j, rj := range r {
		switch r2 := rj * rj; {
		case math.IsNaN(rj):
			F[j], p[j] = math.NaN(), math.NaN()
		case r2 == 1:
			F[j], p[j] = math.Inf(1), 0
		default:
			F[j] = r2 / (1 - r2) * dof
			p[j] = fSurvival(F[j], dof)
		}
	}
	return F, p, nil
}

// fSurvival is P(F(1, dof) > F) = I_{dof/(dof+F)}(dof/2, 1/2), computed
// directly rather than as 1−CDF so tiny p-values keep their digits (scipy's
// fdtrc, which f_regression uses).
func fSurvival(F, dof float64) float64 {
	return mathext.RegIncBeta(dof/2, 0.5, dof/(dof+F))
}

// chi2Survival is P(χ²(df) > x) = Q(df/2, x/2), scipy's chdtrc.
func chi2Survival(x, df float64) float64 {
	return mathext.GammaIncRegComp(df/2, x/2)
}

// classCodes maps y to class codes 0..c-1 in sorted label order; it needs two
// classes or more.
func classCodes[L cmp.Ordered](who string, X *mat.Dense, y []L) (codes []int, rows [][]int, err error) {
	if err := target(who, X, len(y)); err != nil {
		return nil, nil, err
	}
	rows = classes(y)
	if len(rows) < 2 {
		return nil, nil, fmt.Errorf("prep: %s: y has a single class (%v); need at least two", who, y[0])
	}
	codes = make([]int, len(y))
	for c, idx := range rows {
		for _, i := range idx {
			codes[i] = c
		}
	}
	return codes, rows, nil
}

// Chi2 returns the chi-square statistic and p-value of each column of X
// against the classes y, like sklearn's chi2: per class, the column's sum
// over that class's rows is compared with the class share of the column
// total, and p is the upper tail of χ² with classes−1 degrees of freedom.
// X must be non-negative (counts, frequencies, one-hot indicators); a
// negative value is an error naming its column. See the package notes for
// constant columns.
func Chi2[L cmp.Ordered](X *mat.Dense, y []L) (stat, p []float64, err error) {
	const who = "chi2"
	_, rows, err := classCodes(who, X, y)
	if err != nil {
		return nil, nil, err
	}
	n, k := X.Dims()
	// Report the lowest-numbered column with a negative value.
	bad, at := k, 0
	for i := range n {
		for j, v := range X.RawRowView(i)[:bad] {
			if v < 0 {
				bad, at = j, i
				break
			}
		}
	}
	if bad < k {
		return nil, nil, fmt.Errorf("prep: chi2: column %d has a negative value (%v at row %d); chi2 needs non-negative features such as counts or one-hot columns", bad, X.At(at, bad), at)
	}
	// observed_c − expected_c = Σ_{i∈c} x_i − (n_c/n)·Σ_i x_i = Σ_{i∈c} (x_i − x̄):
	// summing deviations from the column mean avoids the cancellation of
	// subtracting two large sums (a column like cons.price.idx, about 93.6
	// ± 0.6, would otherwise lose 9 digits). expected_c = n_c·x̄.
	mean := make([]float64, k)
	for i := range n {
		for j, v := range X.RawRowView(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	dev := make([][]float64, len(rows)) // class × column
	for c, idx := range rows {
		dev[c] = make([]float64, k)
		for _, i := range idx {
			for j, v := range X.RawRowView(i) {
				dev[c][j] += v - mean[j]
			}
		}
	}
	df := float64(len(rows) - 1)
	stat, p = make([]float64, k), make([]float64, k)
	for j := range k {
		switch {
		case mean[j] == 0:
			stat[j], p[j] = math.NaN(), math.NaN()
			continue
		case constant(X, j):
			stat[j], p[j] = 0, 1
			continue
		}
		for c, idx := range rows {
			d := dev[c][j]
			stat[j] += d * d / (float64(len(idx)) * mean[j])
		}
		p[j] = chi2Survival(stat[j], df)
	}
	return stat, p, nil
}

// MutualInfo returns the mutual information, in nats, between each column
// of X and the classes y, like sklearn's mutual_info_classif with
// discrete_features=True (mutual_info_score per column, natural log).
//
// Each column is first cut into at most bins quantile bins by Discretize,
// and the MI is that of the binned column: an exact, deterministic plug-in
// estimate, unlike sklearn's kNN estimator for continuous features, which
// adds random noise. Columns with at most bins distinct values (one-hot,
// small counts) keep one bin per value. bins = 0 uses every column's raw
// values as categories. DefaultBins is a good start. The plug-in estimate
// is biased upwards by about (bins−1)(classes−1)/(2n) nats, so a pure-noise
// column does not score 0 (0.04 nats with 10 bins, 3 classes and 200 rows):
// compare columns binned alike, and prefer few bins on few rows.
func MutualInfo[L cmp.Ordered](X *mat.Dense, y []L, bins int) ([]float64, error) {
	const who = "mutual info"
	if bins < 0 || bins == 1 {
		return nil, fmt.Errorf("prep: %s: bins must be 0 (raw values) or at least 2, got %d", who, bins)
	}
	codes, rows, err := classCodes(who, X, y)
	if err != nil {
		return nil, err
	}
	n, k := X.Dims()
	col := make([]float64, n)
	mi := make([]float64, k)
	for j := range k {
		mat.Col(col, j, X)
		var x []int
		if bins == 0 {
			x, _ = ranks(col)
		} else {
			x = discretize(col, bins)
		}
		mi[j] = mutualInfo(x, codes, len(rows))
	}
	return mi, nil
}

// mutualInfo is the plug-in MI of two codings (x in 0..max(x), y in
// 0..ny-1): Σ n_ab/n · log(n·n_ab / (n_a·n_b)), clipped at 0 as sklearn's
// mutual_info_score is.
func mutualInfo(x, y []int, ny int) float64 {
	nx := slices.Max(x) + 1
	if nx == 1 {
		return 0
	}
	joint := make([]float64, nx*ny)
	ax, by := make([]float64, nx), make([]float64, ny)
	for i, a := range x {
		joint[a*ny+y[i]]++
		ax[a]++
		by[y[i]]++
	}
	n := float64(len(x))
	logn := math.Log(n)
	var mi float64
	for a := range nx {
		for b := range ny {
			if c := joint[a*ny+b]; c > 0 {
				mi += c / n * (math.Log(c) + logn - math.Log(ax[a]) - math.Log(by[b]))
			}
		}
	}
	return max(mi, 0)
}

// ranks codes col by the rank of its value among the distinct values.
func ranks(col []float64) (codes []int, distinct []float64) {
	distinct = slices.Clone(col)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	codes = make([]int, len(col))
	for i, v := range col {
		codes[i], _ = slices.BinarySearch(distinct, v)
	}
	return codes, distinct
}

// Discretize cuts col into at most bins quantile bins and returns each
// value's bin, 0 for the lowest. Bins are contiguous value ranges in
// increasing order, every returned bin is non-empty, and equal values
// always share a bin.
//
// A column with at most bins distinct values keeps one bin per value.
// Otherwise the cuts are the sorted values at positions ⌊i·n/bins⌋,
// i = 1..bins−1 (integer indexing, no interpolation, so the cut points are
// exactly reproducible); a value's bin is the number of cuts at or below
// it. Without ties every bin holds n/bins rows, give or take one; ties at a
// cut merge bins, so a column such as Bank Marketing's pdays (999 for 96% of
// rows) gets fewer. bins must be at least 2 and col must be non-empty and
// free of NaN.
func Discretize(col []float64, bins int) ([]int, error) {
	if bins < 2 {
		return nil, fmt.Errorf("prep: discretize: bins must be at least 2, got %d", bins)
	}
	if len(col) == 0 {
		return nil, errors.New("prep: discretize: column is empty")
	}
	for i, v := range col {
		if math.IsNaN(v) {
			return nil, fmt.Errorf("prep: discretize: value %d is NaN; impute missing values first", i)
		}
	}
	return discretize(col, bins), nil
}

func discretize(col []float64, bins int) []int {
	codes, distinct := ranks(col)
	if len(distinct) <= bins {
		return codes
	}
	sorted := slices.Clone(col)
	slices.Sort(sorted)
	n := len(sorted)
	cuts := make([]float64, 0, bins-1)
	for i := 1; i < bins; i++ {
		// A cut equal to the minimum would leave bin 0 empty.
		if c := sorted[i*n/bins]; c > sorted[0] && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
			cuts = append(cuts, c)
		}
	}
	for i, v := range col {
		codes[i] = sort.Search(len(cuts), func(c int) bool { return cuts[c] > v }) // cuts <= v
	}
	return codes
}

// Ranked is one column's place in a ranking.
type Ranked struct {
	Index int     // column in X
	Name  string  // its name, or "x<Index>" when Rank got no names
	Score float64 // the score it was ranked by
}

// Rank orders columns by score, highest first; equal scores are ordered by
// name, then index. NaN scores (columns a scorer could not score, such as
// constant columns under Correlation or FRegression) sort last, as sklearn's
// SelectKBest treats them as the lowest possible score. names may be nil; if
// not, it must have one name per score (Rank panics otherwise, a programming
// error). Rank correlations by their absolute value: pass |r|, or F.
func Rank(scores []float64, names []string) []Ranked {
	if names != nil && len(names) != len(scores) {
		panic(fmt.Sprintf("prep: rank: %d scores but %d names", len(scores), len(names)))
	}
	out := make([]Ranked, len(scores))
	for j, s := range scores {
		name := fmt.Sprintf("x%d", j)
		if names != nil {
			name = names[j]
		}
		out[j] = Ranked{Index: j, Name: name, Score: s}
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		an, bn := math.IsNaN(a.Score), math.IsNaN(b.Score)
		switch {
		case an != bn:
			if an {
				return 1
			}
			return -1
		case !an && a.Score != b.Score:
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Index, b.Index))
	})
	return out
}

// SelectK returns the column indices of the first k entries of a ranking,
// in increasing column order (ready to pick columns of X). Columns with a NaN
// score are never selected, so fewer than k indices come back when fewer
// than k columns could be scored; k larger than the ranking takes them all.
func SelectK(ranked []Ranked, k int) []int {
	var idx []int
	for _, r := range ranked {
		if len(idx) >= k || math.IsNaN(r.Score) {
			break
		}
		idx = append(idx, r.Index)
	}
	slices.Sort(idx)
	return idx
}
