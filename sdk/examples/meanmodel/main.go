// Command meanmodel is a Marketbench model plugin. As generated it is a
// baseline: it scores every customer with the share of positives among the
// training rows, smoothed toward one half. Replace Train and Predict with
// your model; the host trains, evaluates and scores it like a built-in one.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
)

// Plugin is what this program serves; the tests use it too.
var Plugin = sdk.Plugin{
	ID:      "example.com/meanmodel",
	Version: "0.1.0", // keep in step with plugin.json
	Models:  []sdk.Model{model{}},
}

func main() { sdk.Serve(Plugin) }

type model struct{}

func (model) Spec() sdk.Component {
	return sdk.Component{
		Name:        "mean",
		Title:       "Base rate",
		Description: "Scores every customer with the smoothed share of positives in the training rows: a baseline to beat.",
		Config: []sdk.Field{
			{Name: "prior_weight", Type: sdk.Float, Title: "Prior weight", Default: "1",
				Help: "Rows at one half added before dividing, so a small table does not give exactly 0 or 1."},
		},
	}
}

// Task says what Predict's "score" column means: P(target = 1).
func (model) Task() string { return sdk.Classification }

// artifact is what the host stores after training and hands to Predict.
type artifact struct {
	Rate float64 `json:"rate"`
	Rows int64   `json:"rows"`
}

func (model) Train(ctx context.Context, cfg sdk.Config, target string, rows array.RecordReader) ([]byte, map[string]float64, error) {
	var n int64
	var positives float64
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		rec := rows.RecordBatch()
		idx := rec.Schema().FieldIndices(target)
		if len(idx) == 0 {
			return nil, nil, fmt.Errorf("no column %q (the target) in the training rows", target)
		}
		col := rec.Column(idx[0])
		for i := range col.Len() {
			y, err := label(col, i)
			if err != nil {
				return nil, nil, fmt.Errorf("the target %q in row %d: %v", target, n+1, err)
			}
			positives += y
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("no training rows")
	}
	w := cfg.Float("prior_weight", 1)
	a := artifact{Rate: (positives + w/2) / (float64(n) + w), Rows: n}
	b, err := json.Marshal(a)
	return b, map[string]float64{"rows": float64(n), "positive_rate": positives / float64(n)}, err
}

// label reads a 0/1 target: numbers, true/false or yes/no.
func label(col arrow.Array, i int) (float64, error) {
	if col.IsNull(i) {
		return 0, fmt.Errorf("it is empty")
	}
	s := strings.ToLower(strings.TrimSpace(col.ValueStr(i)))
	switch s {
	case "true", "yes", "y":
		return 1, nil
	case "false", "no", "n":
		return 0, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && (v == 0 || v == 1) {
		return v, nil
	}
	return 0, fmt.Errorf("it is %q; it must be 0/1, true/false or yes/no", s)
}

// Predict writes one "score" per input row, batch by batch, in order.
func (model) Predict(ctx context.Context, raw []byte, rows array.RecordReader, out sdk.RecordWriter) error {
	var a artifact
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("the stored model is not this plugin's: %v", err)
	}
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(rows.RecordBatch().NumRows())
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		for range n {
			b.Append(a.Rate)
		}
		col := b.NewArray()
		b.Release()
		rec := array.NewRecordBatch(sdk.ScoreSchema, []arrow.Array{col}, int64(n))
		err := out.Write(rec)
		rec.Release()
		col.Release()
		if err != nil {
			return err
		}
	}
	return rows.Err()
}
