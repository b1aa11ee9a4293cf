package storage

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// newProject makes a fresh project in a temp folder, closed at test end.
func newProject(t testing.TB) *Project {
	t.Helper()
	p, err := Create(filepath.Join(t.TempDir(), "t"+Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestCreateOpenClose(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shop")
	p, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "shop" || filepath.Ext(p.Path) != Ext {
		t.Fatalf("path %q name %q", p.Path, p.Name())
	}
	if _, err := p.DB().Exec(`CREATE TABLE customers AS SELECT 1 AS id`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p.Path); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open in one process: %v, want ErrLocked", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal("second close:", err)
	}
	if _, err := Create(p.Path); !errors.Is(err, ErrExists) {
		t.Fatalf("create over existing: %v", err)
	}
	q, err := Open(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	tables, err := q.Tables(context.Background())
	if err != nil || len(tables) != 1 || tables[0].Name != "customers" || tables[0].Rows != 1 {
		t.Fatalf("tables %+v %v", tables, err)
	}
}

func TestOpenRefusesWithoutChanging(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	plain := filepath.Join(dir, "plain.duckdb")
	db, err := sql.Open("duckdb", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE x AS SELECT 42 AS a`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer, err := Create(filepath.Join(dir, "newer"))
	if err != nil {
		t.Fatal(err)
	}
	newer.DB().Exec(`INSERT INTO mb_schema (version) VALUES (999)`)
	newer.Close()

	cases := map[string]struct {
		path string
		want error
	}{
		"missing":     {filepath.Join(dir, "nope.mbproj"), ErrNotFound},
		"empty":       {write("empty.mbproj", nil), ErrNotProject},
		"text":        {write("notes.mbproj", []byte("hello, this is not a database\n")), ErrNotProject},
		"plainDuckDB": {plain, ErrNotProject},
		"newer":       {newer.Path, ErrNewer},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var before [32]byte
			if _, err := os.Stat(c.path); err == nil {
				before = fileHash(t, c.path)
			}
			_, err := Open(c.path)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if _, serr := os.Stat(c.path); serr == nil && fileHash(t, c.path) != before {
				t.Fatal("the refused file was changed")
			}
		})
	}
}

// TestLockedByOtherProcess opens a project in a child process and checks the
// parent is refused with a clear message.
func TestLockedByOtherProcess(t *testing.T) {
	if path := os.Getenv("MB_HOLD_PROJECT"); path != "" {
		p, err := Open(path)
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("open\n")
		time.Sleep(30 * time.Second)
		p.Close()
		os.Exit(0)
	}
	p := newProject(t)
	path := p.Path
	p.Close()
	cmd := exec.Command(os.Args[0], "-test.run=TestLockedByOtherProcess")
	cmd.Env = append(os.Environ(), "MB_HOLD_PROJECT="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "open\n" {
		t.Fatalf("child did not open the project: %q", line)
	}
	_, err := Open(path)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("got %v, want ErrLocked", err)
	}
}

func TestAuditInTransaction(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := p.Tx(ctx, func(tx *Tx) error {
		if err := p.Audit(ctx, tx, "test", "x", 1, 2, "rolled back"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := p.Tx(ctx, func(tx *Tx) error { return p.Audit(ctx, tx, "test", "y", -1, 5, "kept") }); err != nil {
		t.Fatal(err)
	}
	log, err := p.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Target != "y" || log[0].RowsBefore.Valid || log[0].RowsAfter.Int64 != 5 || log[0].Who == "" {
		t.Fatalf("audit log %+v %v", log, err)
	}
}

func TestReadOnlyConsole(t *testing.T) {
	p := newProject(t)
	leak := filepath.Join(t.TempDir(), "leak.csv")
	ctx := context.Background()
	p.DB().Exec(`CREATE TABLE t AS SELECT range AS i FROM range(10)`)
	res, err := p.ReadOnly(ctx, `SELECT i, i * 1.5 AS f FROM t ORDER BY i`, 3, 5*time.Second)
	if err != nil || len(res.Rows) != 3 || !res.Truncated || res.Rows[1][1] != "1.5" {
		t.Fatalf("%+v %v", res, err)
	}
	for _, q := range []string{`DROP TABLE t`, `DELETE FROM t`, `INSERT INTO t VALUES (1)`, `UPDATE t SET i = 0`,
		`CREATE TABLE u (a INT)`, `COPY t TO '/tmp/x.csv'`, `ATTACH ':memory:' AS m`, `SELECT 1; DROP TABLE t`,
		`DELETE FROM t; SELECT 1`, `DELETE FROM mb_imports; SELECT 1`, `EXPLAIN ANALYZE COPY (SELECT 42) TO '` + leak + `'`,
		`EXPLAIN ANALYZE SET GLOBAL default_null_order = 'nulls_first'`, `SET threads = 1`, ``, `   `} {
		if _, err := p.ReadOnly(ctx, q, 10, time.Second); err == nil {
			t.Errorf("%q was allowed", q)
		}
	}
	if n, _ := p.RowCount(ctx, "t"); n != 10 {
		t.Fatalf("table changed: %d rows", n)
	}
	if _, err := os.Stat(leak); err == nil {
		t.Fatal("EXPLAIN ANALYZE COPY wrote a file")
	}
	_, err = p.ReadOnly(ctx, `SELECT count(*) FROM range(100000000000) a`, 10, 200*time.Millisecond)
	if err == nil {
		t.Fatal("a long query was not stopped")
	}
}

func TestPagingWithTiesCoversEveryRowOnce(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	p.DB().Exec(`CREATE TABLE t AS SELECT range AS id, range % 3 AS grp, CASE WHEN range % 7 = 0 THEN NULL ELSE range % 5 END AS v FROM range(1000)`)
	seen := map[string]bool{}
	var total int64
	for off := int64(0); ; off += 64 {
		pg, err := p.Page(ctx, PageRequest{Table: "t", Sort: "v", Desc: true, Where: `grp <> ?`, Args: []any{1}, Offset: off, Limit: 64})
		if err != nil {
			t.Fatal(err)
		}
		total = pg.Total
		if len(pg.Rows) == 0 {
			break
		}
		for i, r := range pg.Rows {
			if seen[r[0]] {
				t.Fatalf("row %s on two pages", r[0])
			}
			seen[r[0]] = true
			if i > 0 && pg.Rows[i-1][2] != "" && r[2] != "" && pg.Rows[i-1][2] < r[2] {
				t.Fatalf("not sorted: %v then %v", pg.Rows[i-1], r)
			}
		}
	}
	if int64(len(seen)) != total || total != 667 {
		t.Fatalf("saw %d of %d rows", len(seen), total)
	}
	if _, err := p.Page(ctx, PageRequest{Table: "t", Sort: "nope"}); err == nil {
		t.Fatal("unknown sort column accepted")
	}
}

func TestAuditTimesAreInstants(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	if err := p.Tx(ctx, func(tx *Tx) error { return p.Audit(ctx, tx, "test", "x", -1, 1, "") }); err != nil {
		t.Fatal(err)
	}
	log, err := p.AuditLog(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(log[0].At); d < -time.Minute || d > time.Minute {
		t.Fatalf("audit time %v is %v away from now (zone %s)", log[0].At, d, time.Local)
	}
}
