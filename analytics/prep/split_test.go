package prep

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// labels returns n labels with the given class counts, interleaved so that
// a split that ignored classes would be visibly off.
func labels(counts map[string]int) []string {
	var y []string
	for len(counts) > 0 {
		for _, c := range []string{"a", "b", "c"} {
			if counts[c] > 0 {
				y = append(y, c)
				if counts[c]--; counts[c] == 0 {
					delete(counts, c)
				}
			}
		}
	}
	return y
}

func count(y []string, ix []int) map[string]int {
	m := map[string]int{}
	for _, i := range ix {
		m[y[i]]++
	}
	return m
}

func TestSplit(t *testing.T) {
	tests := map[string]struct {
		counts map[string]int
		frac   float64
	}{
		"churn 5%":  {map[string]int{"a": 950, "b": 50}, 0.2},
		"3 classes": {map[string]int{"a": 101, "b": 37, "c": 7}, 0.25},
		"small":     {map[string]int{"a": 3, "b": 2}, 0.4},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			total := map[string]int{}
			for k, v := range tc.counts {
				total[k] = v
			}
			y := labels(tc.counts)
			n := len(y)
			train, test, err := Split(y, tc.frac, 42)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(float64(n)*tc.frac + 0.999999); len(test) != want {
				t.Errorf("test has %d rows, want ceil(%v·%d) = %d", len(test), tc.frac, n, want)
			}
			all := append(slices.Clone(train), test...)
			slices.Sort(all)
			for i, v := range all {
				if v != i {
					t.Fatalf("train ∪ test is not a partition of 0..%d (at %d: %d)", n-1, i, v)
				}
			}
			if !slices.IsSorted(train) || !slices.IsSorted(test) {
				t.Error("indices not sorted")
			}
			got := count(y, test)
			for c, m := range total {
				exact := float64(m) * float64(len(test)) / float64(n)
				if g := float64(got[c]); g < exact-1 || g > exact+1 {
					t.Errorf("class %s: %d in test, exact share %.2f", c, got[c], exact)
				}
			}
			tr2, te2, _ := Split(y, tc.frac, 42)
			if !slices.Equal(train, tr2) || !slices.Equal(test, te2) {
				t.Error("same seed, different split")
			}
			if _, te3, _ := Split(y, tc.frac, 43); slices.Equal(test, te3) && n > 10 {
				t.Error("different seed, same split")
			}
		})
	}
}

// TestSplitPinned pins one split: a change in the shuffle would silently
// change which customers a stored model was validated on.
func TestSplitPinned(t *testing.T) {
	y := []int{0, 1, 0, 1, 0, 1, 0, 0, 0, 0}
	_, test, err := Split(y, 0.3, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got, was := fmt.Sprint(test), "[0 3 4]"; got != was {
		t.Errorf("Split(seed 7) test = %s, was %s", got, was)
	}
}

func TestSplitErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		y    []int
		frac float64
	}{
		"frac 0":         {[]int{0, 1, 0, 1}, 0},
		"frac 1":         {[]int{0, 1, 0, 1}, 1},
		"frac NaN":       {[]int{0, 1, 0, 1}, math.NaN()},
		"singleton":      {[]int{0, 0, 0, 1}, 0.5},
		"test too small": {[]int{0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 0.1},
		"empty":          {nil, 0.5},
	} {
		if _, _, err := Split(tc.y, tc.frac, 1); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestKFold(t *testing.T) {
	counts := map[string]int{"a": 103, "b": 41, "c": 9}
	total := map[string]int{"a": 103, "b": 41, "c": 9}
	y := labels(counts)
	n, k := len(y), 5
	folds, err := KFold(y, k, 3)
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, n)
	for f, fd := range folds {
		if len(fd.Test) < n/k || len(fd.Test) > n/k+1 {
			t.Errorf("fold %d: %d test rows, want %d or %d", f, len(fd.Test), n/k, n/k+1)
		}
		if len(fd.Train)+len(fd.Test) != n {
			t.Errorf("fold %d: train+test = %d, want %d", f, len(fd.Train)+len(fd.Test), n)
		}
		in := map[int]bool{}
		for _, i := range fd.Test {
			seen[i]++
			in[i] = true
		}
		for _, i := range fd.Train {
			if in[i] {
				t.Fatalf("fold %d: row %d in train and test", f, i)
			}
		}
		for c, m := range count(y, fd.Test) {
			if m < total[c]/k || m > total[c]/k+1 {
				t.Errorf("fold %d class %s: %d rows, want %d or %d", f, c, m, total[c]/k, total[c]/k+1)
			}
		}
	}
	for i, s := range seen {
		if s != 1 {
			t.Fatalf("row %d is in %d test folds, want 1", i, s)
		}
	}
	again, _ := KFold(y, k, 3)
	for f := range folds {
		if !slices.Equal(folds[f].Test, again[f].Test) {
			t.Fatal("same seed, different folds")
		}
	}
	for _, bad := range []int{1, n + 1} {
		if _, err := KFold(y, bad, 3); err == nil {
			t.Errorf("k = %d: no error", bad)
		}
	}
}
