package main

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// rows is a reader over 1,000 customers in two batches: a feature x and,
// withTarget, a 0/1 target "y" that is 1 for every fourth customer.
func rows(t *testing.T, withTarget bool) array.RecordReader {
	fields := []arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}
	if withTarget {
		fields = append(fields, arrow.Field{Name: "y", Type: arrow.PrimitiveTypes.Int64})
	}
	schema := arrow.NewSchema(fields, nil)
	var recs []arrow.RecordBatch
	for batch := range 2 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range 500 {
			n := batch*500 + i
			b.Field(0).(*array.Float64Builder).Append(float64(n))
			if withTarget {
				y := int64(0)
				if n%4 == 0 {
					y = 1
				}
				b.Field(1).(*array.Int64Builder).Append(y)
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	rr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rr
}

func modelCase(t *testing.T) plugintest.ModelCase {
	return plugintest.ModelCase{
		Component: "mean",
		Config:    sdk.Config{"prior_weight": "0"},
		Target:    "y",
		Rows:      func() array.RecordReader { return rows(t, true) },
		Features:  func() array.RecordReader { return rows(t, false) },
	}
}

// The conformance suite, in-process: it trains, scores the same rows and
// checks one score in 0..1 per row.
func TestConformance(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	_, metrics, scores := plugintest.Model(t, conn, modelCase(t))
	if len(scores) != 1000 || metrics["rows"] != 1000 {
		t.Fatalf("%d scores, metrics %v", len(scores), metrics)
	}
	for i, s := range scores {
		if math.Abs(s-0.25) > 1e-9 {
			t.Fatalf("score %d is %v, want the base rate 0.25", i, s)
		}
	}
}

// The built program, started the way Marketbench starts it.
func TestBinary(t *testing.T) {
	bin := plugintest.Build(t, ".") // CGO_ENABLED=0
	plugintest.Smoke(t, bin)        // fails if something prints to stdout before sdk.Serve
	conn := plugintest.Launch(t, bin)
	plugintest.Model(t, conn, modelCase(t))
}

// plugin.json says what the plugin is; Marketbench reads it before the
// plugin runs.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile(sdk.ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) {
		t.Errorf("plugin.json says %s %s %v, the plugin %s %s %v", m.ID, m.Version, m.Kinds, Plugin.ID, Plugin.Version, Plugin.Kinds())
	}
}
