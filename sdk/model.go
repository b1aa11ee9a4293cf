package sdk

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Tasks a model can do.
const (
	Classification = "classification" // Predict returns column "score": P(target = 1)
	Regression     = "regression"     // Predict returns column "score": the predicted value
)

// Model trains on tabular data and scores it. Rows come as Arrow record
// batches with one column per feature (and, in training, the target).
type Model interface {
	Spec() Component
	// Task is Classification or Regression.
	Task() string
	// Train learns from rows and returns an opaque artifact the host stores
	// and hands back to Predict, plus metrics to show ("auc", "rmse"...).
	Train(ctx context.Context, cfg Config, target string, rows array.RecordReader) (artifact []byte, metrics map[string]float64, err error)
	// Predict scores rows, writing batches with one float64 column named
	// "score", one row per input row, in input order.
	Predict(ctx context.Context, artifact []byte, rows array.RecordReader, out RecordWriter) error
}

// RecordWriter takes record batches. Write does not keep rec after it
// returns, so the caller may release it.
type RecordWriter interface {
	Write(rec arrow.RecordBatch) error
}

// ScoreSchema is the schema Predict writes.
var ScoreSchema = arrow.NewSchema([]arrow.Field{{Name: "score", Type: arrow.PrimitiveTypes.Float64}}, nil)

// Source brings data in from somewhere, resumably.
type Source interface {
	Spec() Component
	// Discover lists the streams (tables) the source can read.
	Discover(ctx context.Context, cfg Config) ([]Stream, error)
	// Read writes the stream's new rows since state (nil on the first
	// read) and checkpoints: everything written before a Checkpoint is
	// safely stored once the host has it, so a later Read may start from
	// that state. All batches of one Read share one schema.
	Read(ctx context.Context, cfg Config, stream string, state []byte, out SourceWriter) error
}

// Stream is one table a source can read.
type Stream struct {
	Name        string
	Description string
}

// SourceWriter takes a Read's output.
type SourceWriter interface {
	RecordWriter
	Checkpoint(state []byte) error
}
