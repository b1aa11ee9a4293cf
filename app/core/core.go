// Package core holds Marketbench's use cases: the one API the GUI and the
// CLI both call. It owns no widgets and prints nothing; long work takes a
// context (for cancel) and a Progress sink.
package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// Progress reports a stage and how far it is (0..1, or -1 when unknown).
type Progress = ingest.Progress

// Workspace is an open project and the operations on it.
type Workspace struct {
	*storage.Project
	seal *sealing // nil for a plain project; see seal.go
}

// Create makes a new empty project file.
func Create(path string) (*Workspace, error) {
	p, err := storage.Create(path)
	if err != nil {
		return nil, err
	}
	rememberRecent(p.Path)
	return &Workspace{Project: p}, nil
}

// Open opens an existing project file. A sealed one opens when its key is
// in the system keyring; otherwise the error is a *PassphraseError (see
// OpenWith).
func Open(path string) (*Workspace, error) {
	if IsSealed(path) {
		return OpenWith(path, "")
	}
	p, err := storage.Open(path)
	if err != nil {
		return nil, err
	}
	rememberRecent(p.Path)
	return &Workspace{Project: p}, nil
}

// SafeCopy makes a new project at dst holding src's data and metadata but
// none of the SQL code that made Open refuse src (storage.ErrForeignCode),
// and opens it. src is never changed.
func SafeCopy(ctx context.Context, src, dst string) (*Workspace, *storage.SafeCopyReport, error) {
	rep, err := storage.SafeCopy(ctx, src, dst)
	if err != nil {
		return nil, nil, err
	}
	w, err := Open(rep.Path)
	return w, rep, err
}

// SafeCopyPath suggests where a safe copy of src goes: beside it, with
// "-safe" (and a number when taken) before the extension.
func SafeCopyPath(src string) string {
	base := strings.TrimSuffix(src, filepath.Ext(src))
	for i := 1; ; i++ {
		p := base + "-safe" + storage.Ext
		if i > 1 {
			p = fmt.Sprintf("%s-safe-%d%s", base, i, storage.Ext)
		}
		if _, err := os.Stat(p); err != nil {
			return p
		}
	}
}

// Preview shows how a file would be imported, without writing anything.
func (w *Workspace) Preview(ctx context.Context, path string, opt ingest.Options) (*ingest.Preview, error) {
	return ingest.PreviewFile(ctx, w.Project, path, opt)
}

// Import brings a file into the project.
func (w *Workspace) Import(ctx context.Context, path string, opt ingest.Options) (*ingest.Result, error) {
	return ingest.Import(ctx, w.Project, path, opt)
}

// PageRequest asks for a page of a table; Filter is a rule in text form
// (e.g. `country = 'France' AND amount > 100`), empty for all rows.
type PageRequest struct {
	Table  string
	Sort   string
	Desc   bool
	Filter string
	Offset int64
	Limit  int
}

// Page reads one page of a table, filtered and sorted in SQL.
func (w *Workspace) Page(ctx context.Context, r PageRequest) (*storage.Page, error) {
	req := storage.PageRequest{Table: r.Table, Sort: r.Sort, Desc: r.Desc, Offset: r.Offset, Limit: r.Limit}
	if strings.TrimSpace(r.Filter) != "" {
		where, args, err := w.compileFilter(ctx, r.Table, r.Filter)
		if err != nil {
			return nil, err
		}
		req.Where, req.Args = where, args
	}
	return w.Project.Page(ctx, req)
}

// compileFilter compiles a row filter against a table's own columns.
func (w *Workspace) compileFilter(ctx context.Context, table, text string) (string, []any, error) {
	n, err := rule.Parse(text)
	if err != nil {
		return "", nil, i18n.Errorf("filter: %w", err)
	}
	cols, err := w.Columns(ctx, table)
	if err != nil {
		return "", nil, err
	}
	byName := map[string]rule.Column{}
	var names []string
	for _, c := range cols {
		byName[strings.ToLower(c.Name)] = rule.Column{SQL: storage.Quote(c.Name), Kind: segment.KindOf(c)}
		names = append(names, c.Name)
	}
	where, args, err := rule.Compile(n, func(name string) (rule.Column, bool) {
		c, ok := byName[strings.ToLower(name)]
		return c, ok
	}, rule.Options{Today: time.Now(), Names: names})
	if err != nil {
		return "", nil, i18n.Errorf("filter: %w", err)
	}
	return where, args, nil
}

// The SQL console's limits: a query runs at most ConsoleTimeout and shows
// at most ConsoleRows rows (and storage.MaxResultBytes of values).
var (
	ConsoleTimeout = 30 * time.Second
	ConsoleRows    = 10000
)

// SQL runs a read-only query from the SQL console.
func (w *Workspace) SQL(ctx context.Context, query string) (*storage.Result, error) {
	return w.ReadOnly(ctx, query, ConsoleRows, ConsoleTimeout)
}

// ExportTimeout bounds a "sql:" export, which runs a query the user typed.
var ExportTimeout = 10 * time.Minute

// Export writes a table ("orders"), a segment's members ("segment:Champions")
// or a read-only query ("sql:SELECT ...") to .csv, .parquet or .xlsx.
// Each export is recorded in the exports ledger (see Erase).
func (w *Workspace) Export(ctx context.Context, source, path string) (int64, error) {
	var n int64
	var err error
	if q, ok := strings.CutPrefix(source, "sql:"); ok {
		// The console's guard and a time limit; see storage.ExportQuery.
		n, err = w.Project.ExportQuery(ctx, q, path, ExportTimeout)
	} else {
		var q string
		if q, err = w.exportSQL(ctx, source); err != nil {
			return 0, err
		}
		n, err = w.Project.Export(ctx, q, path)
	}
	if err != nil {
		return n, err
	}
	if err := w.recordExport(ctx, source, path, n); err != nil {
		return n, i18n.Errorf("exported %d rows to %s, but could not record the export: %v", n, path, err)
	}
	return n, nil
}

func (w *Workspace) exportSQL(ctx context.Context, source string) (string, error) {
	if strings.HasPrefix(source, "segment:") {
		return segment.MembersSQL(ctx, w.Project, strings.TrimPrefix(source, "segment:"))
	}
	if ok, err := w.TableExists(ctx, source); err != nil {
		return "", err
	} else if !ok {
		return "", i18n.Errorf("no table %q; see 'tables' (use segment:NAME for a segment)", source)
	}
	return `SELECT * FROM ` + storage.Quote(source), nil
}

// recentFile lists recently opened projects, newest first.
func recentFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "marketbench", "recent.txt")
}

func rememberRecent(path string) {
	f := recentFile()
	if f == "" || os.Getenv("MARKETBENCH_NO_RECENT") != "" {
		return
	}
	list := append([]string{path}, Recent()...)
	seen := map[string]bool{}
	var out []string
	for _, p := range list {
		if !seen[p] && len(out) < 10 {
			seen[p] = true
			out = append(out, p)
		}
	}
	os.MkdirAll(filepath.Dir(f), 0o755)
	os.WriteFile(f, []byte(strings.Join(out, "\n")+"\n"), 0o644)
}

// Recent returns recently opened projects that still exist.
func Recent() []string {
	f := recentFile()
	if f == "" {
		return nil
	}
	b, err := os.ReadFile(f)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if _, err := os.Stat(l); err == nil {
				out = append(out, l)
			}
		}
	}
	return out
}

// ErrCancelled is returned when the user cancels long work.
var ErrCancelled = errors.New("cancelled; nothing was changed")
