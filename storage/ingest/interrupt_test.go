package ingest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

func TestCancelChangesNothing(t *testing.T) {
	p := newProject(t)
	path := bigCSV(t, p, 3_000_000)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{}, 1)
	go func() {
		<-started
		time.Sleep(150 * time.Millisecond)
		cancel()
	}()
	_, err := Import(ctx, p, path, Options{Table: "big", Progress: func(stage string, _ float64) {
		if stage == "Reading rows" {
			select {
			case started <- struct{}{}:
			default:
			}
		}
	}})
	if err == nil {
		t.Skip("the import finished before it could be cancelled")
	}
	if !strings.Contains(err.Error(), "cancel") && !strings.Contains(err.Error(), "interrupt") && !strings.Contains(err.Error(), "Interrupt") {
		t.Fatalf("error does not say it was cancelled: %v", err)
	}
	if ok, _ := p.TableExists(context.Background(), "big"); ok {
		t.Fatal("a cancelled import left a table")
	}
	var n int
	p.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&n)
	if n != 0 {
		t.Fatal("a cancelled import was recorded")
	}
}

// TestKilledMidImport kills a process in the middle of an import and checks
// the project opens afterwards without the half-imported table.
func TestKilledMidImport(t *testing.T) {
	if os.Getenv("MB_CHILD_IMPORT") != "" {
		p, err := storage.Open(os.Getenv("MB_CHILD_PROJECT"))
		if err != nil {
			os.Exit(3)
		}
		Import(context.Background(), p, os.Getenv("MB_CHILD_IMPORT"), Options{Table: "big", Progress: func(stage string, _ float64) {
			if stage == "Reading rows" {
				os.Stdout.WriteString("reading\n")
			}
		}})
		os.Stdout.WriteString("finished\n")
		p.Close()
		os.Exit(0)
	}
	p := newProject(t)
	mustImport(t, p, write(t, "small.csv", []byte("a,b\n1,2\n")), Options{})
	path := bigCSV(t, p, 3_000_000)
	proj := p.Path
	p.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidImport$")
	cmd.Env = append(os.Environ(), "MB_CHILD_IMPORT="+path, "MB_CHILD_PROJECT="+proj)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(out)
	line, _ := rd.ReadString('\n')
	if line != "reading\n" {
		cmd.Process.Kill()
		t.Fatalf("child said %q", line)
	}
	time.Sleep(100 * time.Millisecond)
	cmd.Process.Kill()
	rest, _ := io.ReadAll(rd)
	cmd.Wait()
	if strings.Contains(string(rest), "finished") {
		t.Skip("the import finished before the kill; nothing to check on this fast machine")
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
	q.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&imports)
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
