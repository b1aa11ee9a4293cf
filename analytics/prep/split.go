package prep

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/marketbench/marketbench/analytics/msg"
)

// Splits are stratified: every class keeps its share of the rows in each
// part, so a 5% churn rate stays 5% in train, test and every fold and a
// small test set is not left without positives.
//
// They are deterministic for a seed: rows are shuffled within each class
// by math/rand/v2's Shuffle on a PCG source. They do not reproduce
// sklearn's permutation, only its proportions; TestSplitPinned catches a
// change in the Go stream.

// classes groups row indices by label, classes in sorted order so the
// shuffles consume the generator in a fixed order.
func classes[T cmp.Ordered](y []T) [][]int {
	by := map[T][]int{}
	for i, v := range y {
		by[v] = append(by[v], i)
	}
	keys := make([]T, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([][]int, len(keys))
	for c, k := range keys {
		out[c] = by[k]
	}
	return out
}

func shuffler(seed uint64) *rand.Rand {
	// The second PCG word is a fixed constant so that one seed is enough.
	return rand.New(rand.NewPCG(seed, 0x6d62707265702e73))
}

// Split returns the sorted row indices of a stratified train/test split of
// labels y with a test share of frac (0 < frac < 1). The test set has
// ceil(frac·n) rows, as in sklearn, and each class gets its exact share
// rounded up or down (largest remainder). Every class needs at least 2 rows.
func Split[T cmp.Ordered](y []T, frac float64, seed uint64) (train, test []int, err error) {
	n := len(y)
	if n == 0 {
		return nil, nil, msg.Errorf("prep: split: no rows")
	}
	if !(frac > 0 && frac < 1) {
		return nil, nil, msg.Errorf("prep: split: test share must be between 0 and 1, got %v", frac)
	}
	cls := classes(y)
	nt := int(math.Ceil(frac * float64(n)))
	if nt < len(cls) || n-nt < len(cls) {
		return nil, nil, msg.Errorf("prep: split: %d test and %d train rows cannot hold all %d classes", nt, n-nt, len(cls))
	}
	for _, c := range cls {
		if len(c) < 2 {
			return nil, nil, msg.Errorf("prep: split: a class has only 1 row; it cannot be in both train and test")
		}
	}
	// Largest remainder: floor each class's share, then give the rows left
	// over to the classes with the largest fractional parts.
	take := make([]int, len(cls))
	rem := make([]int, len(cls))
	left := nt
	for c, ix := range cls {
		take[c] = len(ix) * nt / n
		rem[c] = len(ix) * nt % n
		left -= take[c]
	}
	order := make([]int, len(cls))
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for _, c := range order[:left] {
		take[c]++
	}
	r := shuffler(seed)
	for c, ix := range cls {
		ix = slices.Clone(ix)
		r.Shuffle(len(ix), func(i, j int) { ix[i], ix[j] = ix[j], ix[i] })
		test = append(test, ix[:take[c]]...)
		train = append(train, ix[take[c]:]...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test, nil
}

// Fold is one round of k-fold cross-validation: sorted row indices.
type Fold struct {
	Train, Test []int
}

// KFold splits the rows of labels y into k stratified folds (2 ≤ k ≤ n).
// Each class is dealt round-robin across the folds, continuing where the
// previous class stopped, so fold sizes differ by at most one row and so do
// a class's counts in any two folds. A class with fewer than k rows is
// missing from some test folds, as in sklearn (which only warns).
func KFold[T cmp.Ordered](y []T, k int, seed uint64) ([]Fold, error) {
	n := len(y)
	if k < 2 || k > n {
		return nil, msg.Errorf("prep: k-fold: k must be between 2 and the %d rows, got %d", n, k)
	}
	fold := make([]int, n)
	r := shuffler(seed)
	next := 0
	for _, ix := range classes(y) {
		ix = slices.Clone(ix)
		r.Shuffle(len(ix), func(i, j int) { ix[i], ix[j] = ix[j], ix[i] })
		for _, i := range ix {
			fold[i] = next
			next = (next + 1) % k
		}
	}
	out := make([]Fold, k)
	for i, f := range fold {
		for g := range out {
			if g == f {
				out[g].Test = append(out[g].Test, i)
			} else {
				out[g].Train = append(out[g].Train, i)
			}
		}
	}
	return out, nil
}
