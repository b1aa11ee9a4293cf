// Command csvsource is a Marketbench source plugin. As generated it imports
// the CSV files of a folder: each new file once, in name order, with a
// checkpoint after every whole file, so the next import reads only the
// files that arrived since. Replace listFiles and readFile with your
// system's API; keep the checkpoints.
package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/marketbench/marketbench/sdk"
)

// Plugin is what this program serves; the tests use it too.
var Plugin = sdk.Plugin{
	ID:      "example.com/csvsource",
	Version: "0.1.0", // keep in step with plugin.json
	Sources: []sdk.Source{source{}},
}

func main() { sdk.Serve(Plugin) }

// Stream is the one stream this source offers.
const Stream = "rows"

// batchRows bounds a batch; the protocol likes batches of 1-8 MB.
const batchRows = 10000

type source struct{}

func (source) Spec() sdk.Component {
	return sdk.Component{
		Name:        "folder",
		Title:       "Folder of CSV files",
		Description: "Imports the new CSV files of a folder, each file once.",
		Config: []sdk.Field{
			{Name: "folder", Type: sdk.String, Title: "Folder", Required: true, Help: "Absolute path of the folder the files are saved in."},
			{Name: "pattern", Type: sdk.String, Title: "File names", Default: "*.csv", Help: `Which files to import, e.g. "orders-*.csv".`},
			{Name: "delimiter", Type: sdk.Enum, Title: "Delimiter", Default: "comma", Enum: []string{"comma", "semicolon", "tab"}},
		},
	}
}

func (source) Discover(_ context.Context, cfg sdk.Config) ([]sdk.Stream, error) {
	if _, err := listFiles(cfg); err != nil {
		return nil, err
	}
	return []sdk.Stream{{Name: Stream, Description: "The rows of the CSV files in " + cfg.String("folder")}}, nil
}

// state is what a checkpoint carries: the columns, and the files imported.
type state struct {
	Columns []string `json:"columns"`
	Files   []string `json:"files"`
}

// Read writes the rows of the files not imported yet. Every column is text
// (the host casts), plus "_file", the file a row came from.
func (source) Read(ctx context.Context, cfg sdk.Config, stream string, raw []byte, out sdk.SourceWriter) error {
	if stream != Stream {
		return fmt.Errorf("this source has one stream, %q, not %q", Stream, stream)
	}
	var st state
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("the saved import state is damaged: %v", err)
		}
	}
	names, err := listFiles(cfg)
	if err != nil {
		return err
	}
	for _, name := range names {
		if slices.Contains(st.Files, name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readFile(cfg, name, &st, out); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		st.Files = append(st.Files, name)
		b, _ := json.Marshal(st)
		// Everything written before this is kept with this state: the next
		// import starts after this file.
		if err := out.Checkpoint(b); err != nil {
			return err
		}
	}
	return nil
}

// listFiles returns the matching files in the folder, sorted by name.
func listFiles(cfg sdk.Config) ([]string, error) {
	dir := cfg.String("folder")
	if !filepath.IsAbs(dir) {
		return nil, fmt.Errorf("the folder %q is not an absolute path", dir)
	}
	pattern := cfg.String("pattern")
	if pattern == "" {
		pattern = "*.csv"
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot read the folder %s: %v", dir, err)
	}
	var names []string
	for _, e := range ents {
		ok, err := filepath.Match(pattern, e.Name())
		if err != nil {
			return nil, fmt.Errorf("the file name pattern %q is not valid", pattern)
		}
		if ok && e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	return names, nil // os.ReadDir sorts by name
}

// readFile writes one file's rows. The first file imported fixes the
// columns; a later file with other columns is an error, in words.
func readFile(cfg sdk.Config, name string, st *state, out sdk.SourceWriter) error {
	f, err := os.Open(filepath.Join(cfg.String("folder"), name))
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = map[string]rune{"semicolon": ';', "tab": '\t'}[cfg.String("delimiter")]
	if r.Comma == 0 {
		r.Comma = ','
	}
	header, err := r.Read()
	if err == io.EOF {
		return nil // an empty file has no rows
	} else if err != nil {
		return err
	}
	if st.Columns == nil {
		st.Columns = header
	} else if !slices.Equal(header, st.Columns) {
		return fmt.Errorf("its columns %v differ from the columns imported so far %v", header, st.Columns)
	}
	fields := []arrow.Field{{Name: "_file", Type: arrow.BinaryTypes.String}}
	for _, c := range header {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fields, nil))
	defer b.Release()
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		if rec.NumRows() == 0 {
			return nil
		}
		return out.Write(rec)
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return flush()
		} else if err != nil {
			return err
		}
		b.Field(0).(*array.StringBuilder).Append(name)
		for i, v := range row {
			if v == "" {
				b.Field(i + 1).AppendNull()
			} else {
				b.Field(i + 1).(*array.StringBuilder).Append(v)
			}
		}
		if b.Field(0).Len() == batchRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}
