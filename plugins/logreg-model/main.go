// Command logreg-model is a Marketbench model plugin: binary logistic
// regression (L2, analytics/logistic, which matches scikit-learn's lbfgs
// solver) on numeric columns, after median imputation of missing values and
// standard scaling (analytics/prep). Predict returns P(target = 1).
//
// The artifact is versioned JSON holding everything Predict needs: the
// feature names (Predict matches columns by name, not position), the
// medians, the scaler's means and scales, and the coefficients. Go's JSON
// writes float64 in the shortest form that reads back to the same bits, so
// a stored model scores exactly as the trained one.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/logistic"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/sdk"
)

// Plugin is the plugin this binary serves.
var Plugin = sdk.Plugin{ID: "marketbench.org/logreg-model", Version: "1.0.0", Models: []sdk.Model{model{}}}

func main() { sdk.Serve(Plugin) }

type model struct{}

func (model) Spec() sdk.Component {
	return sdk.Component{
		Name:        "logreg",
		Title:       "Logistic regression",
		Description: "Scores the probability of a yes/no outcome from numeric columns. Missing values are filled with the training median; columns are standardised.",
		Config: []sdk.Field{
			{Name: "C", Type: sdk.Float, Title: "Inverse regularisation (C)", Default: "1",
				Help: "Smaller values shrink the coefficients more (L2 penalty ‖w‖²/2C, as in scikit-learn)."},
			{Name: "balanced", Type: sdk.Bool, Title: "Balance the classes", Default: "false",
				Help: "Weight each class by rows/(2·class rows), for rare outcomes."},
			{Name: "features", Type: sdk.String, Title: "Feature columns",
				Help: "Comma-separated column names. Empty: every numeric or true/false column except the target."},
			{Name: "max_iter", Type: sdk.Int, Title: "Maximum iterations", Default: "100", Advanced: true},
		},
	}
}

func (model) Task() string { return sdk.Classification }

// Artifact is what Train returns and Predict reads.
type Artifact struct {
	Format   string   `json:"format"`
	Version  int      `json:"version"`
	Target   string   `json:"target"`
	Features []string `json:"features"`
	// Median fills a missing value of each feature; Mean and Scale then
	// standardise it: (x − Mean) / Scale.
	Median    []float64 `json:"median"`
	Mean      []float64 `json:"mean"`
	Scale     []float64 `json:"scale"`
	Intercept float64   `json:"intercept"`
	Coef      []float64 `json:"coef"`
	// What it was trained with, for the user's reference.
	C          float64 `json:"c"`
	Balanced   bool    `json:"balanced"`
	Rows       int     `json:"rows"`
	Converged  bool    `json:"converged"`
	Iterations int     `json:"iterations"`
}

const (
	artifactFormat  = "marketbench.org/logreg"
	artifactVersion = 1
)

func (model) Train(ctx context.Context, cfg sdk.Config, target string, rows array.RecordReader) ([]byte, map[string]float64, error) {
	c := cfg.Float("C", 1)
	if !(c > 0) || math.IsInf(c, 0) {
		return nil, nil, fmt.Errorf("C must be a positive number, not %v", cfg.String("C"))
	}
	schema := rows.Schema()
	ti := schema.FieldIndices(target)
	if len(ti) == 0 {
		return nil, nil, fmt.Errorf("no column %q (the target) in the training rows", target)
	}
	features, err := chooseFeatures(schema, target, cfg.String("features"))
	if err != nil {
		return nil, nil, err
	}
	idx, err := columns(schema, features)
	if err != nil {
		return nil, nil, err
	}
	k := len(features)
	var data, y []float64
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rec := rows.RecordBatch()
		n := int(rec.NumRows())
		first := len(y)
		ys, err := labels(rec.Column(ti[0]), target, first)
		if err != nil {
			return nil, nil, err
		}
		y = append(y, ys...)
		data = slices.Grow(data, n*k)[:(first+n)*k]
		if err := fill(data[first*k:], rec, idx, features, first); err != nil {
			return nil, nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	n := len(y)
	if n == 0 {
		return nil, nil, errors.New("there are no training rows")
	}
	X := mat.NewDense(n, k, data)
	for j, f := range features {
		if !slices.ContainsFunc(mat.Col(nil, j, X), func(v float64) bool { return !math.IsNaN(v) }) {
			return nil, nil, fmt.Errorf("the column %q has no values", f)
		}
	}
	imp := prep.Imputer{Strategy: prep.Median}
	if err := imp.Fit(X); err != nil {
		return nil, nil, err
	}
	Xi, err := imp.Transform(X)
	if err != nil {
		return nil, nil, err
	}
	var sc prep.StandardScaler
	if err := sc.Fit(Xi); err != nil {
		return nil, nil, err
	}
	Xs, err := sc.Transform(Xi)
	if err != nil {
		return nil, nil, err
	}
	opt := logistic.Options{C: c, Balanced: cfg.Bool("balanced", false), MaxIter: cfg.Int("max_iter", 100)}
	m, err := logistic.Fit(Xs, y, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("fitting the model: %w", err)
	}
	p := m.PredictProba(Xs)
	yi := make([]int, n)
	pos := 0
	for i, v := range y {
		yi[i] = int(v)
		pos += yi[i]
	}
	auc, err := eval.ROCAUC(yi, p)
	if err != nil {
		return nil, nil, err
	}
	art, err := json.Marshal(Artifact{Format: artifactFormat, Version: artifactVersion, Target: target, Features: features,
		Median: imp.Stats, Mean: sc.Mean, Scale: sc.Scale, Intercept: m.Intercept, Coef: m.Coef,
		C: c, Balanced: opt.Balanced, Rows: n, Converged: m.Converged, Iterations: m.Iterations})
	if err != nil {
		return nil, nil, err
	}
	conv := 0.0
	if m.Converged {
		conv = 1
	}
	return art, map[string]float64{"auc": auc, "rows": float64(n), "positive_rate": float64(pos) / float64(n),
		"features": float64(k), "iterations": float64(m.Iterations), "converged": conv}, nil
}

func (model) Predict(ctx context.Context, raw []byte, rows array.RecordReader, out sdk.RecordWriter) error {
	var a Artifact
	if err := json.Unmarshal(raw, &a); err != nil || a.Format != artifactFormat {
		return errors.New("the stored model is not a logistic regression model of this plugin")
	}
	k := len(a.Features)
	if a.Version != artifactVersion || k == 0 || len(a.Coef) != k || len(a.Median) != k || len(a.Mean) != k || len(a.Scale) != k {
		return fmt.Errorf("the stored model (format version %d) cannot be read by this plugin version; train it again", a.Version)
	}
	idx, err := columns(rows.Schema(), a.Features)
	if err != nil {
		return err
	}
	// Median imputation then standard scaling, in place (the same arithmetic
	// as Transform, so the same scores), then the model, on blocks of rows
	// small enough to stay in cache through all three steps.
	pipe := prep.Pipeline{Steps: []prep.Step{
		{Impute: &prep.Imputer{Strategy: prep.Median, Stats: a.Median}},
		{Standard: &prep.StandardScaler{Mean: a.Mean, Scale: a.Scale}},
	}}
	m := logistic.Model{Intercept: a.Intercept, Coef: a.Coef}
	buf := make([]float64, scoreBlock*k)
	done := 0
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec := rows.RecordBatch()
		n := int(rec.NumRows())
		cols := featureColumns(rec, idx, a.Features, done)
		scores := make([]float64, n)
		for lo := 0; lo < n; lo += scoreBlock {
			b := min(scoreBlock, n-lo)
			X := mat.NewDense(b, k, buf[:b*k])
			if err := cols.fill(X.RawMatrix().Data, lo, b); err != nil {
				return err
			}
			Xs, err := pipe.TransformOwned(X, nil)
			if err != nil {
				return err
			}
			copy(scores[lo:], m.PredictProba(Xs))
		}
		// The scores become the column as they are, without a copy.
		col := array.NewFloat64Data(array.NewData(arrow.PrimitiveTypes.Float64, n,
			[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(scores))}, nil, 0, 0))
		batch := array.NewRecordBatch(sdk.ScoreSchema, []arrow.Array{col}, int64(n))
		err := out.Write(batch)
		batch.Release()
		col.Release()
		if err != nil {
			return err
		}
		done += n
	}
	return rows.Err()
}

// chooseFeatures returns the configured feature columns, or every numeric
// column other than the target.
func chooseFeatures(schema *arrow.Schema, target, setting string) ([]string, error) {
	var out []string
	if strings.TrimSpace(setting) != "" {
		for f := range strings.SplitSeq(setting, ",") {
			f = strings.TrimSpace(f)
			switch {
			case f == "":
			case f == target:
				return nil, fmt.Errorf("the target %q cannot also be a feature", f)
			case !slices.Contains(out, f):
				out = append(out, f)
			}
		}
		return out, nil
	}
	for _, f := range schema.Fields() {
		if f.Name != target && numeric(f.Type) {
			out = append(out, f.Name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no numeric columns to learn from besides the target %q", target)
	}
	return out, nil
}

// columns finds the features in schema by name and checks their types.
func columns(schema *arrow.Schema, features []string) ([]int, error) {
	idx := make([]int, len(features))
	var missing, wrong []string
	for j, f := range features {
		i := schema.FieldIndices(f)
		switch {
		case len(i) == 0:
			missing = append(missing, fmt.Sprintf("%q", f))
		case !numeric(schema.Field(i[0]).Type):
			wrong = append(wrong, fmt.Sprintf("%q (%s)", f, schema.Field(i[0]).Type))
		default:
			idx[j] = i[0]
		}
	}
	switch {
	case len(missing) > 0:
		return nil, fmt.Errorf("the rows lack the feature column(s) %s that the model uses (%s)", strings.Join(missing, ", "), strings.Join(features, ", "))
	case len(wrong) > 0:
		return nil, fmt.Errorf("feature column(s) %s are not numbers or true/false", strings.Join(wrong, ", "))
	}
	return idx, nil
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL:
		return true
	}
	return false
}

// fill writes the feature columns of rec into dst, row-major, with NaN for
// a null; first is the number of rows before rec, for messages.
func fill(dst []float64, rec arrow.RecordBatch, idx []int, names []string, first int) error {
	return featureColumns(rec, idx, names, first).fill(dst, 0, int(rec.NumRows()))
}

// scoreBlock is how many rows Predict takes through imputation, scaling and
// the model at a time: 512 rows × 20 features is 80 KB.
const scoreBlock = 512

// featureCols are a batch's feature columns as float64. A float64 column
// is read in place, its nulls becoming NaN as it is copied into a block.
type featureCols struct {
	vals  [][]float64
	valid [][]byte // validity bitmap of a float64 column with nulls
	off   []int    // and its offset in bits
	names []string
	first int // rows before this batch, for messages
}

func featureColumns(rec arrow.RecordBatch, idx []int, names []string, first int) featureCols {
	k := len(idx)
	f := featureCols{vals: make([][]float64, k), valid: make([][]byte, k), off: make([]int, k), names: names, first: first}
	for j, ci := range idx {
		a := rec.Column(ci)
		if c, ok := a.(*array.Float64); ok {
			f.vals[j] = c.Float64Values()
			if a.NullN() > 0 {
				f.valid[j], f.off[j] = a.NullBitmapBytes(), a.Data().Offset()
			}
		} else {
			f.vals[j] = values(a) // NaN for null
		}
	}
	return f
}

// fill writes rows lo to lo+n into dst, row-major, with NaN for a null; an
// infinite value is an error.
func (f featureCols) fill(dst []float64, lo, n int) error {
	k := len(f.vals)
	for j, col := range f.vals {
		valid, off := f.valid[j], f.off[j]+lo
		for i, x := range col[lo : lo+n] {
			if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
				x = math.NaN()
			} else if math.IsInf(x, 0) {
				return fmt.Errorf("the column %q is infinite in row %d", f.names[j], f.first+lo+i+1)
			}
			dst[i*k+j] = x
		}
	}
	return nil
}

// values returns a numeric or boolean column as float64, NaN for null.
func values(a arrow.Array) []float64 {
	out := make([]float64, a.Len())
	switch c := a.(type) {
	case *array.Float64:
		copy(out, c.Float64Values())
	case *array.Float32:
		conv(out, c.Float32Values())
	case *array.Int64:
		conv(out, c.Int64Values())
	case *array.Int32:
		conv(out, c.Int32Values())
	case *array.Int16:
		conv(out, c.Int16Values())
	case *array.Int8:
		conv(out, c.Int8Values())
	case *array.Uint64:
		conv(out, c.Uint64Values())
	case *array.Uint32:
		conv(out, c.Uint32Values())
	case *array.Uint16:
		conv(out, c.Uint16Values())
	case *array.Uint8:
		conv(out, c.Uint8Values())
	case *array.Boolean:
		for i := range out {
			if c.Value(i) {
				out[i] = 1
			}
		}
	}
	for i := range out {
		if a.IsNull(i) {
			out[i] = math.NaN()
		}
	}
	return out
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// labels reads the target column as 0/1: numbers 0 and 1, true/false, or
// text 1/0, true/false, yes/no, y/n (any case).
func labels(a arrow.Array, target string, first int) ([]float64, error) {
	out := make([]float64, a.Len())
	bad := func(i int, v any) error {
		return fmt.Errorf("the target %q is %v in row %d; it must be 0/1, true/false or yes/no", target, v, first+i+1)
	}
	for i := range out {
		if a.IsNull(i) {
			return nil, fmt.Errorf("the target %q is empty in row %d", target, first+i+1)
		}
	}
	switch c := a.(type) {
	case *array.String, *array.LargeString, *array.StringView:
		for i := range out {
			switch s := strings.ToLower(strings.TrimSpace(c.ValueStr(i))); s {
			case "1", "true", "yes", "y":
				out[i] = 1
			case "0", "false", "no", "n":
			default:
				return nil, bad(i, fmt.Sprintf("%q", c.ValueStr(i)))
			}
		}
		return out, nil
	}
	if !numeric(a.DataType()) {
		return nil, fmt.Errorf("the target %q is of type %s; it must be 0/1, true/false or yes/no", target, a.DataType())
	}
	for i, v := range values(a) {
		if v != 0 && v != 1 {
			return nil, bad(i, v)
		}
		out[i] = v
	}
	return out, nil
}
