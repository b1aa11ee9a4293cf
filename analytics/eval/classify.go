package eval

import "sort"

// Confusion is a k-class confusion matrix. Counts[i][j] is the number of
// samples whose true label is Labels[i] and predicted label is Labels[j],
// as in sklearn's confusion_matrix.
type Confusion struct {
	Labels []int // sorted labels seen in either yTrue or yPred
	Counts [][]int64
}

// NewConfusion counts yTrue against yPred. Labels may be any ints; like
// sklearn, only labels that occur in yTrue or yPred get a row.
func NewConfusion(yTrue, yPred []int) (Confusion, error) {
	if err := checkLen(len(yTrue), len(yPred)); err != nil {
		return Confusion{}, err
	}
	idx := map[int]int{}
	for _, y := range [][]int{yTrue, yPred} {
		for _, v := range y {
			idx[v] = 0
		}
	}
	labels := make([]int, 0, len(idx))
	for v := range idx {
		labels = append(labels, v)
	}
	sort.Ints(labels)
	for i, v := range labels {
		idx[v] = i
	}
	c := make([][]int64, len(labels))
	for i := range c {
		c[i] = make([]int64, len(labels))
	}
	for i := range yTrue {
		c[idx[yTrue[i]]][idx[yPred[i]]]++
	}
	return Confusion{Labels: labels, Counts: c}, nil
}

// Averages holds one averaged precision, recall and F1.
type Averages struct{ Precision, Recall, F1 float64 }

// Report is sklearn's classification_report as numbers.
type Report struct {
	Labels    []int
	Precision []float64 // per label, same order as Labels
	Recall    []float64
	F1        []float64
	Support   []int64 // true samples per label
	Accuracy  float64
	Macro     Averages // unweighted mean over labels
	Weighted  Averages // mean weighted by Support
}

// Classify computes per-class and averaged precision, recall and F1.
//
// A ratio whose denominator is zero (a class never predicted, or never
// present) is 0, as sklearn's zero_division="warn" or 0 gives; that 0 still
// counts in the macro average, again like sklearn.
func Classify(yTrue, yPred []int) (Report, error) {
	c, err := NewConfusion(yTrue, yPred)
	if err != nil {
		return Report{}, err
	}
	k := len(c.Labels)
	r := Report{
		Labels:    c.Labels,
		Precision: make([]float64, k),
		Recall:    make([]float64, k),
		F1:        make([]float64, k),
		Support:   make([]int64, k),
	}
	var correct, total int64
	for i := 0; i < k; i++ {
		var predSum, trueSum int64
		for j := 0; j < k; j++ {
			predSum += c.Counts[j][i]
			trueSum += c.Counts[i][j]
		}
		tp := c.Counts[i][i]
		correct += tp
		total += trueSum
		r.Support[i] = trueSum
		r.Precision[i], r.Recall[i], r.F1[i] = prf(tp, predSum, trueSum)
	}
	r.Accuracy = float64(correct) / float64(total)
	r.Macro = Averages{mean(r.Precision), mean(r.Recall), mean(r.F1)}
	r.Weighted = Averages{
		weighted(r.Precision, r.Support),
		weighted(r.Recall, r.Support),
		weighted(r.F1, r.Support),
	}
	return r, nil
}

// prf follows sklearn's formulas step by step (F1 from the rounded
// precision and recall, not from counts) so results agree to the last bit.
func prf(tp, predSum, trueSum int64) (p, r, f float64) {
	if predSum > 0 {
		p = float64(tp) / float64(predSum)
	}
	if trueSum > 0 {
		r = float64(tp) / float64(trueSum)
	}
	denom := p + r
	if denom == 0 {
		return p, r, 0
	}
	return p, r, 2 * p * r / denom
}

// weighted is np.average with weights; with all-zero weights sklearn
// returns 0 (zero_division), which this matches.
func weighted(x []float64, w []int64) float64 {
	var tw int64
	xs := make([]float64, len(x))
	for i := range x {
		tw += w[i]
		xs[i] = x[i] * float64(w[i])
	}
	if tw == 0 {
		return 0
	}
	return sum(xs) / float64(tw)
}

// Accuracy is the fraction of yPred equal to yTrue.
func Accuracy(yTrue, yPred []int) (float64, error) {
	if err := checkLen(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	n := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			n++
		}
	}
	return float64(n) / float64(len(yTrue)), nil
}

// binaryCounts checks 0/1 labels and returns true positives, predicted
// positives and actual positives.
func binaryCounts(yTrue, yPred []int) (tp, pp, ap int64, err error) {
	if err = checkLen(len(yTrue), len(yPred)); err != nil {
		return
	}
	if err = checkBinary(yTrue); err != nil {
		return
	}
	if err = checkBinary(yPred); err != nil {
		return
	}
	for i := range yTrue {
		if yPred[i] == 1 {
			pp++
		}
		if yTrue[i] == 1 {
			ap++
			if yPred[i] == 1 {
				tp++
			}
		}
	}
	return
}

// Precision is TP/(TP+FP) for label 1 (sklearn's average="binary"); 0 when
// nothing is predicted positive.
func Precision(yTrue, yPred []int) (float64, error) {
	tp, pp, ap, err := binaryCounts(yTrue, yPred)
	p, _, _ := prf(tp, pp, ap)
	return p, err
}

// Recall is TP/(TP+FN) for label 1; 0 when there are no positives.
func Recall(yTrue, yPred []int) (float64, error) {
	tp, pp, ap, err := binaryCounts(yTrue, yPred)
	_, r, _ := prf(tp, pp, ap)
	return r, err
}

// F1 is the harmonic mean of Precision and Recall for label 1; 0 when both
// are 0.
func F1(yTrue, yPred []int) (float64, error) {
	tp, pp, ap, err := binaryCounts(yTrue, yPred)
	_, _, f := prf(tp, pp, ap)
	return f, err
}
