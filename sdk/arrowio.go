package sdk

import (
	"bytes"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// The bytes of all batch fields of one call form one Arrow IPC stream: the
// schema once, then record batches. ChunkWriter and ChunkReader cut such a
// stream into messages and join it again.

// ChunkWriter writes record batches as IPC stream chunks, handing each
// chunk to send as soon as a batch is written.
type ChunkWriter struct {
	buf  bytes.Buffer
	w    *ipc.Writer
	send func([]byte) error
}

// NewChunkWriter returns a writer of batches of schema.
func NewChunkWriter(schema *arrow.Schema, send func([]byte) error) *ChunkWriter {
	c := &ChunkWriter{send: send}
	c.w = ipc.NewWriter(&c.buf, ipc.WithSchema(schema))
	return c
}

// Write sends one record batch.
func (c *ChunkWriter) Write(rec arrow.RecordBatch) error {
	if err := c.w.Write(rec); err != nil {
		return err
	}
	return c.flush()
}

func (c *ChunkWriter) flush() error {
	if c.buf.Len() == 0 {
		return nil
	}
	b := bytes.Clone(c.buf.Bytes())
	c.buf.Reset()
	return c.send(b)
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

// NewRecordReader decodes the IPC stream of chunks as record batches.
func NewRecordReader(next func() ([]byte, error)) (array.RecordReader, error) {
	return ipc.NewReader(NewChunkReader(next))
}
