package explain

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/logistic"
)

// churnData draws y from a logistic model that leans heavily on column 0,
// lightly on column 1 and not at all on column 2 (pure noise).
func churnData(n int, seed uint64) (*mat.Dense, []int, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n, 3, nil)
	yi := make([]int, n)
	yf := make([]float64, n)
	for i := range n {
		a, b, c := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		X.SetRow(i, []float64{a, b, c})
		if rng.Float64() < 1/(1+math.Exp(-(3*a+0.5*b))) {
			yi[i], yf[i] = 1, 1
		}
	}
	return X, yi, yf
}

func TestPermutationNoiseAndDominant(t *testing.T) {
	X, yi, yf := churnData(2000, 42)
	m, err := logistic.Fit(X, yf, logistic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opt := PermutationOptions{NRepeats: 10, Seed: 7}
	base, imp, err := Permutation(context.Background(), X, yi, m.PredictProba, eval.ROCAUC, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("AUC %.4f; importances %.4f %.4f %.4f", base, imp[0].Mean, imp[1].Mean, imp[2].Mean)
	if imp[0].Mean < 0.2 {
		t.Errorf("dominant feature importance %.4f, want > 0.2", imp[0].Mean)
	}
	if imp[0].Mean < 5*imp[1].Mean || imp[1].Mean <= 0 {
		t.Errorf("importances %.4f, %.4f: want the dominant one far ahead and the weak one > 0", imp[0].Mean, imp[1].Mean)
	}
	if math.Abs(imp[2].Mean) > 0.005 {
		t.Errorf("noise feature importance %.4f, want ≈ 0", imp[2].Mean)
	}
	if len(imp[2].Drops) != 10 {
		t.Errorf("got %d drops, want 10", len(imp[2].Drops))
	}

	// Deterministic: the same seed gives identical results with any number
	// of workers; X is left untouched.
	before := mat.DenseCopyOf(X)
	for _, w := range []int{1, 3} {
		opt.Workers = w
		b2, imp2, err := Permutation(context.Background(), X, yi, m.PredictProba, eval.ROCAUC, opt)
		if err != nil {
			t.Fatal(err)
		}
		if b2 != base || !reflect.DeepEqual(imp2, imp) {
			t.Errorf("workers=%d: results differ from the default run", w)
		}
	}
	if !mat.Equal(before, X) {
		t.Error("X was modified")
	}
	opt.Seed = 8
	_, imp3, _ := Permutation(context.Background(), X, yi, m.PredictProba, eval.ROCAUC, opt)
	if reflect.DeepEqual(imp3, imp) {
		t.Error("a different seed gave identical shuffles")
	}
}

// A loss metric (RMSE on probabilities) with LowerIsBetter still ranks the
// dominant feature first with a positive importance.
func TestPermutationLowerIsBetter(t *testing.T) {
	X, _, yf := churnData(500, 3)
	m, err := logistic.Fit(X, yf, logistic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, imp, err := Permutation(context.Background(), X, yf, m.PredictProba, eval.RMSE,
		PermutationOptions{Seed: 1, LowerIsBetter: true})
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Mean <= 0 || imp[0].Mean <= imp[2].Mean {
		t.Errorf("importances %+v", imp)
	}
}

func TestPermutationErrors(t *testing.T) {
	X, yi, _ := churnData(50, 1)
	ok := func(X *mat.Dense) []float64 { return mat.Col(nil, 0, X) }
	ctx := context.Background()
	if _, _, err := Permutation(ctx, X, yi[:10], ok, eval.ROCAUC, PermutationOptions{}); err == nil {
		t.Error("length mismatch: want an error")
	}
	short := func(X *mat.Dense) []float64 { return []float64{1} }
	if _, _, err := Permutation(ctx, X, yi, short, eval.ROCAUC, PermutationOptions{}); err == nil {
		t.Error("short score output: want an error")
	}
	boom := errors.New("boom")
	calls := 0
	bad := func(y []int, p []float64) (float64, error) {
		calls++
		if calls > 1 {
			return 0, boom
		}
		return 1, nil
	}
	if _, _, err := Permutation(ctx, X, yi, ok, bad, PermutationOptions{Workers: 1}); !errors.Is(err, boom) {
		t.Errorf("metric error: got %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := Permutation(cctx, X, yi, ok, eval.ROCAUC, PermutationOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}
