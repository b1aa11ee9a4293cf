package eval

import (
	"math"
	"sort"
)

// clfCurve is sklearn's _binary_clf_curve: cumulative false and true
// positives at each distinct score, scores taken from high to low.
func clfCurve(yTrue []int, score []float64) (fps, tps, thr []float64, err error) {
	if err = checkLen(len(yTrue), len(score)); err != nil {
		return
	}
	if err = checkBinary(yTrue); err != nil {
		return
	}
	if err = checkFinite("score", score); err != nil {
		return
	}
	ord := make([]int, len(score))
	for i := range ord {
		ord[i] = i
	}
	// Order within a tie does not matter: only totals at the end of each
	// tie block are kept, which is what gives tied scores one threshold.
	sort.SliceStable(ord, func(a, b int) bool { return score[ord[a]] > score[ord[b]] })
	var tp, n float64
	for i, j := range ord {
		n++
		tp += float64(yTrue[j])
		if i == len(ord)-1 || score[ord[i+1]] != score[j] {
			tps = append(tps, tp)
			fps = append(fps, n-tp)
			thr = append(thr, score[j])
		}
	}
	return
}

// Curve is a ROC curve: point i is (FPR[i], TPR[i]) when predicting
// positive for scores >= Thresholds[i].
type Curve struct {
	FPR, TPR, Thresholds []float64
}

// ROCCurve matches sklearn 1.2.1's roc_curve with drop_intermediate=False:
// one point per distinct score plus a leading (0,0) point whose threshold
// is the highest score + 1 (newer sklearn uses +Inf there). It needs both
// classes, since sklearn's curve is then all NaN on one axis.
func ROCCurve(yTrue []int, score []float64) (Curve, error) {
	fps, tps, thr, err := clfCurve(yTrue, score)
	if err != nil {
		return Curve{}, err
	}
	return roc(fps, tps, thr)
}

func roc(fps, tps, thr []float64) (Curve, error) {
	nf, nt := fps[len(fps)-1], tps[len(tps)-1]
	if nf == 0 || nt == 0 {
		return Curve{}, ErrOneClass
	}
	c := Curve{
		FPR:        make([]float64, len(fps)+1),
		TPR:        make([]float64, len(fps)+1),
		Thresholds: append([]float64{thr[0] + 1}, thr...),
	}
	for i := range fps {
		c.FPR[i+1] = fps[i] / nf
		c.TPR[i+1] = tps[i] / nt
	}
	return c, nil
}

// ROCAUC is the area under the ROC curve by the trapezoid rule over
// distinct thresholds, as sklearn's roc_auc_score: a tie between a positive
// and a negative counts one half. Needs both classes.
func ROCAUC(yTrue []int, score []float64) (float64, error) {
	fps, tps, thr, err := clfCurve(yTrue, score)
	if err != nil {
		return 0, err
	}
	// Drop points collinear with their neighbours first, as sklearn's
	// default drop_intermediate=True does: the area is the same in exact
	// arithmetic, but fewer terms round like sklearn's (a perfect
	// classifier gets exactly 1, not 1-1ulp).
	if n := len(fps); n > 2 {
		f, t, h := fps[:1:1], tps[:1:1], thr[:1:1]
		for i := 1; i < n-1; i++ {
			if bend(fps, i) || bend(tps, i) {
				f, t, h = append(f, fps[i]), append(t, tps[i]), append(h, thr[i])
			}
		}
		fps, tps, thr = append(f, fps[n-1]), append(t, tps[n-1]), append(h, thr[n-1])
	}
	c, err := roc(fps, tps, thr)
	if err != nil {
		return 0, err
	}
	parts := make([]float64, len(c.FPR)-1)
	for i := range parts {
		parts[i] = (c.FPR[i+1] - c.FPR[i]) * (c.TPR[i+1] + c.TPR[i]) / 2
	}
	// The steps telescope to 1 only up to rounding; clamp so callers can
	// rely on the range.
	return clamp01(sum(parts)), nil
}

// PRAUC is sklearn's average_precision_score: the sum over distinct
// thresholds of precision times the recall gained there (a step function,
// not a trapezoid, which would overstate it). With no positives sklearn
// warns and returns 0; this returns ErrNoPositives.
func PRAUC(yTrue []int, score []float64) (float64, error) {
	fps, tps, _, err := clfCurve(yTrue, score)
	if err != nil {
		return 0, err
	}
	np := tps[len(tps)-1]
	if np == 0 {
		return 0, ErrNoPositives
	}
	parts := make([]float64, len(tps))
	prev := 0.0
	for i := range tps {
		r := tps[i] / np
		parts[i] = (r - prev) * (tps[i] / (tps[i] + fps[i]))
		prev = r
	}
	return clamp01(sum(parts)), nil
}

// bend reports a nonzero second difference at i (np.diff(x, 2)).
func bend(x []float64, i int) bool { return (x[i+1]-x[i])-(x[i]-x[i-1]) != 0 }

func clamp01(x float64) float64 { return math.Min(math.Max(x, 0), 1) }
