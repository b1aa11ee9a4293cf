package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/cluster"
	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/forest"
	"github.com/marketbench/marketbench/analytics/logistic"
)

// The model benchmarks: ours and scikit-learn on the same cached data in
// the same run. Sizes (k and M suffixes work):
//
//	MB_BENCH_LOGIT_ROWS  training rows of BenchmarkLogistic1M (1M; +20% held out), scored by BenchmarkScore1M
//	MB_BENCH_KMEANS_ROWS rows of BenchmarkKMeans1M (1M)
//	MB_BENCH_FOREST_ROWS training rows of BenchmarkForest200k and BenchmarkForestCapped200k (200k; +25% held out)
//	MB_BENCH_SCORE_FULL  0 makes BenchmarkScore1M skip the full-depth forest (slow to fit and score)
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 40m ./analytics/bench
//
// Every iteration fits ours and then runs the peer (a separate Python
// process, which loads the files untimed and times only fit / predict).

const (
	logitCols      = 20
	logitTol       = 1e-6 // both sides: max |gradient| of the mean loss
	kmeansCols     = 8
	kmeansK        = 8
	forestCols     = 20
	goalRatio      = 1.0   // ours ≤ sklearn's time
	goalLogitAUC   = 0.001 // |AUC ours − AUC sklearn|
	goalInertia    = 0.005 // relative inertia difference
	goalForestAUC  = 0.01
	goalScoreSecs  = 1.0
	scoreForestKey = "forest"
	scoreLogitKey  = "logistic"
	scoreCappedKey = "forest_capped"
)

// Models and sklearn predict times handed from the fit benchmarks to
// BenchmarkScore1M, so it does not fit them again when run in the same go
// test (it fits them itself when run alone).
var (
	fittedLogit  *logistic.Model
	fittedForest *forest.Forest
	fittedCapped *forest.Forest
	peerScore    = map[string]float64{}
)

func peer(b *testing.B, mode string, args ...string) (*PeerResult, error) {
	res, err := Sklearn(context.Background(), mode, args...)
	if err != nil && !errors.Is(err, ErrNoSklearn) {
		b.Fatal(err)
	}
	return res, err
}

func itoa(n int) string { return strconv.Itoa(n) }

func logitData(b *testing.B) (*Data, int) {
	ntrain := Size("MB_BENCH_LOGIT_ROWS", 1_000_000)
	d, err := LogisticData(ntrain+ntrain/5, logitCols)
	if err != nil {
		b.Fatal(err)
	}
	return d, ntrain
}

func forestData(b *testing.B) (*Data, int) {
	ntrain := Size("MB_BENCH_FOREST_ROWS", 200_000)
	d, err := ForestData(ntrain+ntrain/4, forestCols)
	if err != nil {
		b.Fatal(err)
	}
	return d, ntrain
}

func floats(y []int) []float64 {
	f := make([]float64, len(y))
	for i, v := range y {
		f[i] = float64(v)
	}
	return f
}

// BenchmarkLogistic1M fits logistic.Fit (C=1, Tol 1e-6) and sklearn's
// LogisticRegression(lbfgs, C=1, tol=1e-6, max_iter=1000) on 1M × 20 rows
// and compares fit time and the ROC AUC on 200k held-out rows.
func BenchmarkLogistic1M(b *testing.B) {
	d, ntrain := logitData(b)
	xtr, ytr, xte, yte := d.Split(ntrain)
	yf := floats(ytr)
	runtime.GC()
	b.ResetTimer()
	var ours, theirs []time.Duration
	var m *logistic.Model
	var res *PeerResult
	var peerErr error
	for range b.N {
		start := time.Now()
		var err error
		m, err = logistic.Fit(xtr, yf, logistic.Options{C: 1, Tol: logitTol, MaxIter: 1000})
		ours = append(ours, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if peerErr == nil {
			res, peerErr = peer(b, "logistic", d.XPath, d.YPath, itoa(logitCols), itoa(ntrain),
				strconv.FormatFloat(logitTol, 'g', -1, 64), d.XPath)
			if peerErr == nil {
				theirs = append(theirs, time.Duration(res.FitSeconds*float64(time.Second)))
			}
		}
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	fittedLogit = m
	auc, err := eval.ROCAUC(yte, m.PredictProba(xte))
	if err != nil {
		b.Fatal(err)
	}
	oursS := median(ours)
	b.ReportMetric(auc, "auc")
	line := fmt.Sprintf("logistic %d×%d: ours %.2f s (%d iterations, converged %v), test AUC %.5f", ntrain, logitCols, oursS, m.Iterations, m.Converged, auc)
	if peerErr != nil {
		b.Log(line + "; " + peerErr.Error())
		return
	}
	theirS := median(theirs)
	ratio := oursS / theirS
	dAUC := math.Abs(auc - res.AUC)
	maxDiff := math.Abs(m.Intercept - res.Intercept)
	for j, c := range m.Coef {
		maxDiff = math.Max(maxDiff, math.Abs(c-res.Coef[j]))
	}
	if res.ScoreSeconds != nil {
		peerScore[scoreLogitKey] = *res.ScoreSeconds
	}
	b.ReportMetric(theirS, "sklearn_s/op")
	b.ReportMetric(ratio, "x_vs_sklearn")
	b.ReportMetric(res.AUC, "sklearn_auc")
	b.Logf("%s; sklearn %s %.2f s (%d iterations), test AUC %.5f → time %.2f× sklearn's (goal ≤ %.2f: %s), |ΔAUC| %.2g (goal ≤ %g: %s); max |Δcoef| %.2g",
		line, res.Sklearn, theirS, res.NIter, res.AUC, ratio, goalRatio, Met(ratio <= goalRatio), dAUC, goalLogitAUC, Met(dAUC <= goalLogitAUC), maxDiff)
}

// kmeansInit is the explicit start both sides use: k rows spread through
// the data (row i·n/k), which lie in various blobs.
func kmeansInit(x *mat.Dense, k int) *mat.Dense {
	n, c := x.Dims()
	init := mat.NewDense(k, c, nil)
	for i := range k {
		init.SetRow(i, x.RawRowView(i*n/k))
	}
	return init
}

// BenchmarkKMeans1M runs cluster.KMeans (Lloyd, explicit init, Tol 1e-4)
// and sklearn's KMeans(init=centres, n_init=1, algorithm="lloyd") on
// 1M × 8 rows with k = 8.
func BenchmarkKMeans1M(b *testing.B) {
	n := Size("MB_BENCH_KMEANS_ROWS", 1_000_000)
	d, err := BlobData(n, kmeansCols, kmeansK)
	if err != nil {
		b.Fatal(err)
	}
	init := kmeansInit(d.X, kmeansK)
	initPath, err := WriteMatrix(fmt.Sprintf("kmeans-init-%d.f64", n), init)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ResetTimer()
	var ours, theirs []time.Duration
	var r *cluster.Result
	var res *PeerResult
	var peerErr error
	for range b.N {
		start := time.Now()
		r, err = cluster.KMeans(d.X, cluster.Options{Init: init, Algorithm: cluster.Lloyd, Tol: cluster.DefaultTol})
		ours = append(ours, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if peerErr == nil {
			res, peerErr = peer(b, "kmeans", d.XPath, itoa(kmeansCols), initPath, strconv.FormatFloat(cluster.DefaultTol, 'g', -1, 64))
			if peerErr == nil {
				theirs = append(theirs, time.Duration(res.FitSeconds*float64(time.Second)))
			}
		}
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	oursS := median(ours)
	b.ReportMetric(r.Inertia, "inertia")
	line := fmt.Sprintf("k-means %d×%d k=%d: ours %.2f s (%d iterations), inertia %.6g", n, kmeansCols, kmeansK, oursS, r.Iterations, r.Inertia)
	if peerErr != nil {
		b.Log(line + "; " + peerErr.Error())
		return
	}
	theirS := median(theirs)
	ratio := oursS / theirS
	rel := math.Abs(r.Inertia-res.Inertia) / res.Inertia
	b.ReportMetric(theirS, "sklearn_s/op")
	b.ReportMetric(ratio, "x_vs_sklearn")
	b.ReportMetric(rel, "inertia_rel_diff")
	b.Logf("%s; sklearn %s %.2f s (%d iterations), inertia %.6g → time %.2f× sklearn's (goal ≤ %.2f: %s), inertia differs by %.2g%% (goal ≤ %.1f%%: %s)",
		line, res.Sklearn, theirS, res.NIter, res.Inertia, ratio, goalRatio, Met(ratio <= goalRatio), 100*rel, 100*goalInertia, Met(rel <= goalInertia))
}

// BenchmarkForest200k fits forest.Fit with its defaults (100 trees, all
// cores) and sklearn's RandomForestClassifier(n_estimators=100, n_jobs=2,
// random_state=0) on 200k × 20 rows and compares fit time and the ROC AUC
// on 50k held-out rows.
func BenchmarkForest200k(b *testing.B) {
	fittedForest = benchForest(b, forest.Options{}, scoreForestKey, "forest")
}

// BenchmarkForestCapped200k is BenchmarkForest200k for the forest the
// product ships by default, capped at MaxDepth 12 and MinSamplesLeaf 20
// (sklearn: max_depth=12, min_samples_leaf=20).
func BenchmarkForestCapped200k(b *testing.B) {
	fittedCapped = benchForest(b, cappedOptions, scoreCappedKey, "forest_capped",
		itoa(cappedOptions.MaxDepth), itoa(cappedOptions.MinSamplesLeaf))
}

// cappedOptions are the product's default forest options.
var cappedOptions = forest.Options{MaxDepth: 12, MinSamplesLeaf: 20}

func describe(opt forest.Options) string {
	if opt.MaxDepth == 0 && opt.MinSamplesLeaf == 0 {
		return "100 full-depth trees"
	}
	return fmt.Sprintf("100 trees, MaxDepth %d, MinSamplesLeaf %d", opt.MaxDepth, opt.MinSamplesLeaf)
}

// benchForest fits ours with opt and the peer in mode (with extra, its
// options, after the common arguments) and reports both; the peer's 1M-row
// predict_proba time goes to peerScore[key].
func benchForest(b *testing.B, opt forest.Options, key, mode string, extra ...string) *forest.Forest {
	d, ntrain := forestData(b)
	xtr, ytr, xte, yte := d.Split(ntrain)
	score, _ := logitData(b) // 1M customers to score, same feature distribution
	runtime.GC()
	b.ResetTimer()
	var ours, theirs []time.Duration
	var f *forest.Forest
	var res *PeerResult
	var peerErr error
	for range b.N {
		start := time.Now()
		var err error
		f, err = forest.Fit(xtr, ytr, opt)
		ours = append(ours, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if peerErr == nil {
			args := append([]string{d.XPath, d.YPath, itoa(forestCols), itoa(ntrain)}, extra...)
			res, peerErr = peer(b, mode, append(args, score.XPath)...)
			if peerErr == nil {
				theirs = append(theirs, time.Duration(res.FitSeconds*float64(time.Second)))
			}
		}
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	p, err := f.PredictProba(xte)
	if err != nil {
		b.Fatal(err)
	}
	auc, err := eval.ROCAUC(yte, mat.Col(nil, 1, p))
	if err != nil {
		b.Fatal(err)
	}
	nodes := 0
	for _, t := range f.Trees {
		nodes += t.NodeCount()
	}
	oursS := median(ours)
	b.ReportMetric(auc, "auc")
	line := fmt.Sprintf("forest %d×%d, %s, GOMAXPROCS %d: ours %.2f s (%d nodes), test AUC %.5f", ntrain, forestCols, describe(opt), runtime.GOMAXPROCS(0), oursS, nodes, auc)
	if peerErr != nil {
		b.Log(line + "; " + peerErr.Error())
		return f
	}
	theirS := median(theirs)
	ratio := oursS / theirS
	dAUC := math.Abs(auc - res.AUC)
	if res.ScoreSeconds != nil {
		peerScore[key] = *res.ScoreSeconds
	}
	b.ReportMetric(theirS, "sklearn_s/op")
	b.ReportMetric(ratio, "x_vs_sklearn")
	b.ReportMetric(res.AUC, "sklearn_auc")
	b.Logf("%s; sklearn %s %.2f s (%d nodes), test AUC %.5f → time %.2f× sklearn's (goal ≤ %.2f: %s), |ΔAUC| %.2g (goal ≤ %g: %s)",
		line, res.Sklearn, theirS, res.Nodes, res.AUC, ratio, goalRatio, Met(ratio <= goalRatio), dAUC, goalForestAUC, Met(dAUC <= goalForestAUC))
	return f
}

// BenchmarkScore1M times scoring the 1M training customers of
// BenchmarkLogistic1M with the logistic model and the forests of
// BenchmarkForest200k and BenchmarkForestCapped200k (fitted here when run
// alone; MB_BENCH_SCORE_FULL=0 skips the slow full-depth one). sklearn's predict_proba
// times on the same rows come from those benchmarks' peers when they ran.
func BenchmarkScore1M(b *testing.B) {
	d, ntrain := logitData(b)
	x, _, _, _ := d.Split(ntrain)
	if fittedLogit == nil {
		_, ytr, _, _ := d.Split(ntrain)
		m, err := logistic.Fit(x, floats(ytr), logistic.Options{C: 1, Tol: logitTol, MaxIter: 1000})
		if err != nil {
			b.Fatal(err)
		}
		fittedLogit = m
	}
	full := os.Getenv("MB_BENCH_SCORE_FULL") != "0"
	fit := func(opt forest.Options) *forest.Forest {
		fd, fn := forestData(b)
		xtr, ytr, _, _ := fd.Split(fn)
		f, err := forest.Fit(xtr, ytr, opt)
		if err != nil {
			b.Fatal(err)
		}
		return f
	}
	if fittedForest == nil && full {
		fittedForest = fit(forest.Options{})
	}
	if fittedCapped == nil {
		fittedCapped = fit(cappedOptions)
	}
	runtime.GC()
	b.ResetTimer()
	var lt, ft, ct []time.Duration
	scoreForest := func(f *forest.Forest) time.Duration {
		start := time.Now()
		q, err := f.PredictProba(x)
		el := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if r, _ := q.Dims(); r != ntrain {
			b.Fatalf("%d forest scores, want %d", r, ntrain)
		}
		return el
	}
	for range b.N {
		start := time.Now()
		p := fittedLogit.PredictProba(x)
		lt = append(lt, time.Since(start))
		if len(p) != ntrain {
			b.Fatalf("%d scores, want %d", len(p), ntrain)
		}
		if full {
			ft = append(ft, scoreForest(fittedForest))
		}
		runtime.GC()
		ct = append(ct, scoreForest(fittedCapped))
	}
	b.StopTimer()
	l, f, c := median(lt), median(ft), median(ct)
	b.ReportMetric(l, "logistic_s")
	b.ReportMetric(c, "forest_capped_s")
	line := fmt.Sprintf("scoring %d customers: logistic %.3f s (goal ≤ %.0f s: %s), forest (%s) %.3f s (goal ≤ %.0f s: %s)",
		ntrain, l, goalScoreSecs, Met(l <= goalScoreSecs), describe(cappedOptions), c, goalScoreSecs, Met(c <= goalScoreSecs))
	if full {
		b.ReportMetric(f, "forest_s")
		line += fmt.Sprintf(", forest (100 full-depth trees) %.3f s", f)
	}
	if s, ok := peerScore[scoreLogitKey]; ok {
		b.ReportMetric(s, "sklearn_logistic_s")
		line += fmt.Sprintf("; sklearn predict_proba: logistic %.3f s", s)
	}
	if s, ok := peerScore[scoreCappedKey]; ok {
		b.ReportMetric(s, "sklearn_forest_capped_s")
		line += fmt.Sprintf(", capped forest %.3f s (n_jobs=2)", s)
	}
	if s, ok := peerScore[scoreForestKey]; ok {
		b.ReportMetric(s, "sklearn_forest_s")
		line += fmt.Sprintf(", full-depth forest %.3f s (n_jobs=2)", s)
	}
	b.Log(line)
}

func median(d []time.Duration) float64 {
	v := make([]float64, len(d))
	for i, x := range d {
		v[i] = x.Seconds()
	}
	if len(v) == 0 {
		return 0
	}
	// insertion sort: a handful of runs
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
