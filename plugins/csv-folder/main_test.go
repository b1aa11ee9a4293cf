package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

func TestManifestMatchesPlugin(t *testing.T) {
	b, err := os.ReadFile("plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, bin := range m.Binaries { // the release build fills the hash
		bin.SHA256 = strings.Repeat("0", 64)
		m.Binaries[k] = bin
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) ||
		len(m.NetworkHosts) != 0 || len(m.Fields) != 0 || m.Binaries["linux/amd64"].Path != "csv-folder" {
		t.Errorf("manifest %+v does not match the plugin", m)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// result is one Read through the real client: every row as column=value
// text (null left out), the schemas seen and the checkpoints.
type result struct {
	rows    []string
	schemas []*arrow.Schema
	states  [][]byte
	err     error
}

func read(t *testing.T, conn *client.Conn, cfg sdk.Config, st []byte) result {
	t.Helper()
	var r result
	r.err = conn.Read(context.Background(), "folder", cfg, Stream, st, func(rec arrow.RecordBatch) error {
		if len(r.schemas) == 0 || !r.schemas[len(r.schemas)-1].Equal(rec.Schema()) {
			r.schemas = append(r.schemas, rec.Schema())
		}
		for i := range int(rec.NumRows()) {
			var parts []string
			for j, f := range rec.Schema().Fields() {
				c := rec.Column(j)
				if c.IsNull(i) {
					continue
				}
				switch c := c.(type) {
				case *array.String:
					parts = append(parts, f.Name+"="+c.Value(i))
				case *array.Int64:
					parts = append(parts, f.Name+"="+c.ValueStr(i))
				}
			}
			r.rows = append(r.rows, strings.Join(parts, " "))
		}
		return nil
	}, func(s []byte) error {
		r.states = append(r.states, s)
		return nil
	})
	return r
}

func (r result) last(t *testing.T) []byte {
	t.Helper()
	if len(r.states) == 0 {
		t.Fatal("no checkpoint")
	}
	return r.states[len(r.states)-1]
}

func names(s *arrow.Schema) string {
	var n []string
	for _, f := range s.Fields() {
		n = append(n, f.Name)
	}
	return strings.Join(n, ",")
}

func TestIncremental(t *testing.T) {
	dir := t.TempDir()
	// An Excel-style BOM, a quoted comma and an empty (null) cell.
	write(t, dir, "2026-01.csv", "\xef\xbb\xbfcustomer_id,event,amount\nc1,purchase,12.50\nc2,\"view, promo\",\n")
	write(t, dir, "2026-02.csv", "event,customer_id,channel\nopen,c3,email\n")
	write(t, dir, "notes.txt", "not an export")
	write(t, dir, ".2026-03.csv.123.tmp", "customer_id\nhalf-written\n")
	conn := plugintest.InProcess(t, Plugin)
	cfg := sdk.Config{"folder": dir, "pattern": "*.csv"}
	streams, err := conn.Discover(context.Background(), "folder", cfg)
	if err != nil || len(streams) != 1 || streams[0].Name != Stream {
		t.Fatalf("Discover: %v %v", streams, err)
	}
	r := read(t, conn, cfg, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{
		"_file=2026-01.csv _line=2 customer_id=c1 event=purchase amount=12.50",
		"_file=2026-01.csv _line=3 customer_id=c2 event=view, promo",
		"_file=2026-02.csv _line=2 customer_id=c3 event=open channel=email",
	}
	if !slices.Equal(r.rows, want) {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(r.rows, "\n"), strings.Join(want, "\n"))
	}
	if len(r.states) != 2 || len(r.schemas) != 1 || names(r.schemas[0]) != "_file,_line,customer_id,event,amount,channel" {
		t.Fatalf("%d checkpoints, schemas %v", len(r.states), r.schemas)
	}
	// The first checkpoint covers the first file only.
	var st state
	if err := json.Unmarshal(r.states[0], &st); err != nil || len(st.Files) != 1 || st.Files["2026-01.csv"].SHA256 == "" {
		t.Errorf("first checkpoint %s %v", r.states[0], err)
	}

	// A new file, with a new column: only it is read; known columns keep
	// their place and the new one comes last.
	write(t, dir, "2026-03.csv", "customer_id,event,coupon\nc4,purchase,SPRING\n")
	r2 := read(t, conn, cfg, r.last(t))
	if r2.err != nil {
		t.Fatal(r2.err)
	}
	if !slices.Equal(r2.rows, []string{"_file=2026-03.csv _line=2 customer_id=c4 event=purchase coupon=SPRING"}) || len(r2.states) != 1 {
		t.Errorf("second read: %v, %d checkpoints", r2.rows, len(r2.states))
	}
	if names(r2.schemas[0]) != "_file,_line,customer_id,event,amount,channel,coupon" {
		t.Errorf("second schema %s", names(r2.schemas[0]))
	}

	// Nothing new: no rows, no checkpoint.
	r3 := read(t, conn, cfg, r2.last(t))
	if r3.err != nil || len(r3.rows)+len(r3.states) != 0 {
		t.Errorf("third read: %v %v %d", r3.err, r3.rows, len(r3.states))
	}

	// Touched but not changed: still fine.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "2026-01.csv"), later, later)
	r3 = read(t, conn, cfg, r2.last(t))
	if r3.err != nil || len(r3.rows) != 0 || len(r3.states) != 1 {
		t.Fatalf("touched file: %v %v %d checkpoints", r3.err, r3.rows, len(r3.states))
	}
	if err := json.Unmarshal(r3.last(t), &st); err != nil || !st.Files["2026-01.csv"].ModTime.Equal(later) || len(st.Columns) != 5 {
		t.Errorf("the new time was not saved: %s", r3.last(t))
	}

	// Changed after import: an error naming the file, and nothing read.
	write(t, dir, "2026-02.csv", "event,customer_id,channel\nopen,c3,email\nclick,c3,email\n")
	write(t, dir, "2026-04.csv", "customer_id\nc5\n")
	r4 := read(t, conn, cfg, r3.last(t))
	if r4.err == nil || !strings.Contains(r4.err.Error(), "2026-02.csv changed after it was imported") || len(r4.rows) != 0 {
		t.Errorf("changed file: %v %v", r4.err, r4.rows)
	}
}

func TestNDJSON(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.ndjson", `{"id":"e1","n":1.50,"ok":true,"tags":["x", "y"],"user":{"id": 7}}`+"\n\n"+
		`{"n":2,"id":"e2","extra":null}`+"\r\n")
	write(t, dir, "b.export", ` {"id":"e3","new":"v"}`+"\n") // auto: starts with '{'
	conn := plugintest.InProcess(t, Plugin)
	r := read(t, conn, sdk.Config{"folder": dir}, nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := []string{
		`_file=a.ndjson _line=1 id=e1 n=1.50 ok=true tags=["x","y"] user={"id":7}`,
		`_file=a.ndjson _line=3 id=e2 n=2`,
		`_file=b.export _line=1 id=e3 new=v`,
	}
	if !slices.Equal(r.rows, want) || len(r.states) != 2 {
		t.Errorf("rows\n%s\nwant\n%s\n%d checkpoints", strings.Join(r.rows, "\n"), strings.Join(want, "\n"), len(r.states))
	}
	if got := names(r.schemas[0]); got != "_file,_line,id,n,ok,tags,user,extra,new" {
		t.Errorf("schema %s", got)
	}
}

func TestMalformed(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"quote.csv", "a,b\n1,2\n3,\"4\n", `quote.csv line 3: extraneous or missing " in quoted-field`},
		{"fields.csv", "a,b\n1,2\n3,4,5\n", "fields.csv line 3: wrong number of fields"},
		{"header.csv", "a,,c\n1,2,3\n", "header.csv line 1: column 2 has no name"},
		{"bad.ndjson", `{"a":1}` + "\n" + `{"a":2,}` + "\n", "bad.ndjson line 2: invalid character '}'"},
		{"array.ndjson", `[1,2]` + "\n", "array.ndjson line 1: not a JSON object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "0-good.csv", "a,b\n1,2\n")
			write(t, dir, c.name, c.text)
			conn := plugintest.InProcess(t, Plugin)
			r := read(t, conn, sdk.Config{"folder": dir}, nil)
			if r.err == nil || !strings.Contains(r.err.Error(), c.want) {
				t.Fatalf("error %v, want %q", r.err, c.want)
			}
			// NDJSON is checked while its columns are collected, before any
			// row is sent; a CSV fails while its rows are read, after the
			// good file before it was checkpointed.
			if strings.HasSuffix(c.name, ".csv") && c.name != "header.csv" && len(r.states) != 1 {
				t.Errorf("%d checkpoints before the bad CSV", len(r.states))
			}
		})
	}
}

func TestBadSettings(t *testing.T) {
	conn := plugintest.InProcess(t, Plugin)
	ctx := context.Background()
	if _, err := conn.Discover(ctx, "folder", sdk.Config{"folder": filepath.Join(t.TempDir(), "nope")}); err == nil || !strings.Contains(err.Error(), "cannot read the folder") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := conn.Discover(ctx, "folder", sdk.Config{"folder": t.TempDir(), "pattern": "[x"}); err == nil || !strings.Contains(err.Error(), "pattern") {
		t.Errorf("bad pattern: %v", err)
	}
	if r := read(t, conn, sdk.Config{"folder": t.TempDir()}, []byte(`{"version":9}`)); r.err == nil || !strings.Contains(r.err.Error(), "reset the source") {
		t.Errorf("foreign state: %v", r.err)
	}
}

func TestBinaryHandshake(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the plugin")
	}
	dir, err := filepath.Abs(".") // plugintest.Build names the binary after the folder
	if err != nil {
		t.Fatal(err)
	}
	bin := plugintest.Build(t, dir)
	plugintest.Smoke(t, bin)
	conn := plugintest.Launch(t, bin)
	data := t.TempDir()
	write(t, data, "x.csv", "a\n1\n2\n")
	if r := read(t, conn, sdk.Config{"folder": data}, nil); r.err != nil || len(r.rows) != 2 || len(r.states) != 1 {
		t.Errorf("read through the binary: %v %v %d", r.err, r.rows, len(r.states))
	}
}
