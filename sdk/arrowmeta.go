package sdk

import (
	"errors"
	"fmt"

	flatbuffers "github.com/google/flatbuffers/go"
)

// arrow-go trusts the vector lengths in an IPC message's flatbuffer
// metadata: a 240-byte schema that claims billions of fields makes it
// allocate them and the process dies of "out of memory", which no recover
// catches. Batches come from the other process (a plugin, or the app), so
// checkMeta walks the metadata first and refuses any vector that does not
// fit in the bytes that hold it, nesting deeper than maxFieldDepth, or more
// than maxFields fields in all. The layout is Arrow's Message.fbs and
// Schema.fbs: field i of a table is at vtable offset 4 + 2i.

const (
	maxFieldDepth = 64
	maxFields     = 100_000
)

var errMeta = errors.New("arrow/ipc: invalid message metadata")

type metaChecker struct {
	buf    []byte
	fields int
}

func checkMeta(meta []byte) (err error) {
	defer func() {
		if p := recover(); p != nil { // a read out of range: not a flatbuffer
			err = fmt.Errorf("%w: %v", errMeta, p)
		}
	}()
	if len(meta) < 8 {
		return fmt.Errorf("%w: %d bytes", errMeta, len(meta))
	}
	c := &metaChecker{buf: meta}
	msg, err := c.root()
	if err != nil {
		return err
	}
	if err := c.keyValues(msg, 12); err != nil { // Message.custom_metadata
		return err
	}
	header, ok, err := c.table(msg, 8) // Message.header
	if err != nil || !ok {
		return err
	}
	switch c.byteField(msg, 6) { // Message.header_type
	case 1: // Schema
		if err := c.tableVector(header, 6, func(f flatbuffers.Table) error { return c.field(f, 0) }); err != nil {
			return err
		}
		if err := c.keyValues(header, 8); err != nil {
			return err
		}
		return c.vector(header, 10, 8) // features: [long]
	case 2: // DictionaryBatch
		data, ok, err := c.table(header, 6)
		if err != nil || !ok {
			return err
		}
		return c.recordBatch(data)
	case 3: // RecordBatch
		return c.recordBatch(header)
	}
	return nil
}

func (c *metaChecker) root() (flatbuffers.Table, error) {
	pos := flatbuffers.GetUOffsetT(c.buf)
	return c.at(pos)
}

// at checks that a table and its vtable lie inside the buffer.
func (c *metaChecker) at(pos flatbuffers.UOffsetT) (flatbuffers.Table, error) {
	if int(pos)+4 > len(c.buf) {
		return flatbuffers.Table{}, fmt.Errorf("%w: a table outside the metadata", errMeta)
	}
	vt := int(pos) - int(flatbuffers.GetSOffsetT(c.buf[pos:]))
	if vt < 0 || vt+4 > len(c.buf) {
		return flatbuffers.Table{}, fmt.Errorf("%w: a vtable outside the metadata", errMeta)
	}
	if size := int(flatbuffers.GetVOffsetT(c.buf[vt:])); vt+size > len(c.buf) {
		return flatbuffers.Table{}, fmt.Errorf("%w: a vtable outside the metadata", errMeta)
	}
	return flatbuffers.Table{Bytes: c.buf, Pos: pos}, nil
}

func (c *metaChecker) table(t flatbuffers.Table, slot flatbuffers.VOffsetT) (flatbuffers.Table, bool, error) {
	o := t.Offset(slot)
	if o == 0 {
		return flatbuffers.Table{}, false, nil
	}
	at := t.Pos + flatbuffers.UOffsetT(o)
	if int(at)+4 > len(c.buf) {
		return flatbuffers.Table{}, false, fmt.Errorf("%w: a reference outside the metadata", errMeta)
	}
	sub, err := c.at(t.Indirect(at))
	return sub, err == nil, err
}

func (c *metaChecker) byteField(t flatbuffers.Table, slot flatbuffers.VOffsetT) byte {
	if o := t.Offset(slot); o != 0 && int(t.Pos)+int(o) < len(c.buf) {
		return t.GetByte(t.Pos + flatbuffers.UOffsetT(o))
	}
	return 0
}

// vector checks that a vector of n elements of size bytes fits, and
// returns where its elements start and how many there are.
func (c *metaChecker) vectorAt(t flatbuffers.Table, slot flatbuffers.VOffsetT, size int) (flatbuffers.UOffsetT, int, error) {
	o := t.Offset(slot)
	if o == 0 {
		return 0, 0, nil
	}
	at := t.Pos + flatbuffers.UOffsetT(o)
	if int(at)+4 > len(c.buf) {
		return 0, 0, fmt.Errorf("%w: a reference outside the metadata", errMeta)
	}
	start := int(at) + int(flatbuffers.GetUOffsetT(c.buf[at:]))
	if start < 0 || start+4 > len(c.buf) {
		return 0, 0, fmt.Errorf("%w: a vector outside the metadata", errMeta)
	}
	n := int(flatbuffers.GetUOffsetT(c.buf[start:]))
	if n < 0 || n > (len(c.buf)-start-4)/size {
		return 0, 0, fmt.Errorf("%w: a vector of %d entries in %d bytes", errMeta, n, len(c.buf))
	}
	return flatbuffers.UOffsetT(start + 4), n, nil
}

func (c *metaChecker) vector(t flatbuffers.Table, slot flatbuffers.VOffsetT, size int) error {
	_, _, err := c.vectorAt(t, slot, size)
	return err
}

func (c *metaChecker) tableVector(t flatbuffers.Table, slot flatbuffers.VOffsetT, each func(flatbuffers.Table) error) error {
	start, n, err := c.vectorAt(t, slot, 4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		at := start + flatbuffers.UOffsetT(4*i)
		sub, err := c.at(at + flatbuffers.GetUOffsetT(c.buf[at:]))
		if err != nil {
			return err
		}
		if err := each(sub); err != nil {
			return err
		}
	}
	return nil
}

// keyValues checks a [KeyValue] vector: key and value strings.
func (c *metaChecker) keyValues(t flatbuffers.Table, slot flatbuffers.VOffsetT) error {
	return c.tableVector(t, slot, func(kv flatbuffers.Table) error {
		if err := c.vector(kv, 4, 1); err != nil {
			return err
		}
		return c.vector(kv, 6, 1)
	})
}

// field checks a Field and its children, recursively.
func (c *metaChecker) field(f flatbuffers.Table, depth int) error {
	if c.fields++; c.fields > maxFields {
		return fmt.Errorf("%w: more than %d fields", errMeta, maxFields)
	}
	if depth > maxFieldDepth {
		return fmt.Errorf("%w: fields nested deeper than %d", errMeta, maxFieldDepth)
	}
	if err := c.vector(f, 4, 1); err != nil { // name
		return err
	}
	if typ, ok, err := c.table(f, 10); err != nil {
		return err
	} else if ok {
		switch c.byteField(f, 8) { // type_type
		case 10: // Timestamp: timezone
			if err := c.vector(typ, 6, 1); err != nil {
				return err
			}
		case 14: // Union: typeIds [int]
			if err := c.vector(typ, 6, 4); err != nil {
				return err
			}
		}
	}
	if dict, ok, err := c.table(f, 12); err != nil {
		return err
	} else if ok {
		if _, _, err := c.table(dict, 6); err != nil { // indexType
			return err
		}
	}
	if err := c.keyValues(f, 16); err != nil {
		return err
	}
	return c.tableVector(f, 14, func(child flatbuffers.Table) error { return c.field(child, depth+1) })
}

// recordBatch checks the node and buffer vectors (16-byte structs) and the
// variadic buffer counts.
func (c *metaChecker) recordBatch(b flatbuffers.Table) error {
	if err := c.vector(b, 6, 16); err != nil {
		return err
	}
	if err := c.vector(b, 8, 16); err != nil {
		return err
	}
	if _, _, err := c.table(b, 10); err != nil {
		return err
	}
	return c.vector(b, 12, 8)
}
