package sdk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// These tests pin the batch codec of arrowio.go: the wire bytes of the
// batch writers are protobuf's own marshalling of the same message, record
// batches are cut into chunks of exactly maxChunk bytes (the last one of a
// batch shorter), the reader joins chunks at any cut and decodes bodies in
// place when they are aligned and from an aligned copy when not, and the
// hand-written unmarshal agrees with protobuf's on any input.

var codecSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// codecBatch is a batch of n rows with values drawn from seed; every tenth
// x and seventh s is null.
func codecBatch(n int, seed uint64) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := array.NewRecordBuilder(memory.NewGoAllocator(), codecSchema)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(rng.Int64())
		if i%10 == 9 {
			b.Field(1).(*array.Float64Builder).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(rng.NormFloat64())
		}
		if i%7 == 6 {
			b.Field(2).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("row %d: %x", i, rng.Uint32()))
		}
	}
	return b.NewRecordBatch()
}

// codecBatches are batches of sizes the tests cut at: one tiny, one whose
// column buffers pass refMin (sent by reference), one empty.
func codecBatches(t testing.TB) []arrow.RecordBatch {
	recs := []arrow.RecordBatch{codecBatch(3, 1), codecBatch(3000, 2), codecBatch(0, 3)}
	t.Cleanup(func() {
		for _, r := range recs {
			r.Release()
		}
	})
	return recs
}

// referenceStream writes recs with arrow's plain IPC writer and returns the
// stream and the bytes each Write and the Close added, in order.
func referenceStream(t testing.TB, recs []arrow.RecordBatch) (stream []byte, parts [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(codecSchema))
	last := 0
	cut := func() {
		parts = append(parts, bytes.Clone(buf.Bytes()[last:]))
		last = buf.Len()
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		cut()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cut()
	return buf.Bytes(), parts
}

// wantChunks cuts each part into pieces of max bytes, the last shorter.
func wantChunks(parts [][]byte, max int) [][]byte {
	var out [][]byte
	for _, p := range parts {
		for len(p) > 0 {
			k := min(len(p), max)
			out = append(out, p[:k])
			p = p[k:]
		}
	}
	return out
}

// withMaxChunk sets maxChunk for the test.
func withMaxChunk(t testing.TB, n int) {
	old := maxChunk
	maxChunk = n
	t.Cleanup(func() { maxChunk = old })
}

// batchMessage is the protobuf message carrying chunk in field: the
// oneof batch of TrainRequest (BatchField) or PredictResponse's batch
// (ScoresField).
func batchMessage(field protowire.Number, chunk []byte) proto.Message {
	if field == ScoresField {
		return &pb.PredictResponse{Batch: chunk}
	}
	return &pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: chunk}}
}

// writeWire writes recs with a batch writer and returns each message's wire
// bytes as Codec marshals them for gRPC.
func writeWire(t testing.TB, recs []arrow.RecordBatch, field protowire.Number, copying bool) [][]byte {
	t.Helper()
	var wire [][]byte
	send := func(m any) error {
		data, err := Codec.Marshal(m)
		if err != nil {
			return err
		}
		wire = append(wire, data.Materialize())
		data.Free()
		return nil
	}
	w := NewBatchWriter(codecSchema, field, send)
	if copying {
		w = NewCopyingBatchWriter(codecSchema, field, send)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return wire
}

// TestBatchWireIsProtobuf: every message a batch writer sends is, byte for
// byte, protobuf's marshalling of the message holding the same chunk, and
// the chunks are the IPC stream arrow's own writer produces, cut at
// maxChunk within each batch. Chunk limits around the batch sizes (one
// byte either side, and a byte or a word) put the cuts on every boundary.
func TestBatchWireIsProtobuf(t *testing.T) {
	recs := codecBatches(t)
	_, parts := referenceStream(t, recs)
	limits := []int{MaxChunkBytes, 1, 7, 8, 4096}
	for _, p := range parts {
		limits = append(limits, len(p)-1, len(p), len(p)+1, len(p)/2)
	}
	for _, max := range limits {
		if max < 1 {
			continue
		}
		withMaxChunk(t, max)
		want := wantChunks(parts, max)
		for _, field := range []protowire.Number{BatchField, ScoresField} {
			for _, copying := range []bool{false, true} {
				name := fmt.Sprintf("max %d field %d copying %v", max, field, copying)
				wire := writeWire(t, recs, field, copying)
				if len(wire) != len(want) {
					t.Fatalf("%s: %d messages, want %d", name, len(wire), len(want))
				}
				for i, w := range wire {
					pw, err := proto.MarshalOptions{Deterministic: true}.Marshal(batchMessage(field, want[i]))
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(w, pw) {
						t.Fatalf("%s: message %d is not protobuf's bytes (%d vs %d bytes)", name, i, len(w), len(pw))
					}
				}
			}
		}
		// The plain ChunkWriter cuts the same way.
		var got [][]byte
		w := NewChunkWriter(codecSchema, func(b []byte) error { got = append(got, b); return nil })
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("max %d: ChunkWriter sent %d chunks, want %d", max, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("max %d: ChunkWriter chunk %d differs", max, i)
			}
		}
	}
}

// TestBatchWireAtRealChunkLimit cuts a batch of just over MaxChunkBytes
// with the real limit: the first message carries exactly MaxChunkBytes of
// the stream, and the two together are protobuf's bytes.
func TestBatchWireAtRealChunkLimit(t *testing.T) {
	n := MaxChunkBytes/8 + 1000 // the id column alone passes the limit
	b := array.NewInt64Builder(memory.NewGoAllocator())
	b.Resize(n)
	for i := range n {
		b.UnsafeAppend(int64(i))
	}
	col := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{col}, int64(n))
	col.Release()
	defer rec.Release()

	var ref bytes.Buffer
	rw := ipc.NewWriter(&ref, ipc.WithSchema(schema))
	if err := rw.Write(rec); err != nil {
		t.Fatal(err)
	}
	var wire [][]byte
	w := NewBatchWriter(schema, BatchField, func(m any) error {
		data, err := Codec.Marshal(m)
		if err != nil {
			return err
		}
		wire = append(wire, data.Materialize())
		data.Free()
		return nil
	})
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	stream := ref.Bytes()
	if len(stream) <= MaxChunkBytes || len(wire) != 2 {
		t.Fatalf("stream of %d bytes sent as %d messages, want 2", len(stream), len(wire))
	}
	for i, chunk := range [][]byte{stream[:MaxChunkBytes], stream[MaxChunkBytes:]} {
		pw, err := proto.Marshal(batchMessage(BatchField, chunk))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(wire[i], pw) {
			t.Fatalf("message %d (%d bytes) is not protobuf's (%d bytes)", i, len(wire[i]), len(pw))
		}
	}
}

// readAll decodes the chunks with NewRecordReader and compares the batches
// with want; it returns the decoded batches (retained; release them).
func readAll(t *testing.T, chunks [][]byte, want []arrow.RecordBatch) []arrow.RecordBatch {
	t.Helper()
	i := 0
	rr, err := NewRecordReader(func() ([]byte, error) {
		if i == len(chunks) {
			return nil, io.EOF
		}
		i++
		return chunks[i-1], nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var got []arrow.RecordBatch
	for rr.Next() {
		r := rr.RecordBatch()
		r.Retain()
		got = append(got, r)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("decoded %d batches, want %d", len(got), len(want))
	}
	for k := range got {
		if !array.RecordEqual(got[k], want[k]) {
			t.Fatalf("batch %d differs after decoding", k)
		}
	}
	return got
}

// buffersOf lists the non-empty buffers of every column of recs.
func buffersOf(recs []arrow.RecordBatch) [][]byte {
	var out [][]byte
	for _, r := range recs {
		for _, c := range r.Columns() {
			for _, b := range c.Data().Buffers() {
				if b != nil && b.Len() > 0 {
					out = append(out, b.Bytes())
				}
			}
		}
	}
	return out
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// TestRecordReaderBodies: a stream in one chunk at an aligned address is
// decoded in place (the column buffers point into the chunk); at an address
// 1 to 7 bytes off, the bodies are copied to aligned memory, since Arrow
// reads numbers in place; cut at every byte, it decodes the same.
func TestRecordReaderBodies(t *testing.T) {
	recs := codecBatches(t)
	stream, _ := referenceStream(t, recs)
	release := func(rs []arrow.RecordBatch) {
		for _, r := range rs {
			r.Release()
		}
	}

	backing := make([]byte, len(stream)+16) // Go aligns this to 8
	for off := 0; off < 8; off++ {
		chunk := backing[off : off+len(stream)]
		copy(chunk, stream)
		got := readAll(t, [][]byte{chunk}, recs)
		bufs := buffersOf(got)
		if len(bufs) < 6 {
			t.Fatalf("only %d column buffers decoded", len(bufs))
		}
		inPlace := 0
		for _, b := range bufs {
			if a := addr(b); a%8 != 0 {
				t.Errorf("offset %d: a column buffer is at %#x, not 8-aligned", off, a)
			}
			if addr(b) >= addr(chunk) && addr(b) < addr(chunk)+uintptr(len(chunk)) {
				inPlace++
			}
		}
		switch {
		case off == 0 && inPlace != len(bufs):
			t.Errorf("aligned chunk: %d of %d buffers point into it; the rest were copied", inPlace, len(bufs))
		case off%8 != 0 && inPlace != 0:
			t.Errorf("offset %d: %d buffers point into the misaligned chunk", off, inPlace)
		}
		release(got)
	}

	// Cut in two at every byte, and in many random pieces.
	small, _ := referenceStream(t, recs[:1])
	for cut := 0; cut <= len(small); cut++ {
		release(readAll(t, [][]byte{small[:cut], small[cut:]}, recs[:1]))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 20 {
		var chunks [][]byte
		for rest := stream; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(5000))
			chunks = append(chunks, rest[:k])
			rest = rest[k:]
		}
		release(readAll(t, chunks, recs))
	}
}

// TestRecordReaderTruncated: a stream that ends inside a message is an
// error (io.ErrUnexpectedEOF), not a shorter stream.
func TestRecordReaderTruncated(t *testing.T) {
	recs := codecBatches(t)
	stream, parts := referenceStream(t, recs)
	end := len(stream) - len(parts[len(parts)-1]) // before the end-of-stream marker
	for _, cut := range []int{len(parts[0]) - 1, len(parts[0]) + 5, end - 1} {
		done := false
		rr, err := NewRecordReader(func() ([]byte, error) {
			if done {
				return nil, io.EOF
			}
			done = true
			return stream[:cut], nil
		})
		if err != nil {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("cut at %d: %v", cut, err)
			}
			continue
		}
		for rr.Next() {
		}
		if err := rr.Err(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d of %d: error %v, want unexpected EOF", cut, len(stream), err)
		}
		rr.Release()
	}
}

// split cuts data into mem buffers at the positions cuts picks.
func split(data []byte, cuts []byte) mem.BufferSlice {
	var out mem.BufferSlice
	for _, c := range cuts {
		if len(data) == 0 {
			break
		}
		k := int(c) % (len(data) + 1)
		out = append(out, mem.SliceBuffer(data[:k]))
		data = data[k:]
	}
	return append(out, mem.SliceBuffer(data))
}

// checkUnmarshal decodes data (cut by cuts) with Codec into a TrainRequest
// batch receiver and with protobuf, and fails unless both agree.
func checkUnmarshal(t *testing.T, data, cuts []byte) {
	t.Helper()
	orig := bytes.Clone(data)
	req := &pb.TrainRequest{}
	m := &inBatch{field: BatchField, msg: req, get: req.GetBatch}
	err := Codec.Unmarshal(split(data, cuts), m)
	var ref pb.TrainRequest
	refErr := proto.Unmarshal(orig, &ref)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("Codec error %v, protobuf error %v, for % x", err, refErr, orig)
	}
	if err != nil {
		return
	}
	want := ref.GetBatch()
	if !bytes.Equal(m.batch, want) || (m.batch == nil) != (want == nil) {
		t.Fatalf("Codec batch %q (nil %v), protobuf %q (nil %v), for % x", m.batch, m.batch == nil, want, want == nil, orig)
	}
	if len(m.batch) > 0 {
		// The batch is a copy: it outlives the frames it came in.
		clear(data)
		if !bytes.Equal(m.batch, want) {
			t.Fatal("the batch shares memory with the received frames")
		}
	}
}

func unmarshalSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	add := func(m proto.Message) {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	add(&pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: []byte("arrow bytes")}})
	add(&pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: []byte{}}})
	add(&pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: bytes.Repeat([]byte{0xAB}, 300)}})
	add(&pb.TrainRequest{Part: &pb.TrainRequest_Start{Start: &pb.TrainStart{}}})
	add(&pb.TrainRequest{})
	one, _ := proto.Marshal(&pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: []byte("first")}})
	two, _ := proto.Marshal(&pb.TrainRequest{Part: &pb.TrainRequest_Batch{Batch: []byte("second")}})
	seeds = append(seeds,
		append(bytes.Clone(one), two...), // the last one wins
		one[:len(one)-1],                 // truncated
		[]byte{0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, // a length past 2^63
		[]byte{0x92, 0x00, 0x01, 'x'},                                            // tag written in two bytes
		[]byte{0x12, 0x01, 'x', 0x18, 0x05},                                      // batch, then an unknown field
		protowire.AppendBytes([]byte{0x12}, nil)[:1])                             // tag only
	return seeds
}

// TestBatchUnmarshalAgreesWithProtobuf runs the fuzz property on the seeds
// with every two-way cut.
func TestBatchUnmarshalAgreesWithProtobuf(t *testing.T) {
	for _, s := range unmarshalSeeds(t) {
		for c := 0; c <= len(s) && c < 256; c++ {
			checkUnmarshal(t, bytes.Clone(s), []byte{byte(c)})
		}
	}
}

// FuzzBatchUnmarshal: on any input, cut anywhere into frames, the codec's
// hand-written unmarshal of a batch message gives what protobuf gives:
// the same batch (or none) and an error exactly when protobuf has one.
func FuzzBatchUnmarshal(f *testing.F) {
	for _, s := range unmarshalSeeds(f) {
		f.Add(s, []byte{1, 3})
	}
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		checkUnmarshal(t, data, cuts)
	})
}

// FuzzRecordReader: any bytes, cut anywhere into chunks, either decode to
// the batches arrow's own stream reader decodes from them or give an error;
// never a panic. A known input kills both readers with an unrecoverable
// out-of-memory error inside arrow-go: testdata/crashers/README.md.
func FuzzRecordReader(f *testing.F) {
	recs := codecBatches(f)
	stream, _ := referenceStream(f, recs[:1])
	f.Add(stream, []byte{5, 200})
	f.Add(stream[:len(stream)-3], []byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x08, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, []byte{4})
	f.Add([]byte{0, 0, 0, 0}, []byte{})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		if len(data) > 1<<16 {
			return
		}
		if !metaBounded(data) {
			// arrow-go would allocate what the stream claims and die of
			// out-of-memory (testdata/fuzz/FuzzRecordReader/arrow-schema-oom):
			// it is no reference here; NewRecordReader must refuse the stream.
			chunks := split(bytes.Clone(data), cuts)
			i := 0
			rr, err := NewRecordReader(func() ([]byte, error) {
				if i == len(chunks) {
					return nil, io.EOF
				}
				i++
				return chunks[i-1].ReadOnlyData(), nil
			})
			if err == nil {
				for rr.Next() {
				}
				err = rr.Err()
				rr.Release()
			}
			if err == nil {
				t.Fatal("NewRecordReader read a stream whose metadata overstates its vectors")
			}
			return
		}
		var want []arrow.RecordBatch
		wantErr := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("arrow panicked: %v", p)
				}
			}()
			rr, err := ipc.NewReader(bytes.NewReader(data))
			if err != nil {
				return err
			}
			defer rr.Release()
			for rr.Next() {
				r := rr.RecordBatch()
				r.Retain()
				want = append(want, r)
			}
			return rr.Err()
		}()
		defer func() {
			for _, r := range want {
				r.Release()
			}
		}()
		chunks := split(bytes.Clone(data), cuts)
		i := 0
		var got []arrow.RecordBatch
		gotErr := func() (err error) {
			defer func() {
				if p := recover(); p != nil && wantErr == nil {
					t.Fatalf("NewRecordReader panicked on a stream arrow reads: %v", p)
				} else if p != nil {
					err = fmt.Errorf("panic: %v", p)
				}
			}()
			rr, err := NewRecordReader(func() ([]byte, error) {
				if i == len(chunks) {
					return nil, io.EOF
				}
				i++
				return chunks[i-1].ReadOnlyData(), nil
			})
			if err != nil {
				return err
			}
			defer rr.Release()
			for rr.Next() {
				r := rr.RecordBatch()
				r.Retain()
				got = append(got, r)
			}
			return rr.Err()
		}()
		defer func() {
			for _, r := range got {
				r.Release()
			}
		}()
		if wantErr == nil {
			if gotErr != nil {
				t.Fatalf("arrow reads %d batches, NewRecordReader fails: %v", len(want), gotErr)
			}
			if len(got) != len(want) {
				t.Fatalf("%d batches, arrow reads %d", len(got), len(want))
			}
			for k := range got {
				if !array.RecordEqual(got[k], want[k]) {
					t.Fatalf("batch %d differs from arrow's", k)
				}
			}
		}
	})
}

// metaBounded frames an IPC stream as arrow does and reports whether arrow-go
// can read it without allocating what it merely claims: every message's
// metadata passes checkMeta and every body is really there (arrow-go sizes
// its body buffer by the declared length first; NewRecordReader grows as
// the bytes arrive). Broken framing is true: arrow refuses it cheaply.
func metaBounded(data []byte) bool {
	for len(data) >= 4 {
		size := binary.LittleEndian.Uint32(data)
		data = data[4:]
		if size == ipcContinuation {
			if len(data) < 4 {
				return true
			}
			size = binary.LittleEndian.Uint32(data)
			data = data[4:]
		}
		if size == 0 || int32(size) < 4 || int(size) > len(data) {
			return true
		}
		meta := data[:size]
		if checkMeta(meta) != nil {
			return false
		}
		m := ipc.NewMessage(memory.NewBufferBytes(meta), memory.NewBufferBytes(nil))
		body := m.BodyLen()
		m.Release()
		data = data[size:]
		if body < 0 || body > int64(len(data)) {
			return false // arrow-go sizes its buffer by the claim before reading
		}
		data = data[body:]
	}
	return true
}

// TestRecordReaderRefusesOverstatedMetadata: the fuzzer's 240-byte schema
// claiming billions of fields used to kill the process (arrow-go allocates
// them); now the metadata check refuses it with an error.
func TestRecordReaderRefusesOverstatedMetadata(t *testing.T) {
	b, err := os.ReadFile("testdata/fuzz/FuzzRecordReader/arrow-schema-oom")
	if err != nil {
		t.Fatal(err)
	}
	// The corpus file's first value is the stream, as a Go []byte literal.
	line := strings.SplitN(string(b), "\n", 3)[1]
	lit := strings.TrimSuffix(strings.TrimPrefix(line, "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	if checkMeta([]byte(s)[8:]) == nil {
		t.Fatal("checkMeta passed the crasher's metadata")
	}
	done := false
	rr, err := NewRecordReader(func() ([]byte, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		return []byte(s), nil
	})
	if err == nil {
		rr.Release()
		t.Fatal("the stream was accepted")
	}
	if !strings.Contains(err.Error(), "invalid message metadata") {
		t.Fatalf("error %v", err)
	}
}
