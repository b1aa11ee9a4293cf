package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
	"github.com/marketbench/marketbench/analytics/recommend"
)

// The item-kNN benchmark: ours and scipy.sparse on the same generated
// purchases in the same run. Sizes (k and M suffixes work):
//
//	MB_BENCH_PURCHASES  order lines (10M); customers are a twentieth of them
//	MB_BENCH_PRODUCTS   products (5,000)
//
//	go test -run '^$' -bench RecommendKNN -benchtime 1x -timeout 60m ./analytics/bench

// The product's item-kNN: trained with 20 neighbours per product (Similar
// shows them), scored with the first 5 (the evaluated default, K 5 and
// shrinkage 10 in app/core), top 10 per customer, bought products left out.
var knnBench = KNNOptions{K: 20, ScoreK: 5, Shrink: 10, Top: 10}

const (
	goalKNNSeconds = 30.0
	goalKNNPeak    = 2e9 // bytes
	goalKNNAgree   = 0.99
	knnSample      = 1000 // customers whose lists are compared with the peer
	knnTieTol      = 1e-9 // relative: sums of the same terms in another order
)

func purchaseData(tb testing.TB) *Purchases {
	lines := Size("MB_BENCH_PURCHASES", 10_000_000)
	p, err := PurchaseData(lines, max(1, lines/20), Size("MB_BENCH_PRODUCTS", 5000))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// knnRun is one run of ours, with its stage times.
type knnRun struct {
	build, train, score time.Duration
	nnz                 int
	knn                 *recommend.ItemKNN
	top                 [][]recommend.Recommendation
}

func (r *knnRun) total() time.Duration { return r.build + r.train + r.score }

// ourKNN does what the product does with a purchase history: a binary
// matrix, 20 neighbours per product, every customer's top 10 from the first
// 5 of them.
func ourKNN(p *Purchases, o KNNOptions) (*knnRun, error) {
	r := &knnRun{}
	t0 := time.Now()
	entries := make([]recommend.Entry, len(p.Customer))
	for i, c := range p.Customer {
		entries[i] = recommend.Entry{Row: int(c), Col: int(p.Product[i]), Weight: 1}
	}
	m, err := recommend.NewBinaryMatrix(p.Customers, p.Products, entries)
	if err != nil {
		return nil, err
	}
	r.nnz = m.NNZ()
	t1 := time.Now()
	r.knn, err = recommend.TrainItemKNN(m, recommend.KNNOptions{K: o.K, Shrink: o.Shrink, Measure: recommend.Cosine})
	if err != nil {
		return nil, err
	}
	t2 := time.Now()
	scoring := &recommend.ItemKNN{Neighbours: make([][]recommend.Neighbour, len(r.knn.Neighbours))}
	for j, ns := range r.knn.Neighbours {
		scoring.Neighbours[j] = ns[:min(len(ns), o.ScoreK)]
	}
	r.top, err = scoring.RecommendAll(m, o.Top, recommend.Filter{ExcludeBought: true}, 0)
	if err != nil {
		return nil, err
	}
	t3 := time.Now()
	r.build, r.train, r.score = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
	return r, nil
}

// BenchmarkRecommendKNN10M trains item-kNN on 10M order lines (500k
// customers, 5,000 products) and scores every customer's top 10, against a
// scipy.sparse peer doing the same (recpeer.py); both must find the same
// neighbours and, ties aside, the same top 10 for ≥ 99 % of 1,000 sampled
// customers. Peak memory is each side's whole process (ours in a child,
// TestRecommendKNNChild), file reading included.
func BenchmarkRecommendKNN10M(b *testing.B) {
	p := purchaseData(b)
	o := knnBench
	o.SampleStep = max(1, p.Customers/knnSample)
	load := kit.StartLoad()
	runtime.GC()
	b.ResetTimer()
	var ours, theirs, build, train, score []time.Duration
	var last *knnRun
	var res *KNNPeerResult
	var peerErr error
	var peak, childBase int64
	var childSecs float64
	for range b.N {
		r, err := ourKNN(p, o)
		if err != nil {
			b.Fatal(err)
		}
		ours = append(ours, r.total())
		b.StopTimer()
		build, train, score = append(build, r.build), append(train, r.train), append(score, r.score)
		last = r
		if peerErr == nil {
			res, peerErr = ScipyKNN(context.Background(), p, o)
			if peerErr != nil && !errors.Is(peerErr, ErrNoScipy) {
				b.Fatal(peerErr)
			}
			if peerErr == nil {
				theirs = append(theirs, secs(res.BuildSeconds+res.TrainSeconds+res.ScoreSeconds))
			}
		}
		var out string
		peak, out, err = kit.PeakRSS("TestRecommendKNNChild", "knn")
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(l, "knn-child "); ok {
				fmt.Sscanf(rest, "base=%d seconds=%f", &childBase, &childSecs)
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	others := load.Others()
	oursS := median(ours)
	b.ReportMetric(median(build), "build_s")
	b.ReportMetric(median(train), "train_s")
	b.ReportMetric(median(score), "score_s")
	b.ReportMetric(float64(peak)/1e6, "peak_MB")
	b.ReportMetric(others, "other_cores")
	line := fmt.Sprintf("item-kNN, %d order lines (%d customer-product pairs), %d customers × %d products, K %d scored with %d, top %d: "+
		"ours %.2f s (medians: matrix %.2f, train %.2f, top %d for every customer %.2f; %.2f s in the memory child), peak RSS %.0f MB (%.0f MB after reading the files); "+
		"goals ≤ %.0f s: %s, ≤ %.0f MB: %s; other processes kept %.2f cores busy",
		len(p.Customer), last.nnz, p.Customers, p.Products, o.K, o.ScoreK, o.Top,
		oursS, median(build), median(train), o.Top, median(score), childSecs, float64(peak)/1e6, float64(childBase)/1e6,
		goalKNNSeconds, Met(oursS <= goalKNNSeconds), goalKNNPeak/1e6, Met(float64(peak) <= goalKNNPeak), others)
	if peerErr != nil {
		b.Log(line + "; " + peerErr.Error())
		return
	}
	if res.NNZ != last.nnz {
		b.Fatalf("the peer's matrix has %d cells, ours %d: not the same data", res.NNZ, last.nnz)
	}
	sameNb, agree, identical := compareKNN(last, res)
	theirS := median(theirs)
	b.ReportMetric(theirS, "scipy_s")
	b.ReportMetric(float64(res.PeakBytes)/1e6, "scipy_peak_MB")
	b.ReportMetric(oursS/theirS, "x_vs_scipy")
	b.ReportMetric(agree, "agree")
	b.Log(line + fmt.Sprintf("; scipy %s %.2f s (last run: matrix %.2f, train %.2f, score %.2f; %d co-bought pairs), peak RSS %.0f MB; ours/scipy %.3f (faster: %s); "+
		"same neighbour lists for %.4f of products; top %d agrees (ties aside) for %.4f of %d sampled customers, identical for %.4f",
		res.Scipy, theirS, res.BuildSeconds, res.TrainSeconds, res.ScoreSeconds, res.Pairs, float64(res.PeakBytes)/1e6, oursS/theirS, Met(oursS < theirS),
		sameNb, o.Top, agree, len(res.Sample), identical))
	// The similarities are the same operations in the same order on both
	// sides, so the neighbour lists must match exactly.
	if sameNb < 1 {
		b.Fatalf("the same neighbour lists for only %.4f of products: not the same computation", sameNb)
	}
	if agree < goalKNNAgree {
		b.Fatalf("ours and scipy agree on only %.4f of sampled customers (want ≥ %.2f): not the same computation", agree, goalKNNAgree)
	}
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// compareKNN returns the fraction of products whose neighbour lists are the
// same, and of sampled customers whose top lists agree (same scores rank by
// rank, and any product in one list but not the other tied with the last
// score) and are identical.
func compareKNN(r *knnRun, p *KNNPeerResult) (sameNb, agree, identical float64) {
	n := 0
	for j, ns := range r.knn.Neighbours {
		if j < len(p.Neighbours) && slices.Equal(neighbourItems(ns), p.Neighbours[j]) {
			n++
		}
	}
	sameNb = float64(n) / float64(len(r.knn.Neighbours))
	na, ni := 0, 0
	for s, u := range p.Sample {
		ours := r.top[u]
		items, scores := p.SampleItems[s], p.SampleScores[s]
		if slices.Equal(recommend.Items(ours), items) {
			ni++
		}
		if listsAgree(ours, items, scores) {
			na++
		}
	}
	return sameNb, float64(na) / float64(len(p.Sample)), float64(ni) / float64(len(p.Sample))
}

func neighbourItems(ns []recommend.Neighbour) []int {
	out := make([]int, len(ns))
	for i, nb := range ns {
		out[i] = nb.Item
	}
	return out
}

func listsAgree(ours []recommend.Recommendation, items []int, scores []float64) bool {
	if len(ours) != len(items) {
		return false
	}
	if len(ours) == 0 {
		return true
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= knnTieTol*math.Max(1, math.Abs(b)) }
	for i, r := range ours {
		if !close(r.Score, scores[i]) {
			return false
		}
	}
	last := scores[len(scores)-1]
	theirs := map[int]float64{}
	for i, it := range items {
		theirs[it] = scores[i]
	}
	for _, r := range ours {
		if _, ok := theirs[r.Item]; !ok && !close(r.Score, last) {
			return false
		}
		delete(theirs, r.Item)
	}
	for _, s := range theirs {
		if !close(s, last) {
			return false
		}
	}
	return true
}

// TestRecommendKNNChild is the child process of BenchmarkRecommendKNN10M
// whose peak memory is measured; it does nothing unless kit.ChildEnv is set.
func TestRecommendKNNChild(t *testing.T) {
	if os.Getenv(kit.ChildEnv) != "knn" {
		t.Skip("runs only as the child of BenchmarkRecommendKNN10M")
	}
	p := purchaseData(t)
	base := kit.VmRSS()
	r, err := ourKNN(p, knnBench)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("knn-child base=%d seconds=%f\n", base, r.total().Seconds())
	kit.ChildDone()
}
