package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// bigCSV writes a CSV large enough that importing it takes a while.
func bigCSV(t *testing.T, p *storage.Project, rows int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.csv")
	_, err := p.DB().Exec(`COPY (SELECT range AS id, 'name ' || range AS name, range * 1.5 AS amount, DATE '2024-01-01' + (range % 700)::INT AS day,
		md5(range::VARCHAR) AS h1, md5((range + 1)::VARCHAR) AS h2 FROM range(?)) TO `+storage.Literal(path)+` (HEADER)`, rows)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// holdWhenLoaded makes imports in this test stop inside their transaction
// once the rows are in the staging table: loaded is closed then, and the
// import goes on only after release. So an interrupt always lands in the
// middle of an import; the tests used to race the import and skip
// themselves when it won.
func holdWhenLoaded(t *testing.T) (loaded <-chan struct{}, release func()) {
	l, r := make(chan struct{}), make(chan struct{})
	var once sync.Once
	testHookLoaded = func() {
		once.Do(func() { close(l) })
		<-r
	}
	var rel sync.Once
	release = func() { rel.Do(func() { close(r) }) }
	t.Cleanup(func() { release(); testHookLoaded = nil })
	return l, release
}

// TestCancelChangesNothing cancels an import half way (its rows loaded,
// nothing committed) and checks that nothing changed: no table, no staging
// table, no import record, no audit entry. Made to ignore the cancel
// (importFile given context.WithoutCancel) the import commits and this test
// fails; with the import recorded outside its transaction it fails too.
func TestCancelChangesNothing(t *testing.T) {
	p := newProject(t)
	path := bigCSV(t, p, 50_000)
	loaded, release := holdWhenLoaded(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-loaded:
		case <-time.After(2 * time.Minute):
		}
		cancel()
		release()
	}()
	_, err := Import(ctx, p, path, Options{Table: "big"})
	select {
	case <-loaded:
	default:
		t.Fatalf("the import ended (%v) before its rows were loaded", err)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("error %v, want the import cancelled", err)
	}
	if ok, err := p.TableExists(context.Background(), "big"); err != nil || ok {
		t.Fatalf("a cancelled import left a table (%v)", err)
	}
	var imports, audits, tables int
	if err := p.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&imports); err != nil {
		t.Fatal(err)
	}
	if err := p.DB().QueryRow(`SELECT count(*) FROM mb_audit`).Scan(&audits); err != nil {
		t.Fatal(err)
	}
	if err := p.DB().QueryRow(`SELECT count(*) FROM duckdb_tables() WHERE NOT starts_with(table_name, 'mb_') OR starts_with(table_name, 'mb_staging')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if imports != 0 || audits != 0 || tables != 0 {
		t.Fatalf("a cancelled import left %d import records, %d audit entries, %d tables", imports, audits, tables)
	}
}

// TestKilledMidImport kills a process in the middle of an import (held
// inside its transaction with the rows loaded, so it cannot have finished)
// and checks the project opens afterwards without the half-imported table
// or its record. It used to skip itself when the import finished first.
func TestKilledMidImport(t *testing.T) {
	if os.Getenv("MB_CHILD_IMPORT") != "" {
		p, err := storage.Open(os.Getenv("MB_CHILD_PROJECT"))
		if err != nil {
			os.Exit(3)
		}
		testHookLoaded = func() {
			os.Stdout.WriteString("loaded\n")
			select {} // until killed
		}
		_, err = Import(context.Background(), p, os.Getenv("MB_CHILD_IMPORT"), Options{Table: "big"})
		os.Stdout.WriteString(fmt.Sprintf("finished: %v\n", err))
		p.Close()
		os.Exit(0)
	}
	p := newProject(t)
	mustImport(t, p, write(t, "small.csv", []byte("a,b\n1,2\n")), Options{})
	path := bigCSV(t, p, 50_000)
	proj := p.Path
	p.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidImport$")
	cmd.Env = append(os.Environ(), "MB_CHILD_IMPORT="+path, "MB_CHILD_PROJECT="+proj)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if line != "loaded\n" {
		t.Fatalf("the child said %q, not that its rows were loaded", line)
	}

	q, err := storage.Open(proj)
	if err != nil {
		t.Fatalf("project does not open after a kill: %v", err)
	}
	defer q.Close()
	tables, err := q.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range tables {
		names = append(names, tb.Name)
	}
	var imports int
	if err := q.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&imports); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "small" || imports != 1 {
		t.Fatalf("after the kill: tables %v, imports %d", names, imports)
	}
}

// TestLargeDuplicateRolledBack covers big files, whose hash is checked only
// after the rows were read: the re-import must still be refused and leave
// the table as it was.
func TestLargeDuplicateRolledBack(t *testing.T) {
	p := newProject(t)
	path := bigCSV(t, p, 800_000)
	if st, _ := os.Stat(path); st.Size() < 32<<20 {
		t.Fatalf("test file too small (%d bytes) to take the late check", st.Size())
	}
	mustImport(t, p, path, Options{Table: "big"})
	_, err := Import(context.Background(), p, path, Options{Table: "big", Mode: Append})
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("got %v", err)
	}
	if n, _ := p.RowCount(context.Background(), "big"); n != 800_000 {
		t.Fatalf("%d rows after a refused append", n)
	}
}
