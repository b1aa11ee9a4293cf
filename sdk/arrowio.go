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
)

// The bytes of all batch fields of one call form one Arrow IPC stream: the
// schema once, then record batches. ChunkWriter and ChunkReader cut such a
// stream into messages and join it again.

// MaxChunkBytes is the most a ChunkWriter puts in one message: a record
// batch bigger than that is cut over several messages (the reader joins
// them), so no batch, however large, meets the gRPC message limit
// (MaxMessageBytes).
const MaxChunkBytes = 64 << 20

// ChunkWriter writes record batches as IPC stream chunks, handing each
// chunk to send as soon as a batch is written.
type ChunkWriter struct {
	buf   bytes.Buffer
	w     *ipc.Writer
	send  func([]byte) error
	reuse bool
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
		return err
	}
	return c.flush()
}

// flush sends what was written, in chunks of at most MaxChunkBytes.
func (c *ChunkWriter) flush() error {
	for c.buf.Len() > 0 {
		b := c.buf.Next(MaxChunkBytes)
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
		return err
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
