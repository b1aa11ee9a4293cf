package plugintest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
)

// sloppy writes a batch after its last checkpoint and, with twoSchemas,
// a second batch of another schema.
type sloppy struct{ twoSchemas bool }

func (sloppy) Spec() sdk.Component { return sdk.Component{Name: "sloppy"} }
func (sloppy) Discover(context.Context, sdk.Config) ([]sdk.Stream, error) {
	return []sdk.Stream{{Name: "rows"}}, nil
}
func (s sloppy) Read(_ context.Context, _ sdk.Config, _ string, _ []byte, out sdk.SourceWriter) error {
	write := func(typ arrow.DataType) error {
		schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: typ}}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		b.Field(0).AppendNull()
		rec := b.NewRecordBatch()
		defer rec.Release()
		return out.Write(rec)
	}
	if err := write(arrow.PrimitiveTypes.Int64); err != nil {
		return err
	}
	if err := out.Checkpoint([]byte("1")); err != nil {
		return err
	}
	typ := arrow.DataType(arrow.PrimitiveTypes.Int64)
	if s.twoSchemas {
		typ = arrow.BinaryTypes.String
	}
	return write(typ) // after the last checkpoint
}

// plugintest.Source passes a source that checkpoints after its batches and
// returns what it read and the state to resume from; it fails one that
// leaves rows after its last checkpoint, or mixes schemas in one read (the
// SDK stops such a read itself), or does not list the stream.
func TestSourceConformance(t *testing.T) {
	conn := InProcess(t, sdk.Plugin{ID: "test.org/counter", Version: "1.0.0", Sources: []sdk.Source{counter{}}})
	run := Source(t, conn, SourceCase{Component: "counter", Stream: "numbers"})
	if run.Rows != 30 || run.Batches != 3 || run.Checkpoints != 3 || string(run.State) != "30" || run.Schema.Field(0).Name != "n" {
		t.Fatalf("%+v", run)
	}
	if again := Source(t, conn, SourceCase{Component: "counter", Stream: "numbers", State: run.State}); string(again.State) != "60" {
		t.Errorf("resumed at %s", again.State)
	}

	bad := InProcess(t, sdk.Plugin{ID: "test.org/sloppy", Version: "1.0.0", Sources: []sdk.Source{sloppy{}}})
	f := suite(t, time.Minute, func(tb testing.TB) { Source(tb, bad, SourceCase{Component: "sloppy", Stream: "rows"}) })
	if msgs := strings.Join(f.msgs, "\n"); !f.Failed() || !strings.Contains(msgs, "1 rows after its last checkpoint") {
		t.Errorf("rows after the last checkpoint: failed %v, %s", f.Failed(), msgs)
	}
	mixed := InProcess(t, sdk.Plugin{ID: "test.org/mixed", Version: "1.0.0", Sources: []sdk.Source{sloppy{twoSchemas: true}}})
	f = suite(t, time.Minute, func(tb testing.TB) { Source(tb, mixed, SourceCase{Component: "sloppy", Stream: "rows"}) })
	if msgs := strings.Join(f.msgs, "\n"); !f.Failed() || !strings.Contains(msgs, "different schema") {
		t.Errorf("two schemas: failed %v, %s", f.Failed(), msgs)
	}
	f = suite(t, time.Minute, func(tb testing.TB) { Source(tb, conn, SourceCase{Component: "counter", Stream: "letters"}) })
	if msgs := strings.Join(f.msgs, "\n"); !f.Failed() || !strings.Contains(msgs, `not the stream "letters"`) {
		t.Errorf("an unknown stream: failed %v, %s", f.Failed(), msgs)
	}
}
