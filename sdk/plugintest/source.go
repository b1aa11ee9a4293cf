package plugintest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// SourceCase is a source conformance run.
type SourceCase struct {
	Component string
	Config    sdk.Config
	// Stream is the stream to read; Discover must list it.
	Stream string
	// State is where the read starts: nil for the first import, or a
	// SourceRun's State to resume.
	State []byte
	// Timeout bounds each call (the whole read is one call); 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// SourceRun is what one read gave.
type SourceRun struct {
	Rows        int64
	Batches     int
	Checkpoints int
	// Schema is the batches' schema (nil when there were none).
	Schema *arrow.Schema
	// State is the last checkpoint, or the case's State when the read
	// made none: where the next read resumes.
	State []byte
}

// Source checks the metadata, that Discover lists c.Stream, and reads it
// from c.State: every batch of the read has one schema, and no rows come
// after the last checkpoint (the next read would start before them and
// import them again). The caller checks the rows and resumes with the
// run's State. Every call is bounded by c.Timeout, and a panic in the
// plugin fails the test.
func Source(t testing.TB, conn *client.Conn, c SourceCase) SourceRun {
	t.Helper()
	Metadata(t, conn)
	var streams []sdk.Stream
	if err := call(t, c.Timeout, "Discover", func(ctx context.Context) (err error) {
		streams, err = conn.Discover(ctx, c.Component, c.Config)
		return err
	}); err != nil {
		t.Fatalf("Discover: %v", err)
	}
	if !slices.ContainsFunc(streams, func(s sdk.Stream) bool { return s.Name == c.Stream }) {
		t.Fatalf("Discover lists %v, not the stream %q", streams, c.Stream)
	}
	run := SourceRun{State: c.State}
	var sinceCheckpoint int64
	err := call(t, c.Timeout, "Read", func(ctx context.Context) error {
		return conn.Read(ctx, c.Component, c.Config, c.Stream, c.State, func(rec arrow.RecordBatch) error {
			if run.Schema == nil {
				run.Schema = rec.Schema()
			} else if !run.Schema.Equal(rec.Schema()) {
				t.Errorf("batch %d has the schema %v, the read's first batch %v: all batches of one read share one schema", run.Batches+1, rec.Schema(), run.Schema)
			}
			run.Batches++
			run.Rows += rec.NumRows()
			sinceCheckpoint += rec.NumRows()
			return nil
		}, func(s []byte) error {
			run.Checkpoints++
			run.State = slices.Clone(s)
			sinceCheckpoint = 0
			return nil
		})
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if sinceCheckpoint > 0 {
		t.Errorf("the read wrote %d rows after its last checkpoint: call out.Checkpoint after the last batch, or the next read starts before them", sinceCheckpoint)
	}
	return run
}
