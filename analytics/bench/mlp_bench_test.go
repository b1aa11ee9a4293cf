package bench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/mlp"
)

// mlpHidden and the epoch count are the same on both sides; the epochs are
// fixed (no early stopping) so the times compare equal work.
var mlpHidden = []int{64, 32}

const goalMLPAUC = 0.01

// BenchmarkMLP200k fits mlp.Fit (hidden 64, 32; Fixed epochs) and sklearn's
// MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=EPOCHS,
// n_iter_no_change=EPOCHS+1, random_state=0) on the 200k × 20 rows of the
// forest benchmark and compares fit time and the ROC AUC on the same 50k
// held-out rows. MB_BENCH_MLP_EPOCHS sets the epochs (20).
func BenchmarkMLP200k(b *testing.B) {
	d, ntrain := forestData(b)
	xtr, ytr, xte, yte := d.Split(ntrain)
	yf := floats(ytr)
	epochs := Size("MB_BENCH_MLP_EPOCHS", 20)
	hidden := make([]string, len(mlpHidden))
	for i, h := range mlpHidden {
		hidden[i] = strconv.Itoa(h)
	}
	runtime.GC()
	b.ResetTimer()
	var ours, theirs []time.Duration
	var net *mlp.Net
	var res *PeerResult
	var peerErr error
	for range b.N {
		start := time.Now()
		var err error
		net, err = mlp.Fit(context.Background(), xtr, yf, mlp.Options{Hidden: mlpHidden, MaxIter: epochs, Fixed: true})
		ours = append(ours, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if peerErr == nil {
			res, peerErr = peer(b, "mlp", d.XPath, d.YPath, itoa(forestCols), itoa(ntrain), itoa(epochs), strings.Join(hidden, ","))
			if peerErr == nil {
				theirs = append(theirs, time.Duration(res.FitSeconds*float64(time.Second)))
			}
		}
		runtime.GC()
		b.StartTimer()
	}
	b.StopTimer()
	auc, err := eval.ROCAUC(yte, net.Predict(xte))
	if err != nil {
		b.Fatal(err)
	}
	oursS := median(ours)
	b.ReportMetric(auc, "auc")
	line := fmt.Sprintf("mlp %d×%d, hidden %v, %d epochs, GOMAXPROCS %d: ours %.2f s, test AUC %.5f", ntrain, forestCols, mlpHidden, net.Epochs, runtime.GOMAXPROCS(0), oursS, auc)
	if peerErr != nil {
		b.Log(line + "; " + peerErr.Error())
		return
	}
	theirS := median(theirs)
	ratio := oursS / theirS
	dAUC := math.Abs(auc - res.AUC)
	b.ReportMetric(theirS, "sklearn_s/op")
	b.ReportMetric(ratio, "x_vs_sklearn")
	b.ReportMetric(res.AUC, "sklearn_auc")
	b.Logf("%s; sklearn %s %.2f s (%d epochs), test AUC %.5f → time %.2f× sklearn's (goal ≤ %.2f: %s), |ΔAUC| %.2g (goal ≤ %g: %s)",
		line, res.Sklearn, theirS, res.NIter, res.AUC, ratio, goalRatio, Met(ratio <= goalRatio), dAUC, goalMLPAUC, Met(dAUC <= goalMLPAUC))
}
