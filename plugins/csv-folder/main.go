// Command csv-folder is a Marketbench source that imports a folder of CSV
// or NDJSON event exports incrementally: each file once, in name order, with
// a checkpoint after every whole file, so the next import reads only files
// that are new since.
//
// Decisions:
//
//   - One stream, "events": the files directly in the folder whose names
//     match the pattern. Subfolders and hidden files (".name", which is how
//     partial downloads and atomic writers such as audience-export name
//     their temporary files) are not read.
//   - Every column is a string (Arrow utf8), plus "_file" (the file name)
//     and "_line" (int64, the line a row starts on). Inferring numbers per
//     file would disagree between files and between imports (a later
//     "n/a" in a column of numbers); the host's SQL casts strings cheaply
//     and losslessly. Empty CSV cells and JSON nulls or missing keys are
//     null. JSON numbers keep their exact text, objects and arrays are
//     kept as compact JSON text.
//   - The schema is fixed before the first batch of a Read: the columns
//     known from earlier imports (kept in the state, in the same order),
//     then new columns of the files about to be read, in the order first
//     seen. A file without some column gets nulls there. A later import may
//     therefore have more columns than an earlier one (appended at the end),
//     never fewer or reordered ones.
//   - The state records every imported file with its size, modification
//     time and SHA-256 (a set, not a high-water mark: a new file whose name
//     sorts before older ones is still imported). A file that changed after
//     it was imported is an error, in words, and nothing is imported until
//     the user deals with it: re-importing it would duplicate its rows.
//     A file whose time changed but whose content did not (copied,
//     touched) is fine. Files that disappear are kept in the state, so
//     putting one back does not import it twice.
//   - A malformed file is an error naming the file and the line; the rows
//     of earlier files stay imported (their checkpoints were sent).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
)

// Plugin is the plugin this binary serves.
var Plugin = sdk.Plugin{ID: "marketbench.org/csv-folder", Version: "1.0.0", Sources: []sdk.Source{source{}}}

func main() { sdk.Serve(Plugin) }

// Stream is the one stream this source offers.
const Stream = "events"

// Batches are cut at this many rows or bytes of text, whichever comes
// first, to stay in the protocol's 1-8 MB range.
const (
	batchRows  = 16384
	batchBytes = 4 << 20
)

type source struct{}

func (source) Spec() sdk.Component {
	return sdk.Component{
		Name:        "folder",
		Title:       "Folder of CSV / NDJSON files",
		Description: "Imports new event export files from a folder; each file is imported once.",
		Config: []sdk.Field{
			{Name: "folder", Type: sdk.String, Title: "Folder", Required: true, Help: "Absolute path of the folder the exports are saved in."},
			{Name: "pattern", Type: sdk.String, Title: "File names", Default: "*", Help: `Which files to import, e.g. "*.csv" or "events-*.ndjson".`},
			{Name: "format", Type: sdk.Enum, Title: "Format", Default: "auto", Enum: []string{"auto", "csv", "ndjson"},
				Help: "auto: .ndjson, .jsonl and .json files are NDJSON, other files are CSV unless they start with '{'."},
		},
	}
}

func (source) Discover(_ context.Context, cfg sdk.Config) ([]sdk.Stream, error) {
	if _, err := listFiles(cfg); err != nil {
		return nil, err
	}
	return []sdk.Stream{{Name: Stream, Description: fmt.Sprintf("Rows of the files in %s matching %s", cfg.String("folder"), pattern(cfg))}}, nil
}

func pattern(cfg sdk.Config) string {
	if p := cfg.String("pattern"); p != "" {
		return p
	}
	return "*"
}

// listFiles returns the names of the regular, visible files in the folder
// that match the pattern, sorted.
func listFiles(cfg sdk.Config) ([]string, error) {
	dir := cfg.String("folder")
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("the folder %q is not an absolute path", dir)
	}
	pat := pattern(cfg)
	if _, err := filepath.Match(pat, ""); err != nil {
		return nil, fmt.Errorf("the file name pattern %q is not valid", pat)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the folder %s: %v", dir, err)
	}
	var names []string
	for _, e := range ents {
		if ok, _ := filepath.Match(pat, e.Name()); ok && e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names) // ReadDir sorts already; the order is a promise.
	return names, nil
}

// state is what a checkpoint carries.
type state struct {
	Version int                 `json:"version"`
	Columns []string            `json:"columns"`
	Files   map[string]fileInfo `json:"files"`
}

type fileInfo struct {
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
	SHA256  string    `json:"sha256"`
}

const stateVersion = 1

func (source) Read(ctx context.Context, cfg sdk.Config, stream string, raw []byte, out sdk.SourceWriter) error {
	if stream != Stream {
		return fmt.Errorf("this source has one stream, %q, not %q", Stream, stream)
	}
	st := state{Version: stateVersion, Files: map[string]fileInfo{}}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &st); err != nil || st.Version != stateVersion {
			return fmt.Errorf("the saved import state is not one this plugin wrote (version %d, %v); reset the source to import again", st.Version, err)
		}
		if st.Files == nil {
			st.Files = map[string]fileInfo{}
		}
	}
	dir := cfg.String("folder")
	names, err := listFiles(cfg)
	if err != nil {
		return err
	}
	// Check the imported files first, so a changed one stops the import
	// before anything new is written.
	var todo []string
	touched := false
	for _, name := range names {
		old, done := st.Files[name]
		if !done {
			todo = append(todo, name)
			continue
		}
		now, err := unchanged(filepath.Join(dir, name), name, old)
		if err != nil {
			return err
		}
		if now != old {
			st.Files[name], touched = now, true
		}
	}
	if len(todo) == 0 {
		if touched { // same content, new time: save it so it is not hashed again
			return checkpoint(st, out)
		}
		return nil
	}
	// Fix the schema for this Read: known columns, then new ones.
	formats := map[string]string{}
	cols := slices.Clone(st.Columns)
	for _, name := range todo {
		path := filepath.Join(dir, name)
		f, err := fileFormat(cfg.String("format"), path)
		if err != nil {
			return err
		}
		formats[name] = f
		names, err := columnsOf(path, name, f)
		if err != nil {
			return err
		}
		for _, c := range names {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	fields := []arrow.Field{{Name: "_file", Type: arrow.BinaryTypes.String}, {Name: "_line", Type: arrow.PrimitiveTypes.Int64}}
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	st.Columns = cols
	for _, name := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := importFile(ctx, filepath.Join(dir, name), name, formats[name], schema, out)
		if err != nil {
			return err
		}
		st.Files[name] = info
		if err := checkpoint(st, out); err != nil {
			return err
		}
	}
	return nil
}

func checkpoint(st state, out sdk.SourceWriter) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return out.Checkpoint(b)
}

// unchanged checks that an imported file still has the content it had,
// and returns its record with the current time.
func unchanged(path, name string, old fileInfo) (fileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return old, err
	}
	if fi.Size() == old.Size && fi.ModTime().Equal(old.ModTime) {
		return old, nil
	}
	sum, err := fileSHA(path)
	if err != nil {
		return old, err
	}
	if sum != old.SHA256 {
		return old, fmt.Errorf("%s changed after it was imported (%d bytes, modified %s; now %d bytes, modified %s): its rows are already imported, so it is not read again. Save new data under a new file name, or reset this source to import the whole folder again",
			name, old.Size, old.ModTime.Format(time.DateTime), fi.Size(), fi.ModTime().Format(time.DateTime))
	}
	return fileInfo{Size: fi.Size(), ModTime: fi.ModTime(), SHA256: sum}, nil
}

func fileSHA(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fileFormat(setting, path string) (string, error) {
	switch setting {
	case "csv", "ndjson":
		return setting, nil
	case "", "auto":
	default:
		return "", fmt.Errorf("format %q: use auto, csv or ndjson", setting)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ndjson", ".jsonl", ".json":
		return "ndjson", nil
	case ".csv":
		return "csv", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if t := bytes.TrimLeft(bytes.TrimPrefix(head[:n], bom), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "ndjson", nil
	}
	return "csv", nil
}

// bom is the UTF-8 byte order mark Excel puts at the start of a CSV; left
// in, it would become part of the first column's name.
var bom = []byte("\xef\xbb\xbf")

// rowReader yields a file's rows as (column, value) pairs.
type rowReader interface {
	// next returns the next row's line and values by column name, a nil
	// value meaning null; io.EOF at the end.
	next() (line int, row []kv, err error)
}

type kv struct {
	key string
	val *string
}

func open(r io.Reader, name, format string) (rowReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, _ := br.Peek(3); bytes.Equal(b, bom) {
		br.Discard(3)
	}
	if format == "ndjson" {
		s := bufio.NewScanner(br)
		s.Buffer(make([]byte, 0, 1<<16), 64<<20)
		return &ndjsonReader{s: s, name: name}, nil
	}
	c := csv.NewReader(br)
	c.ReuseRecord = true
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return &csvReader{name: name, c: c}, nil // an empty file: no rows
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
			return nil, fmt.Errorf("%s line 1: column %d has no name", name, i+1)
		case slices.Contains(cols[:i], h):
			return nil, fmt.Errorf("%s line 1: the column %q appears twice", name, h)
		case h == "_file" || h == "_line":
			return nil, fmt.Errorf("%s line 1: the column name %q is reserved for the import", name, h)
		}
		cols[i] = h
	}
	return &csvReader{name: name, c: c, cols: cols}, nil
}

type csvReader struct {
	name string
	c    *csv.Reader
	cols []string
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s line %d: %v", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %v", name, err)
}

func (r *csvReader) next() (int, []kv, error) {
	if r.cols == nil {
		return 0, nil, io.EOF
	}
	rec, err := r.c.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		return 0, nil, csvError(r.name, err)
	}
	line, _ := r.c.FieldPos(0)
	row := make([]kv, len(rec))
	for i, v := range rec {
		row[i].key = r.cols[i]
		if v != "" {
			row[i].val = &v // v is per iteration; ReuseRecord reuses only the slice
		}
	}
	return line, row, nil
}

type ndjsonReader struct {
	s    *bufio.Scanner
	name string
	line int
}

func (r *ndjsonReader) next() (int, []kv, error) {
	for r.s.Scan() {
		r.line++
		b := bytes.TrimSpace(r.s.Bytes())
		if len(b) == 0 {
			continue
		}
		row, err := parseObject(b)
		if err != nil {
			return 0, nil, fmt.Errorf("%s line %d: %v", r.name, r.line, err)
		}
		return r.line, row, nil
	}
	if err := r.s.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return 0, nil, fmt.Errorf("%s line %d: the line is longer than 64 MB", r.name, r.line+1)
		}
		return 0, nil, fmt.Errorf("%s: %v", r.name, err)
	}
	return 0, nil, io.EOF
}

// parseObject reads one JSON object, keeping its keys in order.
func parseObject(b []byte) ([]kv, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var row []kv
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // inside an object the decoder yields only string keys
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if key == "_file" || key == "_line" {
			return nil, fmt.Errorf("the key %q is reserved for the import", key)
		}
		var val *string
		switch raw[0] {
		case 'n': // null
		case '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			val = &s
		case '{', '[':
			var c bytes.Buffer
			json.Compact(&c, raw)
			s := c.String()
			val = &s
		default: // numbers keep their exact text; true, false
			s := string(raw)
			val = &s
		}
		if i := slices.IndexFunc(row, func(e kv) bool { return e.key == key }); i >= 0 {
			row[i].val = val // a repeated key: the last one wins
		} else {
			row = append(row, kv{key, val})
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on the line")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("text after the JSON object")
	}
	return row, nil
}

// columnsOf returns a file's column names in order: the CSV header, or
// every key of every NDJSON line in the order first seen (which reads the
// whole file, and so also finds a malformed line before any row is sent).
func columnsOf(path, name, format string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rr, err := open(f, name, format)
	if err != nil {
		return nil, err
	}
	if c, ok := rr.(*csvReader); ok {
		return c.cols, nil
	}
	var cols []string
	for {
		_, row, err := rr.next()
		if errors.Is(err, io.EOF) {
			return cols, nil
		}
		if err != nil {
			return nil, err
		}
		for _, e := range row {
			if !slices.Contains(cols, e.key) {
				cols = append(cols, e.key)
			}
		}
	}
}

// importFile writes a file's rows as batches of schema and returns what the
// state records about it: the size, time and SHA-256 of the bytes read.
func importFile(ctx context.Context, path, name, format string, schema *arrow.Schema, out sdk.SourceWriter) (fileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileInfo{}, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fileInfo{}, err
	}
	h := sha256.New()
	rr, err := open(io.TeeReader(f, h), name, format)
	if err != nil {
		return fileInfo{}, err
	}
	col := map[string]int{}
	for i, fl := range schema.Fields() {
		col[fl.Name] = i
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	rows, size := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		rows, size = 0, 0
		return out.Write(rec)
	}
	set := make([]*string, len(schema.Fields()))
	for {
		line, row, err := rr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fileInfo{}, err
		}
		clear(set)
		for _, e := range row {
			i, ok := col[e.key]
			if !ok { // only if the file changed since its columns were read
				return fileInfo{}, fmt.Errorf("%s line %d: column %q appeared while the file was being read", name, line, e.key)
			}
			set[i] = e.val
		}
		b.Field(0).(*array.StringBuilder).Append(name)
		b.Field(1).(*array.Int64Builder).Append(int64(line))
		for i := 2; i < len(set); i++ {
			sb := b.Field(i).(*array.StringBuilder)
			if set[i] == nil {
				sb.AppendNull()
			} else {
				sb.Append(*set[i])
				size += len(*set[i])
			}
		}
		if rows++; rows >= batchRows || size >= batchBytes {
			if err := ctx.Err(); err != nil {
				return fileInfo{}, err
			}
			if err := flush(); err != nil {
				return fileInfo{}, err
			}
		}
	}
	if err := flush(); err != nil {
		return fileInfo{}, err
	}
	return finish(f, h, before, name)
}

// finish hashes what the parser left unread and makes sure the file did not
// change while it was read (an exporter still writing it, say).
func finish(f *os.File, h hash.Hash, before os.FileInfo, name string) (fileInfo, error) {
	if _, err := io.Copy(h, f); err != nil {
		return fileInfo{}, err
	}
	after, err := f.Stat()
	if err != nil {
		return fileInfo{}, err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		return fileInfo{}, fmt.Errorf("%s changed while it was being imported (is it still being written?); try again when it is complete", name)
	}
	return fileInfo{Size: before.Size(), ModTime: before.ModTime(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
