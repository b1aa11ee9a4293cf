// Package storage keeps a Marketbench project: one DuckDB file holding the
// user's tables plus metadata tables prefixed "mb_" (schema version, imports,
// column roles, recipes, segments, audit log).
package storage

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Ext is the file extension of a project file.
const Ext = ".mbproj"

// Errors callers can test for with errors.Is. Their messages are written for
// the user.
var (
	ErrNotProject = errors.New("not a Marketbench project")
	ErrNewer      = errors.New("made by a newer version of Marketbench")
	ErrLocked     = errors.New("open in another Marketbench window or process")
	ErrExists     = errors.New("a file with that name already exists")
	ErrNotFound   = errors.New("no such project file")
	ErrCorrupt    = errors.New("the file is damaged")
)

// Project is an open project file. It is safe for concurrent use: database/sql
// pools connections to the one embedded DuckDB instance.
type Project struct {
	Path string
	db   *sql.DB
	q    Querier // db, or the transaction of a Project from InTx
	tx   *Tx
	conn *duckdb.Connector
	user string
}

// Querier is what *sql.DB and *sql.Tx have in common.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// InTx returns the project as seen from inside tx: its reads see the
// transaction's uncommitted changes and its writes (Tx, SetRoles, Audit)
// join the transaction, so a multi-step change commits as one.
func (p *Project) InTx(tx *Tx) *Project {
	c := *p
	c.q, c.tx = tx, tx
	return &c
}

// open paths in this process: DuckDB's file lock is per process, so a second
// handle from the same process would not be stopped by it.
var (
	openMu    sync.Mutex
	openPaths = map[string]bool{}
)

// Create makes a new, empty project file. It refuses to overwrite anything.
func Create(path string) (*Project, error) { return create(path, len(migrations)) }

// create makes a project at a given format version (a safe copy keeps its
// source's version, then upgrades like Open).
func create(path string, version int) (*Project, error) {
	path = withExt(path)
	if _, err := os.Stat(path); err == nil {
		return nil, i18n.Errorf("cannot create %s: %w; open it instead or choose another name", path, ErrExists)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, i18n.Errorf("cannot create the folder for %s: %w", path, err)
	}
	p, err := connect(path, false)
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	if err := p.migrateTo(context.Background(), 0, version); err != nil {
		p.Close()
		os.Remove(path)
		os.Remove(path + ".wal")
		return nil, err
	}
	return p, nil
}

// Open opens an existing project. A file that is not a project, is from a
// newer version, or is in use elsewhere is refused without being changed.
func Open(path string) (*Project, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	// Inspect read-only first so a refused file is never written to.
	ro, err := connect(path, true)
	if err != nil {
		return nil, err
	}
	v, err := vet(context.Background(), ro.db, ro.Path)
	ro.Close()
	if err != nil {
		return nil, err
	}
	if v > len(migrations) {
		return nil, i18n.Errorf("cannot open %s: it was %w (project format %d, this version reads up to %d); update Marketbench", path, ErrNewer, v, len(migrations))
	}
	p, err := connect(path, false)
	if err != nil {
		return nil, err
	}
	if err := p.migrate(context.Background(), v); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// checkHeader refuses files that are not DuckDB databases before DuckDB sees
// them: DuckDB would happily initialise an empty file as a new database.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return i18n.Errorf("cannot open %s: %w; check the path or create a project with 'marketbench init'", path, ErrNotFound)
	}
	if err != nil {
		return i18n.Errorf("cannot open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 12)
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head[8:12], []byte("DUCK")) {
		return i18n.Errorf("cannot open %s: it is %w file (it is not a DuckDB database)", path, ErrNotProject)
	}
	return nil
}

func connect(path string, readOnly bool) (*Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	openMu.Lock()
	defer openMu.Unlock()
	if openPaths[abs] {
		return nil, i18n.Errorf("cannot open %s: it is already %w", path, ErrLocked)
	}
	// Extensions are never installed or loaded behind the user's back (a
	// URL in a query would otherwise fetch httpfs), and once the connection
	// is set up its configuration is locked, so no query can change it.
	dsn := abs + "?autoinstall_known_extensions=false&autoload_known_extensions=false&allow_community_extensions=false"
	if readOnly {
		dsn += "&access_mode=read_only"
	}
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, translateOpenError(path, err)
	}
	db := sql.OpenDB(c)
	// Metadata times are TIMESTAMP (no zone) filled from current_timestamp;
	// in UTC they read back as the instant they were written, whatever the
	// machine's zone. GLOBAL, so every pooled connection has it.
	if _, err := db.Exec(`SET GLOBAL TimeZone = 'UTC'`); err != nil {
		db.Close()
		return nil, translateOpenError(path, err)
	}
	if _, err := db.Exec(`SET GLOBAL lock_configuration = true`); err != nil {
		db.Close()
		return nil, translateOpenError(path, err)
	}
	openPaths[abs] = true
	return &Project{Path: abs, db: db, q: db, conn: c, user: currentUser()}, nil
}

func translateOpenError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock"):
		return i18n.Errorf("cannot open %s: it is %w; close it there first", path, ErrLocked)
	case strings.Contains(msg, "Trying to read a database file with version number"):
		return i18n.Errorf("cannot open %s: it was %w (its storage format is one this version cannot read); update Marketbench", path, ErrNewer)
	case strings.Contains(msg, "Corrupt database file") || strings.Contains(msg, "checksum"):
		return i18n.Errorf("cannot open %s: %w (the file is damaged: %s); restore it from a backup", path, ErrCorrupt, FirstLine(strings.TrimPrefix(msg, "database/sql/driver: could not connect to database: ")))
	case strings.Contains(msg, "not a valid DuckDB database"), strings.Contains(msg, "Serialization"):
		return i18n.Errorf("cannot open %s: it is %w file", path, ErrNotProject)
	}
	return i18n.Errorf("cannot open %s: %v", path, err)
}

// Close checkpoints and closes the file. Safe to call twice.
func (p *Project) Close() error {
	if p == nil || p.db == nil {
		return nil
	}
	err := p.db.Close()
	if cerr := p.conn.Close(); err == nil {
		err = cerr
	}
	p.db = nil
	openMu.Lock()
	delete(openPaths, p.Path)
	openMu.Unlock()
	return err
}

// Q is where queries go: the database, or the transaction for a project
// from InTx. Packages of this module query through it.
func (p *Project) Q() Querier { return p.q }

// DB is the underlying database for packages of this module.
func (p *Project) DB() *sql.DB { return p.db }

// Name is the file name without folder and extension.
func (p *Project) Name() string {
	return strings.TrimSuffix(filepath.Base(p.Path), Ext)
}

func withExt(path string) string {
	if filepath.Ext(path) == "" {
		return path + Ext
	}
	return path
}

func currentUser() string {
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
