// Package bench holds what the model benchmarks share: deterministic data
// sets written once as raw little-endian float64 files to a cache folder (so
// numpy reads the very same values with np.fromfile), sizes overridable from
// the environment, and the scikit-learn peer (peers.py, run with Debian's
// python3).
//
// It depends on no other Marketbench package, as analytics packages must not.
// The benchmarks live in its _test files and run only with -bench; see
// docs/BENCHMARKS.md.
package bench

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/bench/kit"
)

// genVersion is part of every cached file name; bump it when a generator
// changes so stale files are not reused.
const genVersion = 1

// Data is a data set: X (rows × cols) and, for classification, 0/1 labels,
// with the paths of the raw float64 files holding them.
type Data struct {
	X     *mat.Dense
	Y     []int // nil for unlabelled data
	XPath string
	YPath string // "" for unlabelled data
}

// Split returns the first n rows of d and the rest (views, no copies).
func (d *Data) Split(n int) (xa *mat.Dense, ya []int, xb *mat.Dense, yb []int) {
	r, c := d.X.Dims()
	xa = d.X.Slice(0, n, 0, c).(*mat.Dense)
	xb = d.X.Slice(n, r, 0, c).(*mat.Dense)
	if d.Y != nil {
		ya, yb = d.Y[:n], d.Y[n:]
	}
	return xa, ya, xb, yb
}

// dataset returns the cached data set name, generating it with gen when
// the files are missing. gen fills x (row-major rows×cols) and y (nil when
// labels is false). The files are written to a temporary name and renamed,
// so an interrupted run never leaves half a file.
func dataset(name string, rows, cols int, labels bool, gen func(x, y []float64)) (*Data, error) {
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	base := filepath.Join(dir, fmt.Sprintf("%s-v%d-%dx%d", name, genVersion, rows, cols))
	d := &Data{XPath: base + ".X.f64"}
	if labels {
		d.YPath = base + ".y.f64"
	}
	x := make([]float64, rows*cols)
	var y []float64
	if labels {
		y = make([]float64, rows)
	}
	if readF64(d.XPath, x) != nil || (labels && readF64(d.YPath, y) != nil) {
		gen(x, y)
		if err := writeF64(d.XPath, x); err != nil {
			return nil, err
		}
		if labels {
			if err := writeF64(d.YPath, y); err != nil {
				return nil, err
			}
		}
	}
	d.X = mat.NewDense(rows, cols, x)
	if labels {
		d.Y = make([]int, rows)
		for i, v := range y {
			d.Y[i] = int(v)
		}
	}
	return d, nil
}

// readF64 fills v from a raw little-endian float64 file of exactly that
// many values.
func readF64(path string, v []float64) error {
	return readLE(path, len(v), 8, func(b []byte, i int) {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b))
	})
}

// writeF64 writes v as raw little-endian float64 (numpy dtype "<f8").
func writeF64(path string, v []float64) error {
	return writeLE(path, len(v), 8, func(b []byte, i int) {
		binary.LittleEndian.PutUint64(b, math.Float64bits(v[i]))
	})
}

// readLE reads a raw file of exactly n values of size bytes each, handing
// value i's bytes to get.
func readLE(path string, n, size int, get func(b []byte, i int)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) != size*n {
		return fmt.Errorf("%s: %d bytes, want %d", path, len(b), size*n)
	}
	for i := range n {
		get(b[size*i:size*i+size], i)
	}
	return nil
}

// writeLE writes n values of size bytes each, encoded by put, to a
// temporary file renamed into place, so an interrupted run never leaves
// half a file.
func writeLE(path string, n, size int, put func(b []byte, i int)) error {
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	buf := make([]byte, size)
	for i := range n {
		put(buf, i)
		w.Write(buf)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// WriteMatrix writes m (row-major) to the cache folder under name, for a
// small matrix the peer must share, such as initial centres.
func WriteMatrix(name string, m *mat.Dense) (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	r, c := m.Dims()
	v := make([]float64, 0, r*c)
	for i := range r {
		v = append(v, m.RawRowView(i)...)
	}
	path := filepath.Join(dir, name)
	return path, writeF64(path, v)
}

// LogisticCoef and LogisticIntercept define the model that labels
// LogisticData: P(y=1|x) = σ(LogisticIntercept + x·LogisticCoef).
func LogisticCoef(cols int) []float64 {
	w := make([]float64, cols)
	for j := range w {
		w[j] = 0.25 * float64(j%7-3) // −0.75 … 0.75, some exactly 0
	}
	return w
}

// LogisticIntercept is the intercept of the labelling model.
const LogisticIntercept = -0.4

// LogisticData returns rows × cols standard normal features and labels
// drawn from the known logistic model (LogisticCoef, LogisticIntercept).
// The same rows and cols give the same values on every machine.
func LogisticData(rows, cols int) (*Data, error) {
	return dataset("logistic", rows, cols, true, func(x, y []float64) {
		r := rand.New(rand.NewPCG(1, uint64(cols)))
		w := LogisticCoef(cols)
		for i := range rows {
			row := x[i*cols : (i+1)*cols]
			z := LogisticIntercept
			for j := range row {
				row[j] = r.NormFloat64()
				z += row[j] * w[j]
			}
			if r.Float64() < 1/(1+math.Exp(-z)) {
				y[i] = 1
			}
		}
	})
}

// BlobData returns rows × cols points around k Gaussian centres of unequal
// spread and size (cluster c gets weight c+1), for k-means. Rows are
// shuffled by construction: each row draws its cluster.
func BlobData(rows, cols, k int) (*Data, error) {
	return dataset(fmt.Sprintf("blobs%d", k), rows, cols, false, func(x, _ []float64) {
		r := rand.New(rand.NewPCG(2, uint64(cols*1000+k)))
		centres := make([]float64, k*cols)
		for i := range centres {
			centres[i] = 8 * (r.Float64() - 0.5)
		}
		total := k * (k + 1) / 2
		for i := range rows {
			u := r.IntN(total)
			c := 0
			for u >= c+1 {
				u -= c + 1
				c++
			}
			sd := 0.6 + 0.15*float64(c)
			for j := range cols {
				x[i*cols+j] = centres[c*cols+j] + sd*r.NormFloat64()
			}
		}
	})
}

// ForestData returns rows × cols standard normal features with labels from
// a non-linear rule (interactions, thresholds, a ring) plus 10% label
// noise, so a forest has something to find that a linear model misses.
func ForestData(rows, cols int) (*Data, error) {
	if cols < 6 {
		return nil, fmt.Errorf("ForestData needs at least 6 columns, got %d", cols)
	}
	return dataset("forest", rows, cols, true, func(x, y []float64) {
		r := rand.New(rand.NewPCG(3, uint64(cols)))
		for i := range rows {
			row := x[i*cols : (i+1)*cols]
			for j := range row {
				row[j] = r.NormFloat64()
			}
			s := 0.0
			if row[0] > 0.3 && row[1] < 0.5 {
				s++
			}
			if row[2]*row[3] > 0.2 {
				s++
			}
			if row[4]*row[4]+row[5]*row[5] < 1 {
				s++
			}
			s += 0.5 * math.Tanh(row[0]+row[2])
			lab := s >= 1.5
			if r.Float64() < 0.1 {
				lab = !lab
			}
			if lab {
				y[i] = 1
			}
		}
	})
}

//go:embed peers.py
var peersPy []byte

// ErrNoSklearn means the scikit-learn peer cannot run here; the benchmark
// still measures ours and says that the peer was skipped.
var ErrNoSklearn = errors.New("scikit-learn peer skipped")

// PeerResult is what peers.py prints; fields a mode does not fill stay zero.
type PeerResult struct {
	FitSeconds   float64   `json:"fit_seconds"`
	ScoreSeconds *float64  `json:"score_seconds"`
	AUC          float64   `json:"auc"`
	Inertia      float64   `json:"inertia"`
	NIter        int       `json:"n_iter"`
	Nodes        int       `json:"nodes"`
	Intercept    float64   `json:"intercept"`
	Coef         []float64 `json:"coef"`
	Sklearn      string    `json:"sklearn"`
	Error        string    `json:"error"`
}

// Sklearn runs peers.py with a mode and its arguments and decodes its JSON.
// It returns an error wrapping ErrNoSklearn when Python or scikit-learn is
// missing.
func Sklearn(ctx context.Context, mode string, args ...string) (*PeerResult, error) {
	var res PeerResult
	if err := kit.RunPeer(ctx, peersPy, ErrNoSklearn, &res, mode, args...); err != nil {
		return nil, err
	}
	return &res, nil
}

// Met is "met" or "MISSED", for report lines.
func Met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// Size and CacheDir are shared with the storage benchmarks.
var (
	Size     = kit.Size
	CacheDir = kit.CacheDir
)
