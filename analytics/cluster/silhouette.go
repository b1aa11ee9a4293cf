package cluster

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/msg"
)

// SilhouetteOptions configures Silhouette.
type SilhouetteOptions struct {
	// SampleSize, when in (0, n), scores a random subset of that many rows,
	// as sklearn's sample_size: the cost falls from O(n²) to O(size²). The
	// subset differs from sklearn's, which uses NumPy's RNG.
	SampleSize int
	Seed       uint64
}

// Silhouette returns the mean silhouette coefficient of the rows of X under
// labels, with Euclidean distances, as sklearn's silhouette_score. Labels
// are any ints; rows alone in their cluster score 0. It needs between 2 and
// n−1 distinct labels (among the sampled rows).
func Silhouette(X *mat.Dense, labels []int, opt SilhouetteOptions) (float64, error) {
	n, d := X.Dims()
	if len(labels) != n {
		return 0, msg.Errorf("cluster: X has %d rows but there are %d labels", n, len(labels))
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	if opt.SampleSize < 0 {
		return 0, msg.Errorf("cluster: SampleSize must be ≥ 0, got %d", opt.SampleSize)
	}
	if opt.SampleSize > 0 && opt.SampleSize < n {
		rng := rand.New(rand.NewPCG(opt.Seed, 0x2545f4914f6cdd1d))
		rng.Shuffle(n, func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		rows = rows[:opt.SampleSize]
		slices.Sort(rows) // scan memory in order
	}
	m := len(rows)

	// Map labels to dense ids 0..k-1.
	ids := make(map[int]int)
	lab := make([]int, m)
	for a, i := range rows {
		id, ok := ids[labels[i]]
		if !ok {
			id = len(ids)
			ids[labels[i]] = id
		}
		lab[a] = id
	}
	k := len(ids)
	if k < 2 || k > m-1 {
		return 0, msg.Errorf("cluster: silhouette needs 2 to %d distinct labels, got %d", m-1, k)
	}
	size := make([]int, k)
	for _, l := range lab {
		size[l]++
	}
	x := make([]float64, m*d)
	for a, i := range rows {
		for j, v := range X.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, msg.Errorf("cluster: X[%d,%d] is %v", i, j, v)
			}
			x[a*d+j] = v
		}
	}

	// Each row's score depends only on its own sums, so rows split across
	// goroutines freely; the final mean adds them in row order.
	score := make([]float64, m)
	workers := min(runtime.GOMAXPROCS(0), m)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			sum := make([]float64, k)
			for a := w; a < m; a += workers {
				clear(sum)
				ra := x[a*d : (a+1)*d]
				for b := range m {
					sum[lab[b]] += math.Sqrt(sqDist(ra, x[b*d:(b+1)*d]))
				}
				own := lab[a]
				if size[own] == 1 {
					continue // sklearn: 0 for singletons
				}
				in := sum[own] / float64(size[own]-1)
				out := math.Inf(1)
				for c, s := range sum {
					if c != own {
						out = min(out, s/float64(size[c]))
					}
				}
				score[a] = (out - in) / max(in, out)
			}
		})
	}
	wg.Wait()
	var t float64
	for _, v := range score {
		t += v
	}
	return t / float64(m), nil
}

// Elbow returns the inertia of KMeans on X for each k in ks, for an elbow
// plot. opt applies to every run; its K and Init are ignored.
func Elbow(X *mat.Dense, ks []int, opt Options) ([]float64, error) {
	if len(ks) == 0 {
		return nil, msg.Errorf("cluster: no k given")
	}
	opt.Init = nil
	out := make([]float64, len(ks))
	for i, k := range ks {
		opt.K = k
		r, err := KMeans(X, opt)
		if err != nil {
			return nil, err
		}
		out[i] = r.Inertia
	}
	return out, nil
}

// Profile describes one cluster for display.
type Profile struct {
	Cluster int
	Size    int
	Share   float64   // Size / rows
	Mean    []float64 // per feature; NaN when the cluster is empty
}

// Profiles summarises the k clusters of labels (values 0..k-1) over X.
func Profiles(X *mat.Dense, labels []int, k int) ([]Profile, error) {
	n, d := X.Dims()
	if len(labels) != n {
		return nil, msg.Errorf("cluster: X has %d rows but there are %d labels", n, len(labels))
	}
	if k < 1 {
		return nil, msg.Errorf("cluster: k must be ≥ 1, got %d", k)
	}
	ps := make([]Profile, k)
	for c := range ps {
		ps[c] = Profile{Cluster: c, Mean: make([]float64, d)}
	}
	for i, l := range labels {
		if l < 0 || l >= k {
			return nil, msg.Errorf("cluster: label %d of row %d is outside 0..%d", l, i, k-1)
		}
		p := &ps[l]
		p.Size++
		for j, v := range X.RawRowView(i) {
			p.Mean[j] += v
		}
	}
	for c := range ps {
		p := &ps[c]
		p.Share = float64(p.Size) / float64(n)
		for j := range p.Mean {
			p.Mean[j] /= float64(p.Size) // 0/0 = NaN for an empty cluster
		}
	}
	return ps, nil
}
