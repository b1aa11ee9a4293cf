package bench

import (
	"context"
	_ "embed"
	"errors"
	"strconv"

	"github.com/marketbench/marketbench/analytics/bench/kit"
)

//go:embed recpeer.py
var recPeerPy []byte

// ErrNoScipy means the scipy peer cannot run here; the benchmark still
// measures ours and says that the peer was skipped.
var ErrNoScipy = errors.New("scipy peer skipped")

// KNNPeerResult is what recpeer.py prints.
type KNNPeerResult struct {
	BuildSeconds float64     `json:"build_seconds"`
	TrainSeconds float64     `json:"train_seconds"`
	ScoreSeconds float64     `json:"score_seconds"`
	PeakBytes    int64       `json:"peak_bytes"`
	NNZ          int         `json:"nnz"`
	Pairs        int         `json:"pairs"`
	Neighbours   [][]int     `json:"neighbours"`
	Sample       []int       `json:"sample"`
	SampleItems  [][]int     `json:"sample_items"`
	SampleScores [][]float64 `json:"sample_scores"`
	Scipy        string      `json:"scipy"`
}

// KNNOptions are the settings both sides of the item-kNN benchmark use.
type KNNOptions struct {
	K, ScoreK  int // neighbours trained per product; the first ScoreK score
	Shrink     float64
	Top        int // products per customer
	SampleStep int // the peer returns the lists of every SampleStep-th customer
}

// ScipyKNN runs the scipy.sparse item-kNN peer on p's files. It returns an
// error wrapping ErrNoScipy when Python or scipy is missing.
func ScipyKNN(ctx context.Context, p *Purchases, o KNNOptions) (*KNNPeerResult, error) {
	var res KNNPeerResult
	it := strconv.Itoa
	err := kit.RunPeer(ctx, recPeerPy, ErrNoScipy, &res, "knn", p.CustomerPath, p.ProductPath, it(p.Customers), it(p.Products),
		it(o.K), it(o.ScoreK), strconv.FormatFloat(o.Shrink, 'g', -1, 64), it(o.Top), it(o.SampleStep))
	if err != nil {
		return nil, err
	}
	return &res, nil
}
