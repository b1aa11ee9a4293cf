package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// fixture is written by testdata/gen_fixtures.py (scikit-learn 1.2.1).
type fixture struct {
	X     [][]float64
	Truth []int
	Runs  []struct {
		InitName  string `json:"init_name"`
		Init      [][]float64
		Algorithm string
		Tol       float64
		Centres   [][]float64
		Labels    []int
		Inertia   float64
		NIter     int `json:"n_iter"`
	}
	SilhouetteTruth float64 `json:"silhouette_truth"`
	SilhouetteRun0  float64 `json:"silhouette_run0"`
}

func load(t testing.TB) (*fixture, *mat.Dense) {
	t.Helper()
	b, err := os.ReadFile("testdata/kmeans.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f, dense(f.X)
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

// near reports whether got matches want to 1e-9 relative (1e-12 absolute
// near zero).
func near(got, want float64) bool {
	return math.Abs(got-want) <= max(1e-9*math.Abs(want), 1e-12)
}

func TestKMeansSklearn(t *testing.T) {
	f, X := load(t)
	for _, r := range f.Runs {
		name := fmt.Sprintf("%s/%s/tol=%g", r.InitName, r.Algorithm, r.Tol)
		t.Run(name, func(t *testing.T) {
			res, err := KMeans(X, Options{Init: dense(r.Init), Algorithm: r.Algorithm, Tol: r.Tol})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Labels, r.Labels) {
				diff := 0
				for i := range r.Labels {
					if res.Labels[i] != r.Labels[i] {
						diff++
					}
				}
				t.Errorf("%d labels differ from sklearn", diff)
			}
			for i, row := range r.Centres {
				for j, want := range row {
					if got := res.Centres.At(i, j); !near(got, want) {
						t.Errorf("centre[%d,%d] = %.15g, sklearn %.15g", i, j, got, want)
					}
				}
			}
			if !near(res.Inertia, r.Inertia) {
				t.Errorf("inertia = %.15g, sklearn %.15g", res.Inertia, r.Inertia)
			}
			// sklearn counts the iteration in which the labels stopped
			// changing (or the shift fell under tol), and so do we.
			if res.Iterations != r.NIter {
				t.Errorf("iterations = %d, sklearn %d", res.Iterations, r.NIter)
			}
			sum := 0
			for c, s := range res.Sizes {
				if s != count(r.Labels, c) {
					t.Errorf("size[%d] = %d, want %d", c, s, count(r.Labels, c))
				}
				sum += s
			}
			if sum != len(r.Labels) {
				t.Errorf("sizes add to %d, want %d", sum, len(r.Labels))
			}
		})
	}
}

func count(labels []int, c int) int {
	n := 0
	for _, l := range labels {
		if l == c {
			n++
		}
	}
	return n
}

// The pruning in Elkan must not change any result.
func TestElkanMatchesLloyd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, d := 5000, 6
	X := mat.NewDense(n, d, nil)
	for i := range n {
		c := float64(rng.IntN(7)) * 3
		for j := range d {
			X.Set(i, j, c+rng.NormFloat64()*2)
		}
	}
	for _, k := range []int{1, 2, 7, 12} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			opt := Options{K: k, Seed: 9, NInit: 2}
			a, err := KMeans(X, opt)
			if err != nil {
				t.Fatal(err)
			}
			opt.Algorithm = Elkan
			b, err := KMeans(X, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Labels, b.Labels) || a.Iterations != b.Iterations || !near(a.Inertia, b.Inertia) {
				t.Errorf("lloyd %d iters inertia %v, elkan %d iters inertia %v", a.Iterations, a.Inertia, b.Iterations, b.Inertia)
			}
		})
	}
}

func TestPlusPlus(t *testing.T) {
	f, X := load(t)
	opt := Options{K: 4, NInit: 1, Seed: 42, Tol: DefaultTol}
	a, err := KMeans(X, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := KMeans(X, opt)
	if !slices.Equal(a.Labels, b.Labels) || a.Inertia != b.Inertia || !mat.Equal(a.Centres, b.Centres) {
		t.Error("same seed gave different results")
	}
	// k-means++ should beat starting from k random rows, on average over
	// seeds; one run each at a time can tie on easy data.
	var pp, rnd float64
	rng := rand.New(rand.NewPCG(1, 2))
	const seeds = 20
	for s := range seeds {
		r, err := KMeans(X, Options{K: 4, NInit: 1, Seed: uint64(s), MaxIter: 1})
		if err != nil {
			t.Fatal(err)
		}
		pp += r.Inertia
		idx := rng.Perm(X.RawMatrix().Rows)[:4]
		init := mat.NewDense(4, 4, nil)
		for i, j := range idx {
			init.SetRow(i, X.RawRowView(j))
		}
		r, err = KMeans(X, Options{Init: init, MaxIter: 1})
		if err != nil {
			t.Fatal(err)
		}
		rnd += r.Inertia
	}
	if pp >= rnd {
		t.Errorf("mean inertia after 1 iteration: k-means++ %g, random rows %g", pp/seeds, rnd/seeds)
	}
	// Restarts keep the best run, which reaches sklearn's optimum here.
	best, _ := KMeans(X, Options{K: 4, Seed: 1})
	if best.Inertia > f.Runs[1].Inertia*(1+1e-9) {
		t.Errorf("10 restarts: inertia %v, sklearn's from a good start %v", best.Inertia, f.Runs[1].Inertia)
	}
}

func TestKMeansErrors(t *testing.T) {
	X := dense([][]float64{{1, 2}, {2, 1}, {3, 5}})
	tests := map[string]Options{
		"k zero":       {},
		"k > n":        {K: 4},
		"algorithm":    {K: 2, Algorithm: "full"},
		"negative tol": {K: 2, Tol: -1},
		"init cols":    {Init: dense([][]float64{{1}, {2}})},
		"init rows":    {K: 3, Init: dense([][]float64{{1, 1}, {2, 2}})},
		"init NaN":     {Init: dense([][]float64{{1, math.NaN()}, {2, 2}})},
	}
	for name, opt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := KMeans(X, opt); err == nil {
				t.Error("no error")
			}
		})
	}
	if _, err := KMeans(dense([][]float64{{1, math.NaN()}}), Options{K: 1}); err == nil {
		t.Error("NaN: no error")
	}
}

// Duplicate rows leave clusters empty: results stay well-defined.
func TestKMeansDuplicates(t *testing.T) {
	X := dense([][]float64{{0, 0}, {0, 0}, {0, 0}, {5, 5}})
	for _, alg := range []string{Lloyd, Elkan} {
		r, err := KMeans(X, Options{K: 3, Seed: 1, Algorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		if r.Inertia != 0 || r.Sizes[0]+r.Sizes[1]+r.Sizes[2] != 4 {
			t.Errorf("%s: inertia %v sizes %v", alg, r.Inertia, r.Sizes)
		}
	}
}

func TestSilhouetteSklearn(t *testing.T) {
	f, X := load(t)
	for name, tc := range map[string]struct {
		labels []int
		want   float64
	}{
		"truth":  {f.Truth, f.SilhouetteTruth},
		"kmeans": {f.Runs[0].Labels, f.SilhouetteRun0},
	} {
		got, err := Silhouette(X, tc.labels, SilhouetteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !near(got, tc.want) {
			t.Errorf("%s: silhouette %.15g, sklearn %.15g", name, got, tc.want)
		}
	}
	a, _ := Silhouette(X, f.Truth, SilhouetteOptions{SampleSize: 200, Seed: 5})
	b, _ := Silhouette(X, f.Truth, SilhouetteOptions{SampleSize: 200, Seed: 5})
	if a != b || math.Abs(a-f.SilhouetteTruth) > 0.05 {
		t.Errorf("sampled silhouette %v, %v; full %v", a, b, f.SilhouetteTruth)
	}
	if _, err := Silhouette(X, make([]int, len(f.Truth)), SilhouetteOptions{}); err == nil {
		t.Error("one label: no error")
	}
}

func TestSilhouetteSingleton(t *testing.T) {
	// Rows alone in their cluster score 0, as in sklearn.
	X := dense([][]float64{{0}, {1}, {10}, {20}})
	got, err := Silhouette(X, []int{0, 0, 1, 2}, SilhouetteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Row 0: a=1, b=min(10, 20)=10 → 0.9. Row 1: a=1, b=min(9, 19)=9 → 8/9.
	// Rows 2 and 3 are singletons → 0.
	want := (0.9 + 8.0/9) / 4
	if !near(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestElbowProfiles(t *testing.T) {
	f, X := load(t)
	in, err := Elbow(X, []int{1, 2, 4, 8}, Options{Seed: 3, NInit: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(in); i++ {
		if in[i] >= in[i-1] {
			t.Errorf("inertia not falling with k: %v", in)
		}
	}
	ps, err := Profiles(X, f.Runs[1].Labels, 4)
	if err != nil {
		t.Fatal(err)
	}
	var share float64
	for c, p := range ps {
		share += p.Share
		for j, want := range f.Runs[1].Centres[c] {
			if !near(p.Mean[j], want) {
				t.Errorf("cluster %d mean[%d] = %v, sklearn centre %v", c, j, p.Mean[j], want)
			}
		}
	}
	if math.Abs(share-1) > 1e-12 {
		t.Errorf("shares add to %v", share)
	}
	if _, err := Profiles(X, f.Runs[1].Labels, 2); err == nil {
		t.Error("label out of range: no error")
	}
}

// BenchmarkLloyd is the shape of the planned comparison with sklearn:
// 1M×8, k=8, one start.
func BenchmarkLloyd(b *testing.B) {
	for _, alg := range []string{Lloyd, Elkan} {
		b.Run(alg, func(b *testing.B) {
			X := blobs(1_000_000, 8, 8)
			for b.Loop() {
				if _, err := KMeans(X, Options{K: 8, NInit: 1, Seed: 1, Tol: DefaultTol, Algorithm: alg}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func blobs(n, d, k int) *mat.Dense {
	rng := rand.New(rand.NewPCG(7, 8))
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = rng.Float64()*20 - 10
	}
	X := mat.NewDense(n, d, nil)
	for i := range n {
		c := rng.IntN(k)
		for j := range d {
			X.Set(i, j, centres[c*d+j]+rng.NormFloat64())
		}
	}
	return X
}

// Partial sums are per fixed-size chunk, so the core count cannot change
// the result bit for bit.
func TestKMeansCoresIndependent(t *testing.T) {
	X := blobs(3*chunk+17, 3, 5)
	var res []*Result
	for _, p := range []int{1, 2, 5} {
		old := runtime.GOMAXPROCS(p)
		r, err := KMeans(X, Options{K: 5, Seed: 2, NInit: 2})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, r)
	}
	for _, r := range res[1:] {
		if r.Inertia != res[0].Inertia || !mat.Equal(r.Centres, res[0].Centres) || !slices.Equal(r.Labels, res[0].Labels) {
			t.Errorf("results differ with the number of cores: inertia %v vs %v", r.Inertia, res[0].Inertia)
		}
	}
}

// BenchmarkIteration times iterations alone: a fixed start, 10 iterations.
func BenchmarkIteration(b *testing.B) {
	X := blobs(1_000_000, 8, 8)
	init := mat.DenseCopyOf(X.Slice(0, 8, 0, 8))
	for _, alg := range []string{Lloyd, Elkan} {
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				r, err := KMeans(X, Options{Init: init, MaxIter: 10, Algorithm: alg})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(r.Iterations), "iters")
			}
		})
	}
}

// The unrolled d = 8 assignment must give exactly what nearest gives, ties
// included, whatever the previous labels: integer data make exact ties
// common, and centre 1 repeats centre 0 when k > 1.
func TestLloyd8MatchesNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 2*chunk + 37
	for _, ints := range []bool{false, true} {
		x := make([]float64, n*8)
		for i := range x {
			if ints {
				x[i] = float64(rng.IntN(5) - 2)
			} else {
				x[i] = rng.NormFloat64() * 3
			}
		}
		for _, k := range []int{1, 3, 8, 9} {
			c := make([]float64, k*8)
			for j := range k {
				copy(c[j*8:], x[rng.IntN(n)*8:][:8])
			}
			if k > 1 {
				copy(c[8:16], c[:8])
			}
			csq := make([]float64, k)
			for j := range k {
				csq[j] = dot(c[j*8:(j+1)*8], c[j*8:(j+1)*8])
			}
			for _, start := range []string{"unset", "random", "lowest"} {
				prev := make([]int32, n)
				for i := range prev {
					switch start {
					case "unset":
						prev[i] = -1
					case "random":
						prev[i] = int32(rng.IntN(k))
					}
				}
				wantLabels := slices.Clone(prev)
				wantSums := make([]float64, k*8)
				wantCounts := make([]int, k)
				wantChanged := 0
				for i := range n {
					row := x[i*8 : (i+1)*8]
					b := nearest(row, c, csq)
					if wantLabels[i] != int32(b) {
						wantLabels[i] = int32(b)
						wantChanged++
					}
					wantCounts[b]++
					for j, v := range row {
						wantSums[b*8+j] += v
					}
				}
				labels := slices.Clone(prev)
				sums := make([]float64, k*8)
				counts := make([]int, k)
				changed := lloydChunk8(x, labels, c, csq, sums, counts)
				name := fmt.Sprintf("ints=%v k=%d start=%s", ints, k, start)
				if !slices.Equal(labels, wantLabels) || !slices.Equal(counts, wantCounts) || changed != wantChanged {
					t.Errorf("%s: labels, counts or changes differ from nearest (%d vs %d changed)", name, changed, wantChanged)
				}
				for j := range sums {
					if math.Float64bits(sums[j]) != math.Float64bits(wantSums[j]) {
						t.Errorf("%s: sum %d is %v, want %v", name, j, sums[j], wantSums[j])
						break
					}
				}
			}
		}
	}
}

func TestKMeansCancel(t *testing.T) {
	X := mat.NewDense(1000, 2, nil)
	for i := range 1000 {
		X.Set(i, 0, float64(i%37))
		X.Set(i, 1, float64(i%11))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := KMeansContext(ctx, X, Options{K: 3}); err != context.Canceled {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// TestKMeansCancelMidRun cancels while a run is iterating (from the Progress
// hook, after the second iteration of the first start) and checks that
// KMeansContext stops at the end of that iteration: no further iteration is
// reported, the error is context.Canceled and there is no result. It catches
// a loop that stops checking the context between iterations (with the
// stopped() check in lloyd/elkan removed this test fails with iterations
// reported after the cancel, for both algorithms), which
// TestKMeansCancel, cancelling before the call, cannot see.
func TestKMeansCancelMidRun(t *testing.T) {
	// Uniform noise has no cluster structure, so with Tol 0 k-means takes
	// many iterations to settle; the uncancelled check below proves it.
	const n, d = 20000, 3
	rng := rand.New(rand.NewPCG(5, 6))
	X := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			X.Set(i, j, rng.Float64())
		}
	}
	for _, alg := range []string{Lloyd, Elkan} {
		t.Run(alg, func(t *testing.T) {
			opt := Options{K: 12, Seed: 1, NInit: 2, MaxIter: 300, Algorithm: alg}

			// Without cancelling, the same options iterate well past the
			// point where the test cancels, so stopping there is observable.
			full := 0
			opt.Progress = func(start, iter int) { full++ }
			if _, err := KMeansContext(context.Background(), X, opt); err != nil {
				t.Fatal(err)
			}
			if full < 10 {
				t.Fatalf("uncancelled fit reported only %d iterations; the data must need more to test cancelling", full)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var reports, after int
			cancelled := false
			var at time.Time
			opt.Progress = func(start, iter int) {
				reports++
				if cancelled {
					after++
					return
				}
				if start == 0 && iter == 2 {
					cancel()
					cancelled = true
					at = time.Now()
				}
			}
			res, err := KMeansContext(ctx, X, opt)
			if !cancelled {
				t.Fatal("the Progress hook never reached start 0, iteration 2")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if res != nil {
				t.Errorf("got a result after cancelling: %+v", res.Sizes)
			}
			if after != 0 {
				t.Errorf("%d iterations ran after the cancel (of %d uncancelled); want 0", after, full)
			}
			// One iteration over 20,000 rows takes milliseconds; a second
			// leaves room for a loaded machine but not for a full fit to run.
			if el := time.Since(at); el > time.Second {
				t.Errorf("returned %v after the cancel", el)
			}
		})
	}
}
