package eval

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"reflect"
	"testing"
)

// fixtures mirrors testdata/fixtures.json, written by gen_fixtures.py.
type fixtures struct {
	Sklearn string
	Binary  []struct {
		Name                string
		Y, Pred             []int
		P                   []float64
		AUC, AP             float64
		FPR, TPR, Thr       []float64
		LogLoss, Brier      float64
		Accuracy, Precision float64
		Recall, F1          float64
		Calibration         []struct {
			Strategy string
			Bins     int
			ProbTrue []float64 `json:"prob_true"`
			ProbPred []float64 `json:"prob_pred"`
		}
	}
	Multiclass []struct {
		Name                  string
		Y, Pred, Labels       []int
		Confusion             [][]int64
		Precision, Recall, F1 []float64
		Support               []int64
		Accuracy              float64
		Macro, Weighted       []float64
	}
	Regression []struct {
		Name          string
		Y, P          []float64
		RMSE, MAE, R2 float64
	}
}

func load(t *testing.T) fixtures {
	t.Helper()
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// inexact counts comparisons that agreed only within tolerance, to show
// how often the results are bit-identical.
var inexact int

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if got == want {
		return
	}
	inexact++
	t.Logf("%s = %.17g, sklearn %.17g (within tolerance)", what, got, want)
	if math.Abs(got-want) > 1e-12*math.Max(math.Abs(got), math.Abs(want)) {
		t.Errorf("%s = %.17g, sklearn %.17g", what, got, want)
	}
}

func nearAll(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, sklearn %d\n got %v\nwant %v", what, len(got), len(want), got, want)
		return
	}
	for i := range got {
		near(t, what, got[i], want[i])
	}
}

func TestBinaryAgainstSklearn(t *testing.T) {
	f := load(t)
	t.Logf("fixtures from scikit-learn %s", f.Sklearn)
	for _, c := range f.Binary {
		t.Run(c.Name, func(t *testing.T) {
			must := func(v float64, err error) float64 {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			near(t, "ROCAUC", must(ROCAUC(c.Y, c.P)), c.AUC)
			near(t, "PRAUC", must(PRAUC(c.Y, c.P)), c.AP)
			near(t, "LogLoss", must(LogLoss(c.Y, c.P)), c.LogLoss)
			near(t, "Brier", must(Brier(c.Y, c.P)), c.Brier)
			near(t, "Accuracy", must(Accuracy(c.Y, c.Pred)), c.Accuracy)
			near(t, "Precision", must(Precision(c.Y, c.Pred)), c.Precision)
			near(t, "Recall", must(Recall(c.Y, c.Pred)), c.Recall)
			near(t, "F1", must(F1(c.Y, c.Pred)), c.F1)
			roc, err := ROCCurve(c.Y, c.P)
			if err != nil {
				t.Fatal(err)
			}
			nearAll(t, "FPR", roc.FPR, c.FPR)
			nearAll(t, "TPR", roc.TPR, c.TPR)
			nearAll(t, "Thresholds", roc.Thresholds, c.Thr)
			for _, cal := range c.Calibration {
				bins, err := Calibration(c.Y, c.P, cal.Bins, cal.Strategy)
				if err != nil {
					t.Fatal(err)
				}
				var pt, pp []float64
				for _, b := range bins {
					pt = append(pt, b.FracPos)
					pp = append(pp, b.MeanPred)
				}
				nearAll(t, cal.Strategy+" prob_true", pt, cal.ProbTrue)
				nearAll(t, cal.Strategy+" prob_pred", pp, cal.ProbPred)
			}
		})
	}
	t.Logf("%d comparisons within tolerance but not bit-identical", inexact)
}

func TestMulticlassAgainstSklearn(t *testing.T) {
	for _, c := range load(t).Multiclass {
		t.Run(c.Name, func(t *testing.T) {
			cm, err := NewConfusion(c.Y, c.Pred)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cm.Labels, c.Labels) || !reflect.DeepEqual(cm.Counts, c.Confusion) {
				t.Errorf("confusion %v %v, sklearn %v %v", cm.Labels, cm.Counts, c.Labels, c.Confusion)
			}
			r, err := Classify(c.Y, c.Pred)
			if err != nil {
				t.Fatal(err)
			}
			nearAll(t, "precision", r.Precision, c.Precision)
			nearAll(t, "recall", r.Recall, c.Recall)
			nearAll(t, "f1", r.F1, c.F1)
			if !reflect.DeepEqual(r.Support, c.Support) {
				t.Errorf("support %v, sklearn %v", r.Support, c.Support)
			}
			near(t, "accuracy", r.Accuracy, c.Accuracy)
			nearAll(t, "macro", []float64{r.Macro.Precision, r.Macro.Recall, r.Macro.F1}, c.Macro)
			nearAll(t, "weighted", []float64{r.Weighted.Precision, r.Weighted.Recall, r.Weighted.F1}, c.Weighted)
		})
	}
}

func TestRegressionAgainstSklearn(t *testing.T) {
	for _, c := range load(t).Regression {
		t.Run(c.Name, func(t *testing.T) {
			rmse, err1 := RMSE(c.Y, c.P)
			mae, err2 := MAE(c.Y, c.P)
			r2, err3 := R2(c.Y, c.P)
			if err := errors.Join(err1, err2, err3); err != nil {
				t.Fatal(err)
			}
			near(t, "RMSE", rmse, c.RMSE)
			near(t, "MAE", mae, c.MAE)
			near(t, "R2", r2, c.R2)
		})
	}
}
