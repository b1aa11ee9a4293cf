package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gonum.org/v1/gonum/mat"

	"github.com/marketbench/marketbench/analytics/eval"
	"github.com/marketbench/marketbench/analytics/logistic"
	"github.com/marketbench/marketbench/analytics/prep"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

func TestManifestMatchesPlugin(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, bin := range m.Binaries { // the release build fills the hash
		bin.SHA256 = strings.Repeat("0", 64)
		m.Binaries[k] = bin
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) ||
		len(m.NetworkHosts) != 0 || m.Binaries["linux/amd64"].Path != "logreg-model" {
		t.Errorf("manifest %+v does not match the plugin", m)
	}
}

// telco is the IBM Telco churn data: three numeric columns, TotalCharges
// (blank for 11 new customers: real missing values for the imputer) and
// the Yes/No target Churn.
type telco struct {
	tenure, senior                  []int64
	monthly, total                  []float64
	totalOK                         []bool
	churn                           []string
	X                               *mat.Dense // raw features, NaN for missing
	y                               []float64
	batch                           int
	features                        []string
	withTarget, withoutTarget, nota *arrow.Schema
}

func loadTelco(t *testing.T) *telco {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "real", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("no column %s", name)
		}
		return i
	}
	iT, iM, iS, iTC, iC := col("tenure"), col("MonthlyCharges"), col("SeniorCitizen"), col("TotalCharges"), col("Churn")
	d := &telco{batch: 1000, features: []string{"tenure", "MonthlyCharges", "SeniorCitizen", "TotalCharges"}}
	n := len(recs) - 1
	d.X = mat.NewDense(n, 4, nil)
	for i, r := range recs[1:] {
		ten, err1 := strconv.ParseInt(r[iT], 10, 64)
		mon, err2 := strconv.ParseFloat(r[iM], 64)
		sen, err3 := strconv.ParseInt(r[iS], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			t.Fatalf("row %d: %v", i+2, err)
		}
		tot, err := strconv.ParseFloat(strings.TrimSpace(r[iTC]), 64)
		d.tenure, d.monthly, d.senior = append(d.tenure, ten), append(d.monthly, mon), append(d.senior, sen)
		d.total, d.totalOK, d.churn = append(d.total, tot), append(d.totalOK, err == nil), append(d.churn, r[iC])
		if err != nil {
			tot = math.NaN()
		}
		d.X.SetRow(i, []float64{float64(ten), mon, float64(sen), tot})
		d.y = append(d.y, map[string]float64{"Yes": 1, "No": 0}[r[iC]])
	}
	fields := []arrow.Field{{Name: "tenure", Type: arrow.PrimitiveTypes.Int64}, {Name: "MonthlyCharges", Type: arrow.PrimitiveTypes.Float64},
		{Name: "SeniorCitizen", Type: arrow.PrimitiveTypes.Int64}, {Name: "TotalCharges", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}
	d.withoutTarget = arrow.NewSchema(fields, nil)
	d.withTarget = arrow.NewSchema(append(slices.Clone(fields), arrow.Field{Name: "Churn", Type: arrow.BinaryTypes.String}), nil)
	d.nota = arrow.NewSchema(slices.Delete(slices.Clone(fields), 1, 2), nil) // without MonthlyCharges
	return d
}

// reader returns the rows as Arrow batches of d.batch rows in schema s,
// filling the columns s has, by name.
func (d *telco) reader(t *testing.T, s *arrow.Schema) array.RecordReader {
	t.Helper()
	var recs []arrow.RecordBatch
	for lo := 0; lo < len(d.y); lo += d.batch {
		hi := min(lo+d.batch, len(d.y))
		b := array.NewRecordBuilder(memory.DefaultAllocator, s)
		for j, f := range s.Fields() {
			switch f.Name {
			case "tenure":
				b.Field(j).(*array.Int64Builder).AppendValues(d.tenure[lo:hi], nil)
			case "SeniorCitizen":
				b.Field(j).(*array.Int64Builder).AppendValues(d.senior[lo:hi], nil)
			case "MonthlyCharges":
				b.Field(j).(*array.Float64Builder).AppendValues(d.monthly[lo:hi], nil)
			case "TotalCharges":
				b.Field(j).(*array.Float64Builder).AppendValues(d.total[lo:hi], d.totalOK[lo:hi])
			case "Churn":
				b.Field(j).(*array.StringBuilder).AppendValues(d.churn[lo:hi], nil)
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	rr, err := array.NewRecordReader(s, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rr
}

func (d *telco) labels() []int {
	out := make([]int, len(d.y))
	for i, v := range d.y {
		out[i] = int(v)
	}
	return out
}

// reference fits the same pipeline with the analytics packages directly.
func (d *telco) reference(t *testing.T, opt logistic.Options) (*mat.Dense, *logistic.Model) {
	t.Helper()
	imp := prep.Imputer{Strategy: prep.Median}
	var sc prep.StandardScaler
	if err := imp.Fit(d.X); err != nil {
		t.Fatal(err)
	}
	Xi, _ := imp.Transform(d.X)
	if err := sc.Fit(Xi); err != nil {
		t.Fatal(err)
	}
	Xs, _ := sc.Transform(Xi)
	m, err := logistic.Fit(Xs, d.y, opt)
	if err != nil {
		t.Fatal(err)
	}
	return Xs, m
}

func conformance(t *testing.T, conn *client.Conn, d *telco, cfg sdk.Config) ([]byte, map[string]float64, []float64) {
	t.Helper()
	return plugintest.Model(t, conn, plugintest.ModelCase{Component: "logreg", Config: cfg, Target: "Churn",
		Rows:     func() array.RecordReader { return d.reader(t, d.withTarget) },
		Features: func() array.RecordReader { return d.reader(t, d.withoutTarget) }})
}

func TestTelcoChurn(t *testing.T) {
	d := loadTelco(t)
	conn := plugintest.InProcess(t, Plugin)
	art, metrics, scores := conformance(t, conn, d, nil)
	if len(scores) != len(d.y) || metrics["rows"] != float64(len(d.y)) || metrics["features"] != 4 {
		t.Fatalf("%d scores for %d rows, metrics %v", len(scores), len(d.y), metrics)
	}
	auc, err := eval.ROCAUC(d.labels(), scores)
	if err != nil {
		t.Fatal(err)
	}
	// Tenure and charges alone rank churners well (about 0.8 on this data).
	if auc < 0.7 || auc > 0.95 || math.Abs(auc-metrics["auc"]) > 1e-12 {
		t.Errorf("AUC of the scores %v, reported %v", auc, metrics["auc"])
	}
	t.Logf("metrics %v", metrics)

	// The artifact scores exactly as analytics/logistic does on the same
	// imputed and scaled matrix: Arrow both ways and JSON lose nothing.
	var a Artifact
	if err := json.Unmarshal(art, &a); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Features, d.features) || a.Target != "Churn" || a.Version != 1 {
		t.Errorf("artifact %+v", a)
	}
	Xs, ref := d.reference(t, logistic.Options{C: 1})
	want := ref.PredictProba(Xs)
	for i := range want {
		if math.Abs(want[i]-scores[i]) > 1e-12 {
			t.Fatalf("row %d: score %v, analytics/logistic %v", i, scores[i], want[i])
		}
	}
	if !slices.Equal(a.Coef, ref.Coef) || a.Intercept != ref.Intercept {
		t.Errorf("coefficients %v %v, reference %v %v", a.Coef, a.Intercept, ref.Coef, ref.Intercept)
	}

	// One score batch per input batch, in order.
	batches := 0
	err = conn.Predict(context.Background(), "logreg", art, d.reader(t, d.withoutTarget), func([]float64) error { batches++; return nil })
	if err != nil || batches != (len(d.y)+d.batch-1)/d.batch {
		t.Errorf("%d score batches, %v", batches, err)
	}

	// A missing feature is named.
	err = conn.Predict(context.Background(), "logreg", art, d.reader(t, d.nota), func([]float64) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `lack the feature column(s) "MonthlyCharges"`) {
		t.Errorf("predict without MonthlyCharges: %v", err)
	}
}

func TestOptions(t *testing.T) {
	d := loadTelco(t)
	conn := plugintest.InProcess(t, Plugin)
	cfg := sdk.Config{"C": "0.05", "balanced": "true", "features": "tenure, MonthlyCharges"}
	art, _, scores := conformance(t, conn, d, cfg)
	var a Artifact
	json.Unmarshal(art, &a)
	if !slices.Equal(a.Features, []string{"tenure", "MonthlyCharges"}) || !a.Balanced || a.C != 0.05 {
		t.Errorf("artifact %+v", a)
	}
	X := mat.DenseCopyOf(d.X.Slice(0, len(d.y), 0, 2))
	var sc prep.StandardScaler
	sc.Fit(X)
	Xs, _ := sc.Transform(X)
	ref, err := logistic.Fit(Xs, d.y, logistic.Options{C: 0.05, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ref.PredictProba(Xs) {
		if math.Abs(p-scores[i]) > 1e-12 {
			t.Fatalf("row %d: score %v, analytics/logistic %v", i, scores[i], p)
		}
	}
}

// small builds a one-batch reader of a numeric x and a target column.
func small(t *testing.T, target arrow.Field, fill func(array.Builder)) array.RecordReader {
	s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}, target}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 2, 3, 4}, nil)
	fill(b.Field(1))
	rec := b.NewRecordBatch()
	rr, err := array.NewRecordReader(s, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	return rr
}

func TestTargets(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	ctx := context.Background()
	ok := map[string]array.RecordReader{
		"bool": small(t, arrow.Field{Name: "y", Type: arrow.FixedWidthTypes.Boolean}, func(b array.Builder) {
			b.(*array.BooleanBuilder).AppendValues([]bool{false, true, false, true}, nil)
		}),
		"int": small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{0, 1, 0, 1}, nil)
		}),
		"text": small(t, arrow.Field{Name: "y", Type: arrow.BinaryTypes.String}, func(b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"no", " YES", "False", "1"}, nil)
		}),
	}
	for name, rows := range ok {
		if _, m, err := conn.Train(ctx, "logreg", nil, "y", rows); err != nil || m["rows"] != 4 {
			t.Errorf("%s target: %v %v", name, m, err)
		}
	}
	bad := map[string]struct {
		rows array.RecordReader
		want string
	}{
		"two": {small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Float64}, func(b array.Builder) {
			b.(*array.Float64Builder).AppendValues([]float64{0, 1, 2, 1}, nil)
		}), `the target "y" is 2 in row 3`},
		"maybe": {small(t, arrow.Field{Name: "y", Type: arrow.BinaryTypes.String}, func(b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"yes", "no", "maybe", "no"}, nil)
		}), `the target "y" is "maybe" in row 3`},
		"null": {small(t, arrow.Field{Name: "y", Type: arrow.BinaryTypes.String, Nullable: true}, func(b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"yes", "no", "", "no"}, []bool{true, true, true, false})
		}), `the target "y" is empty in row 4`},
	}
	for name, c := range bad {
		if _, _, err := conn.Train(ctx, "logreg", nil, "y", c.rows); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	rows := small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
		b.(*array.Int64Builder).AppendValues([]int64{0, 1, 0, 1}, nil)
	})
	if _, _, err := conn.Train(ctx, "logreg", nil, "churn", rows); err == nil || !strings.Contains(err.Error(), `no column "churn"`) {
		t.Errorf("missing target: %v", err)
	}
	rows = small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
		b.(*array.Int64Builder).AppendValues([]int64{0, 1, 0, 1}, nil)
	})
	if _, _, err := conn.Train(ctx, "logreg", sdk.Config{"C": "0"}, "y", rows); err == nil || !strings.Contains(err.Error(), "C must be a positive number") {
		t.Errorf("C=0: %v", err)
	}
	rows = small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
		b.(*array.Int64Builder).AppendValues([]int64{0, 1, 0, 1}, nil)
	})
	if _, _, err := conn.Train(ctx, "logreg", sdk.Config{"features": "x,age"}, "y", rows); err == nil || !strings.Contains(err.Error(), `lack the feature column(s) "age"`) {
		t.Errorf("missing configured feature: %v", err)
	}
	if err := conn.Predict(ctx, "logreg", []byte(`{"format":"other"}`), small(t, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
		b.(*array.Int64Builder).AppendValues([]int64{0, 1, 0, 1}, nil)
	}), func([]float64) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a logistic regression model") {
		t.Errorf("foreign artifact: %v", err)
	}
}

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	dir, err := filepath.Abs(".") // plugintest.Build names the binary after the folder
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	d := loadTelco(t)
	_, metrics, _ := conformance(t, plugintest.Launch(t, bin), d, nil)
	if metrics["auc"] < 0.7 {
		t.Errorf("metrics %v", metrics)
	}
}
