package eval

import (
	"fmt"
	"math"
	"sort"
)

// LogLossEps is the clipping bound. sklearn 1.2 clips to the float64
// machine epsilon (eps="auto"); before 1.2 the default was 1e-15, which
// changes the loss only for probabilities of exactly 0 or 1.
const LogLossEps = 0x1p-52

// LogLoss is the mean binary cross-entropy of the probability p of label 1,
// as sklearn's log_loss: p is clipped to [eps, 1-eps] and the pair
// (1-p, p) renormalised, so a confident wrong answer costs about 36, not
// +Inf. Needs both classes in yTrue, as sklearn does without labels=.
// Unlike sklearn, p outside [0,1] is an error rather than silently clipped.
func LogLoss(yTrue []int, p []float64) (float64, error) {
	if err := checkLen(len(yTrue), len(p)); err != nil {
		return 0, err
	}
	if err := checkBinary(yTrue); err != nil {
		return 0, err
	}
	if err := checkProb(p); err != nil {
		return 0, err
	}
	if !bothClasses(yTrue) {
		return 0, ErrOneClass
	}
	loss := make([]float64, len(p))
	for i, v := range p {
		v = math.Min(math.Max(v, LogLossEps), 1-LogLossEps)
		q := 1 - v
		s := q + v
		if yTrue[i] == 1 {
			loss[i] = -math.Log(v / s)
		} else {
			loss[i] = -math.Log(q / s)
		}
	}
	return mean(loss), nil
}

func bothClasses(y []int) bool {
	var seen [2]bool
	for _, v := range y {
		seen[v] = true
	}
	return seen[0] && seen[1]
}

// Brier is the mean squared difference between p and the 0/1 label, as
// sklearn's brier_score_loss. One class is fine here.
func Brier(yTrue []int, p []float64) (float64, error) {
	if err := checkLen(len(yTrue), len(p)); err != nil {
		return 0, err
	}
	if err := checkBinary(yTrue); err != nil {
		return 0, err
	}
	if err := checkProb(p); err != nil {
		return 0, err
	}
	sq := make([]float64, len(p))
	for i, v := range p {
		d := float64(yTrue[i]) - v
		sq[i] = d * d
	}
	return mean(sq), nil
}

// Bin strategies for [Calibration].
const (
	Uniform  = "uniform"  // equal-width bins over [0,1]
	Quantile = "quantile" // bins holding about equal numbers of samples
)

// CalBin is one non-empty bin of a calibration curve.
type CalBin struct {
	MeanPred float64 // mean predicted probability (sklearn's prob_pred)
	FracPos  float64 // fraction of positives (sklearn's prob_true)
	Count    int
}

// Calibration is sklearn's calibration_curve: nBins bins by strategy,
// empty bins dropped. A sample on an inner edge goes to the lower bin
// (np.searchsorted, side left); quantile edges use numpy's linear
// percentile, so tied scores can make fewer bins than asked for.
func Calibration(yTrue []int, p []float64, nBins int, strategy string) ([]CalBin, error) {
	if err := checkLen(len(yTrue), len(p)); err != nil {
		return nil, err
	}
	if err := checkBinary(yTrue); err != nil {
		return nil, err
	}
	if err := checkProb(p); err != nil {
		return nil, err
	}
	if nBins < 1 {
		return nil, fmt.Errorf("eval: calibration needs at least 1 bin, got %d", nBins)
	}
	edges := make([]float64, nBins+1)
	switch strategy {
	case Uniform:
		for i := range edges {
			edges[i] = linspace01(i, nBins)
		}
	case Quantile:
		s := append([]float64(nil), p...)
		sort.Float64s(s)
		for i := range edges {
			edges[i] = percentile(s, linspace01(i, nBins)*100)
		}
	default:
		return nil, fmt.Errorf("eval: unknown calibration strategy %q; use %q or %q", strategy, Uniform, Quantile)
	}
	inner := edges[1:nBins]
	sums := make([]float64, nBins)
	pos := make([]float64, nBins)
	cnt := make([]int, nBins)
	for i, v := range p {
		b := sort.SearchFloat64s(inner, v) // first edge >= v
		sums[b] += v
		pos[b] += float64(yTrue[i])
		cnt[b]++
	}
	var out []CalBin
	for b := range cnt {
		if cnt[b] > 0 {
			n := float64(cnt[b])
			out = append(out, CalBin{MeanPred: sums[b] / n, FracPos: pos[b] / n, Count: cnt[b]})
		}
	}
	return out, nil
}

// linspace01 is np.linspace(0, 1, n+1)[i], rounding included.
func linspace01(i, n int) float64 {
	if i == n {
		return 1
	}
	return float64(i) * (1 / float64(n))
}

// percentile is np.percentile(s, q) with the default linear method on
// sorted s, including numpy's two-sided lerp so edges round identically.
func percentile(s []float64, q float64) float64 {
	vi := float64(len(s)-1) * (q / 100)
	if vi >= float64(len(s)-1) {
		return s[len(s)-1]
	}
	lo := math.Floor(vi)
	a, b := s[int(lo)], s[int(lo)+1]
	t := vi - lo
	d := b - a
	if t >= 0.5 {
		return b - float64(d*(1-t))
	}
	return a + float64(d*t)
}
