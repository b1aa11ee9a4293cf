package sdk

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// The bytes of all batch fields of one call form one Arrow IPC stream: the
// schema once, then record batches. ChunkWriter and ChunkReader cut such a
// stream into messages and join it again.

// MaxChunkBytes is the most a ChunkWriter puts in one message: a record
// batch bigger than that is cut over several messages (the reader joins
// them), so no batch, however large, meets the gRPC message limit
// (MaxMessageBytes).
const MaxChunkBytes = 64 << 20

// maxChunk is MaxChunkBytes; tests lower it to split small batches.
var maxChunk = MaxChunkBytes

// ChunkWriter writes record batches as IPC stream chunks, handing each
// chunk to send as soon as a batch is written.
type ChunkWriter struct {
	buf   bytes.Buffer
	w     *ipc.Writer
	send  func([]byte) error
	reuse bool
	// A batch writer (NewBatchWriter) sends messages instead.
	field   protowire.Number
	sendMsg func(any) error
	refs    refWriter
}

// NewChunkWriter returns a writer of batches of schema. send may keep the
// bytes it is given: each chunk is a copy.
func NewChunkWriter(schema *arrow.Schema, send func([]byte) error) *ChunkWriter {
	c := &ChunkWriter{send: send}
	c.w = ipc.NewWriter(&c.buf, ipc.WithSchema(schema))
	return c
}

// NewReusingChunkWriter is NewChunkWriter for a send that is done with the
// bytes when it returns, such as a gRPC stream's Send, which marshals the
// message (copying the bytes) before it returns, on connections like the
// SDK's, with no stats handler or binary log that could keep the message.
// The writer then hands send the same buffer, rewritten, for every chunk:
// for batches of megabytes, a fresh copy each time costs more than the
// copy itself (new memory to fault in, and collect).
func NewReusingChunkWriter(schema *arrow.Schema, send func([]byte) error) *ChunkWriter {
	c := NewChunkWriter(schema, send)
	c.reuse = true
	return c
}

// Write sends one record batch.
func (c *ChunkWriter) Write(rec arrow.RecordBatch) error {
	if err := c.w.Write(rec); err != nil {
		c.refs = refWriter{copyAll: c.refs.copyAll}
		return err
	}
	if c.sendMsg != nil {
		return c.writeRefs(rec)
	}
	return c.flush()
}

// flush sends what was written, in chunks of at most MaxChunkBytes.
func (c *ChunkWriter) flush() error {
	for c.buf.Len() > 0 {
		b := c.buf.Next(maxChunk)
		if !c.reuse {
			b = bytes.Clone(b)
		}
		if err := c.send(b); err != nil {
			return err
		}
	}
	c.buf.Reset()
	return nil
}

// Close ends the stream (and sends the schema if no batch was written).
func (c *ChunkWriter) Close() error {
	if err := c.w.Close(); err != nil {
		c.refs = refWriter{copyAll: c.refs.copyAll}
		return err
	}
	if c.sendMsg != nil {
		return c.writeRefs(nil)
	}
	return c.flush()
}

// ChunkReader joins chunks from next (which returns io.EOF at the end)
// back into an io.Reader for ipc.NewReader. It reads lazily: a chunk is
// fetched only when the IPC reader needs its bytes.
type ChunkReader struct {
	next func() ([]byte, error)
	cur  []byte
	err  error
}

// NewChunkReader returns a reader over the chunks next yields.
func NewChunkReader(next func() ([]byte, error)) *ChunkReader { return &ChunkReader{next: next} }

func (r *ChunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.cur, r.err = r.next()
		if r.err != nil && !errors.Is(r.err, io.EOF) {
			return 0, r.err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// NewRecordReader decodes the IPC stream of chunks as record batches. It
// reads lazily, like ChunkReader: a chunk is fetched only when the batch
// being decoded needs its bytes. A batch that lies within one chunk (as
// ChunkWriter sends them) is decoded in place, without copying its bytes;
// the batches keep their chunks alive, so next must not reuse the bytes it
// returned.
func NewRecordReader(next func() ([]byte, error)) (array.RecordReader, error) {
	return ipc.NewReaderFromMessageReader(newChunkMessageReader(next))
}

// chunkMessageReader is an ipc.MessageReader over chunks, reading each
// message's metadata and body as slices of the chunk that holds them.
type chunkMessageReader struct {
	next func() ([]byte, error)
	cur  []byte
	err  error // from next, io.EOF included; returned once cur is used up
	msg  *ipc.Message
	refs atomic.Int64
}

func newChunkMessageReader(next func() ([]byte, error)) *chunkMessageReader {
	r := &chunkMessageReader{next: next}
	r.refs.Add(1)
	return r
}

func (r *chunkMessageReader) Retain() { r.refs.Add(1) }

func (r *chunkMessageReader) Release() {
	if r.refs.Add(-1) == 0 && r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
}

// fill makes cur non-empty, fetching the next chunk if needed.
func (r *chunkMessageReader) fill() error {
	for len(r.cur) == 0 {
		if r.err != nil {
			return r.err
		}
		r.cur, r.err = r.next()
	}
	return nil
}

// take returns the next n bytes: a slice of the current chunk when it holds
// them all, else a copy joined from as many chunks as needed.
func (r *chunkMessageReader) take(n int) ([]byte, error) {
	if err := r.fill(); err != nil {
		return nil, err
	}
	if len(r.cur) >= n {
		b := r.cur[:n:n]
		r.cur = r.cur[n:]
		return b, nil
	}
	// Spread over chunks. n comes from the stream, so grow as the bytes
	// arrive rather than trusting it for one allocation.
	out := make([]byte, 0, min(n, MaxChunkBytes))
	for len(out) < n {
		if err := r.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		k := min(n-len(out), len(r.cur))
		out = append(out, r.cur[:k]...)
		r.cur = r.cur[k:]
	}
	return out, nil
}

const ipcContinuation = 0xFFFFFFFF

// Message reads the next IPC message (the format ipc.NewMessageReader
// reads), or io.EOF at the end of the stream.
func (r *chunkMessageReader) Message() (msg *ipc.Message, err error) {
	defer func() {
		if p := recover(); p != nil { // flatbuffers panic on garbage
			msg, err = nil, fmt.Errorf("arrow/ipc: invalid message metadata: %v", p)
		}
	}()
	if r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
	head, err := r.take(4)
	if err != nil {
		return nil, fmt.Errorf("arrow/ipc: could not read continuation indicator: %w", err)
	}
	size := binary.LittleEndian.Uint32(head)
	switch size {
	case 0:
		return nil, io.EOF
	case ipcContinuation:
		if head, err = r.take(4); err != nil {
			return nil, fmt.Errorf("arrow/ipc: could not read message length: %w", noEOF(err))
		}
		size = binary.LittleEndian.Uint32(head)
		if size == 0 {
			return nil, io.EOF
		}
	} // else: a stream from before Arrow 0.15, without continuation markers
	if int32(size) < 4 {
		return nil, fmt.Errorf("arrow/ipc: invalid message metadata length %d", int32(size))
	}
	meta, err := r.take(int(size))
	if err != nil {
		return nil, fmt.Errorf("arrow/ipc: could not read message metadata: %w", noEOF(err))
	}
	if err := checkMeta(meta); err != nil {
		return nil, err
	}
	m := ipc.NewMessage(memory.NewBufferBytes(meta), memory.NewBufferBytes(nil))
	bodyLen := m.BodyLen()
	m.Release()
	if bodyLen < 0 || bodyLen > int64(^uint(0)>>1) {
		return nil, fmt.Errorf("arrow/ipc: invalid message body length %d", bodyLen)
	}
	body, err := r.take(int(bodyLen))
	if err != nil {
		return nil, fmt.Errorf("arrow/ipc: could not read message body: %w", noEOF(err))
	}
	if len(body) > 0 && uintptr(unsafe.Pointer(&body[0]))%8 != 0 {
		// Arrow reads numbers in place: give them aligned memory.
		body = append(make([]byte, 0, len(body)), body...)
	}
	r.msg = ipc.NewMessage(memory.NewBufferBytes(meta), memory.NewBufferBytes(body))
	return r.msg, nil
}

// noEOF: the stream ending inside a message is an error, not its end.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// The batch streams (Train and Predict) move their Arrow bytes without the
// copies the protobuf codec makes: on the sending side, a batch's bytes go
// to gRPC as buffers pointing into the record batch's own memory (instead
// of an IPC copy and then protobuf's marshal copy); on the receiving side,
// the bytes field is copied once, straight out of the HTTP/2 frames
// (instead of gRPC joining the frames into one buffer and protobuf copying
// the field out of it). The wire bytes are exactly protobuf's, so either
// side interoperates with a peer that uses the plain protobuf codec.

// Codec is the gRPC codec of the SDK's connections (both sides force it):
// protobuf, as gRPC's default codec, plus the SDK's batch messages.
var Codec encoding.CodecV2 = codec{}

// protoCodec is gRPC's protobuf codec, which Codec uses for every message
// but the SDK's batch messages.
var protoCodec = encoding.GetCodecV2(grpcproto.Name)

type codec struct{}

// Name is "proto": the content type is that of protobuf, which it is.
func (codec) Name() string { return grpcproto.Name }

func (codec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*outBatch); ok {
		return m.take(), nil
	}
	return protoCodec.Marshal(v)
}

func (codec) Unmarshal(data mem.BufferSlice, v any) error {
	if m, ok := v.(*inBatch); ok {
		return m.unmarshal(data)
	}
	return protoCodec.Unmarshal(data, v)
}

// outBatch is a message whose one field is a bytes field holding a chunk,
// already in protobuf's wire format: the field's tag and length, then the
// chunk's buffers.
type outBatch struct {
	data  mem.BufferSlice
	taken bool
}

// take hands the buffers (and their references) to gRPC.
func (m *outBatch) take() mem.BufferSlice {
	m.taken = true
	return m.data
}

// inBatch receives a message of a batch stream. A message that is one bytes
// field of number field (a batch, as every SDK and protobuf sends it) is
// read by hand, its bytes copied once out of the frames; anything else is
// unmarshalled into msg by protobuf, and get takes the batch out of it (nil
// for another part).
type inBatch struct {
	field protowire.Number
	msg   proto.Message
	get   func() []byte
	batch []byte
}

func (m *inBatch) unmarshal(data mem.BufferSlice) error {
	m.batch = nil
	var head [2 * binary.MaxVarintLen64]byte
	h := head[:readPrefix(data, head[:])]
	if num, typ, n := protowire.ConsumeTag(h); n > 0 && num == m.field && typ == protowire.BytesType {
		size, k := protowire.ConsumeVarint(h[n:])
		if k > 0 && uint64(n+k)+size == uint64(data.Len()) {
			b := make([]byte, size)
			copyFrom(b, data, n+k)
			m.batch = b
			return nil
		}
	}
	proto.Reset(m.msg)
	if err := protoCodec.Unmarshal(data, m.msg); err != nil {
		return err
	}
	m.batch = m.get()
	return nil
}

// readPrefix copies the first bytes of data into p.
func readPrefix(data mem.BufferSlice, p []byte) int {
	n := 0
	for _, b := range data {
		if n == len(p) {
			break
		}
		n += copy(p[n:], b.ReadOnlyData())
	}
	return n
}

// copyFrom fills dst with data's bytes from offset off on.
func copyFrom(dst []byte, data mem.BufferSlice, off int) {
	for _, b := range data {
		d := b.ReadOnlyData()
		if off >= len(d) {
			off -= len(d)
			continue
		}
		dst = dst[copy(dst, d[off:]):]
		off = 0
	}
}

// BatchReceiver returns a chunk source for NewRecordReader over a batch
// stream of a connection that uses Codec: recv is the stream's RecvMsg,
// field the number of the batch bytes field in its messages, msg a message
// of the stream's type and get its batch (nil for another part).
func BatchReceiver(recv func(any) error, field protowire.Number, msg proto.Message, get func() []byte) func() ([]byte, error) {
	m := &inBatch{field: field, msg: msg, get: get}
	return func() ([]byte, error) {
		if err := recv(m); err != nil {
			return nil, err
		}
		return m.batch, nil
	}
}

// NewBatchWriter is a ChunkWriter for a batch stream of a connection that
// uses Codec: it sends each chunk with send (the stream's SendMsg) as a
// message whose one field is the bytes field of number field. The chunk is
// not copied: the message points into the record batch's buffers (the IPC
// metadata and padding aside), and the writer retains the batch until gRPC
// has written those bytes out, so the caller may release it when Write
// returns, as with any RecordWriter.
//
// The batch's memory must therefore not change until every holder has
// released the batch (as Arrow's reference counting has it): a record
// reader that reuses a batch's memory only through its allocator, once the
// batch is released, is fine; one that rewrites the memory of a batch it
// handed out after Next, without counting references, is not, and needs
// NewCopyingBatchWriter.
func NewBatchWriter(schema *arrow.Schema, field protowire.Number, send func(any) error) *ChunkWriter {
	c := &ChunkWriter{field: field, sendMsg: send}
	c.w = ipc.NewWriter(&c.refs, ipc.WithSchema(schema), ipc.WithAllocator(memory.NewGoAllocator()))
	return c
}

// NewCopyingBatchWriter is NewBatchWriter for a caller that may change a
// batch's memory as soon as Write returns (the sdk.RecordWriter contract):
// it copies each chunk once, into a new buffer that becomes the message.
func NewCopyingBatchWriter(schema *arrow.Schema, field protowire.Number, send func(any) error) *ChunkWriter {
	c := NewBatchWriter(schema, field, send)
	c.refs.copyAll = true
	return c
}

// refMin is the smallest write the IPC writer makes that a batch writer
// sends by reference rather than copying: column buffers are, metadata and
// padding are not.
const refMin = 4 << 10

// refWriter collects what the IPC writer writes for one record batch:
// large writes (its column buffers) by reference, small ones copied.
type refWriter struct {
	segs    []refSeg
	own     []byte
	n       int
	copyAll bool // copy large writes too
	last    int  // bytes copied for the last batch: the next one's guess
}

// refSeg is a written piece: ref, or own[lo:hi] when ref is nil.
type refSeg struct {
	ref    []byte
	lo, hi int
}

func (w *refWriter) Write(p []byte) (int, error) {
	if w.own == nil {
		w.own = make([]byte, 0, w.last)
	}
	if len(p) >= refMin && !w.copyAll {
		w.segs = append(w.segs, refSeg{ref: p})
	} else if k := len(w.segs) - 1; k >= 0 && w.segs[k].ref == nil && w.segs[k].hi == len(w.own) {
		w.own = append(w.own, p...)
		w.segs[k].hi = len(w.own)
	} else {
		w.segs = append(w.segs, refSeg{lo: len(w.own), hi: len(w.own) + len(p)})
		w.own = append(w.own, p...)
	}
	w.n += len(p)
	return len(p), nil
}

// batchHold keeps a record batch retained while gRPC holds buffers that
// point into it: it is the mem.BufferPool of those buffers, and Put (gRPC
// freeing one) counts down. The writer holds one reference of its own
// while it sends.
type batchHold struct {
	rec  arrow.RecordBatch
	refs atomic.Int64
}

func (h *batchHold) Get(int) *[]byte { panic("sdk: batchHold is not a pool to take from") }

func (h *batchHold) Put(*[]byte) { h.release() }

func (h *batchHold) release() {
	if h.refs.Add(-1) == 0 && h.rec != nil {
		h.rec.Release()
	}
}

// writeRefs sends what refs collected for rec in chunks of at most
// MaxChunkBytes, each one message.
func (c *ChunkWriter) writeRefs(rec arrow.RecordBatch) error {
	w := &c.refs
	defer func() { w.segs, w.own, w.n, w.last = w.segs[:0], nil, 0, len(w.own) }()
	hold := &batchHold{rec: rec}
	hold.refs.Store(1)
	if rec != nil {
		rec.Retain()
	}
	defer hold.release()
	segs := w.segs
	for w.n > 0 {
		size := min(w.n, maxChunk)
		w.n -= size
		head := protowire.AppendVarint(protowire.AppendTag(nil, c.field, protowire.BytesType), uint64(size))
		data := mem.BufferSlice{mem.SliceBuffer(head)}
		for size > 0 {
			s := &segs[0]
			var b []byte
			if s.ref != nil {
				b = s.ref[:min(size, len(s.ref))]
				s.ref = s.ref[len(b):]
				if len(s.ref) == 0 {
					segs = segs[1:]
				}
				if mem.IsBelowBufferPoolingThreshold(cap(b)) {
					// gRPC would not free it: send a copy.
					data = append(data, mem.SliceBuffer(bytes.Clone(b)))
				} else {
					hold.refs.Add(1)
					data = append(data, mem.NewBuffer(&b, hold))
				}
			} else {
				b = w.own[s.lo:min(s.hi, s.lo+size)]
				s.lo += len(b)
				if s.lo == s.hi {
					segs = segs[1:]
				}
				data = append(data, mem.SliceBuffer(b))
			}
			size -= len(b)
		}
		m := &outBatch{data: data}
		err := c.sendMsg(m)
		if !m.taken {
			data.Free()
		}
		if err != nil {
			return err
		}
	}
	return nil
}
