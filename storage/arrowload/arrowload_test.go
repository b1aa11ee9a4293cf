package arrowload

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/storage"
)

func batch(t *testing.T, schema *arrow.Schema, fill func(b *array.RecordBuilder)) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	fill(b)
	return b.NewRecordBatch()
}

// Values keep their types, quotes and commas; nulls stay null; a later
// batch with a new column adds it.
func TestAppend(t *testing.T) {
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s1 := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	r1 := batch(t, s1, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).AppendValues([]string{`say "hi", ok`, ""}, []bool{true, false})
		b.Field(1).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	})
	if n, err := Append(ctx, p, "events", []arrow.RecordBatch{r1}); err != nil || n != 2 {
		t.Fatalf("append: %d %v", n, err)
	}
	s2 := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil)
	r2 := batch(t, s2, func(b *array.RecordBuilder) {
		b.Field(0).(*array.StringBuilder).Append("third")
		b.Field(1).(*array.Int64Builder).Append(3)
		b.Field(2).(*array.Float64Builder).Append(2.5)
	})
	if _, err := Append(ctx, p, "events", []arrow.RecordBatch{r2}); err != nil {
		t.Fatal(err)
	}
	var name *string
	var sum int64
	var x *float64
	p.DB().QueryRow(`SELECT (SELECT name FROM events WHERE n = 1), sum(n), (SELECT x FROM events WHERE n = 3) FROM events`).Scan(&name, &sum, &x)
	if name == nil || *name != `say "hi", ok` || sum != 6 || x == nil || *x != 2.5 {
		t.Fatalf("read back %v %d %v", name, sum, x)
	}
	var nulls int
	p.DB().QueryRow(`SELECT count(*) FROM events WHERE name IS NULL`).Scan(&nulls)
	if nulls != 1 {
		t.Errorf("%d null names, want 1", nulls)
	}
	if _, err := Append(ctx, p, "mb_x", []arrow.RecordBatch{r1}); err == nil {
		t.Error("wrote into a reserved table")
	}
}
