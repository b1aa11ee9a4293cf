package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

// folder makes a folder with two CSV files of 3 and 2 rows.
func folder(t *testing.T) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "2024-01.csv"), []byte("customer_id,amount\nC1,10\nC2,\nC3,7.5\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "2024-02.csv"), []byte("customer_id,amount\nC1,3\nC4,12\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a CSV file"), 0o644)
	return dir
}

// The conformance suite, in-process: the stream is listed, a read's
// batches share one schema and end with a checkpoint. Then the import
// resumes: nothing new, then only the new file.
func TestConformance(t *testing.T) {
	dir := folder(t)
	conn := plugintest.InProcess(t, Plugin)
	c := plugintest.SourceCase{Component: "folder", Config: sdk.Config{"folder": dir}, Stream: Stream}
	first := plugintest.Source(t, conn, c)
	if first.Rows != 5 || first.Checkpoints != 2 {
		t.Fatalf("first import: %d rows, %d checkpoints; want 5 rows, 2 checkpoints", first.Rows, first.Checkpoints)
	}
	if got := first.Schema.Field(0).Name + "," + first.Schema.Field(1).Name; got != "_file,customer_id" {
		t.Errorf("columns %s", got)
	}
	c.State = first.State
	if again := plugintest.Source(t, conn, c); again.Rows != 0 {
		t.Errorf("a second import read %d rows again", again.Rows)
	}
	os.WriteFile(filepath.Join(dir, "2024-03.csv"), []byte("customer_id,amount\nC5,1\n"), 0o644)
	if next := plugintest.Source(t, conn, c); next.Rows != 1 {
		t.Errorf("after a new file, %d rows, want 1", next.Rows)
	}
}

// A file with other columns is an error that names it.
func TestOtherColumns(t *testing.T) {
	dir := folder(t)
	os.WriteFile(filepath.Join(dir, "2024-03.csv"), []byte("id,total\nC5,1\n"), 0o644)
	var st state
	w := &collect{}
	err := source{}.Read(t.Context(), sdk.Config{"folder": dir}, Stream, nil, w)
	if err == nil || !slices.Contains(w.files(), "2024-02.csv") {
		t.Fatalf("err %v after %v", err, w.files())
	}
	json.Unmarshal(w.states[len(w.states)-1], &st)
	if len(st.Files) != 2 {
		t.Errorf("the last checkpoint holds %v", st.Files)
	}
}

// The built program, started the way Marketbench starts it.
func TestBinary(t *testing.T) {
	bin := plugintest.Build(t, ".") // CGO_ENABLED=0
	plugintest.Smoke(t, bin)        // fails if something prints to stdout before sdk.Serve
	conn := plugintest.Launch(t, bin)
	if r := plugintest.Source(t, conn, plugintest.SourceCase{Component: "folder", Config: sdk.Config{"folder": folder(t)}, Stream: Stream}); r.Rows != 5 {
		t.Errorf("%d rows, want 5", r.Rows)
	}
}

// plugin.json says what the plugin is; Marketbench reads it before the
// plugin runs.
func TestManifest(t *testing.T) {
	b, err := os.ReadFile(sdk.ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	var m sdk.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != Plugin.ID || m.Version != Plugin.Version || !slices.Equal(m.Kinds, Plugin.Kinds()) {
		t.Errorf("plugin.json says %s %s %v, the plugin %s %s %v", m.ID, m.Version, m.Kinds, Plugin.ID, Plugin.Version, Plugin.Kinds())
	}
}
