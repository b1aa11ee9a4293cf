package explain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// ScoreFunc returns one prediction per row of X (a probability, a score or
// a regression value). Permutation calls it from several goroutines at
// once unless Workers is 1, so it must not mutate shared state; the
// PredictProba methods of analytics/logistic and analytics/tree are safe.
type ScoreFunc func(X *mat.Dense) []float64

// Metric scores predictions against the truth, e.g. eval.ROCAUC
// (Y=int) or eval.RMSE (Y=float64).
type Metric[Y any] func(yTrue []Y, pred []float64) (float64, error)

// PermutationOptions configures Permutation. The zero value means 5
// repeats, seed 0, one worker per CPU, and a metric where higher is better.
type PermutationOptions struct {
	// NRepeats is how many times each column is shuffled (sklearn's
	// n_repeats); 0 means 5.
	NRepeats int
	// Seed fixes the shuffles. Every (feature, repeat) pair draws from its
	// own generator derived from Seed, so results do not depend on Workers
	// or on goroutine scheduling.
	Seed uint64
	// Workers caps concurrent ScoreFunc calls; 0 means GOMAXPROCS. Each
	// worker holds one copy of X.
	Workers int
	// LowerIsBetter marks loss metrics (RMSE, log loss): the importance is
	// then permuted − baseline, so that it stays positive for useful features.
	LowerIsBetter bool
}

// Importance is one feature's permutation importance: how much the metric
// worsens when the feature's column is shuffled, breaking its link to y.
type Importance struct {
	// Mean and Std (population, like sklearn) summarise Drops.
	Mean, Std float64
	// Drops holds the worsening for each repeat.
	Drops []float64
}

// Permutation computes permutation importance (Breiman 2001; sklearn's
// permutation_importance) of every column of X for the model behind score.
// It returns the metric on the unshuffled data and one Importance per
// column. Values near 0 (or below) mean the model does not rely on the
// feature; correlated features share credit, so both can look unimportant.
func Permutation[Y any](ctx context.Context, X *mat.Dense, y []Y, score ScoreFunc, metric Metric[Y], opt PermutationOptions) (float64, []Importance, error) {
	n, k := X.Dims()
	if len(y) != n {
		return 0, nil, fmt.Errorf("explain: X has %d rows but y has %d values", n, len(y))
	}
	if n < 2 || k == 0 {
		return 0, nil, errors.New("explain: permutation importance needs at least 2 rows and 1 column")
	}
	if opt.NRepeats == 0 {
		opt.NRepeats = 5
	}
	if opt.NRepeats < 0 {
		return 0, nil, fmt.Errorf("explain: NRepeats must be ≥ 0, got %d", opt.NRepeats)
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	eval := func(X *mat.Dense) (float64, error) {
		p := score(X)
		if len(p) != n {
			return 0, fmt.Errorf("explain: the score function returned %d values for %d rows", len(p), n)
		}
		return metric(y, p)
	}
	base, err := eval(X)
	if err != nil {
		return 0, nil, fmt.Errorf("explain: scoring the unshuffled data: %w", err)
	}

	drops := make([][]float64, k)
	for j := range drops {
		drops[j] = make([]float64, opt.NRepeats)
	}
	type job struct{ j, r int }
	jobs := make(chan job)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	for range min(opt.Workers, k*opt.NRepeats) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker shuffles one column of its own copy, then puts
			// the column back, so X itself is never written.
			Xw := mat.DenseCopyOf(X)
			col := make([]float64, n)
			for jb := range jobs {
				if ctx.Err() != nil {
					continue // drain without work once cancelled
				}
				mat.Col(col, jb.j, X)
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(jb.j)<<32|uint64(jb.r)))
				for i, src := range rng.Perm(n) {
					Xw.Set(i, jb.j, col[src])
				}
				s, err := eval(Xw)
				Xw.SetCol(jb.j, col)
				if err != nil {
					fail(fmt.Errorf("explain: scoring with feature %d shuffled: %w", jb.j, err))
					continue
				}
				d := base - s
				if opt.LowerIsBetter {
					d = -d
				}
				drops[jb.j][jb.r] = d
			}
		}()
	}
feed:
	for j := range k {
		for r := range opt.NRepeats {
			select {
			case jobs <- job{j, r}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return 0, nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	out := make([]Importance, k)
	for j, d := range drops {
		var mean, ss float64
		for _, v := range d {
			mean += v
		}
		mean /= float64(len(d))
		for _, v := range d {
			ss += (v - mean) * (v - mean)
		}
		out[j] = Importance{Mean: mean, Std: math.Sqrt(ss / float64(len(d))), Drops: d}
	}
	return base, out, nil
}
