package storage

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostile makes a project, then changes it as someone else's DuckDB could:
// raw SQL on the file, not through Marketbench.
func hostile(t *testing.T, tricks ...string) string {
	t.Helper()
	p := newProject(t)
	if _, err := p.DB().Exec(`CREATE TABLE customers AS SELECT i AS id, 'c' || i AS name FROM range(5) t(i)`); err != nil {
		t.Fatal(err)
	}
	path := p.Path
	p.Close()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range tricks {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return path
}

// marker is where a hostile macro would leave its trace.
func marker(t *testing.T) string { return filepath.Join(t.TempDir(), "pwned") }

func TestOpenRefusesProjectCode(t *testing.T) {
	m := marker(t)
	logging := `(SELECT count(*) FROM enable_logging(storage='file', storage_path='` + m + `'))`
	cases := map[string][]string{
		"macro shadowing the parser": {`CREATE MACRO json_serialize_sql(x) AS '{"error":false,"statements":[{}]}'`},
		"macro shadowing upper":      {`CREATE MACRO upper(x) AS ` + logging},
		"table macro shadowing the catalogue": {
			`CREATE MACRO duckdb_functions() AS TABLE SELECT 1 AS x`},
		"view in place of mb_schema": {`ALTER TABLE mb_schema RENAME TO mb_old`,
			`CREATE VIEW mb_schema AS SELECT * FROM mb_old, enable_logging(storage='file', storage_path='` + m + `')`},
		"view as a user table":    {`CREATE VIEW orders AS SELECT * FROM customers`},
		"default calling code":    {`ALTER TABLE customers ADD COLUMN note VARCHAR DEFAULT upper('x')`},
		"generated column":        {`CREATE TABLE g (a VARCHAR, b VARCHAR GENERATED ALWAYS AS (lower(a)))`},
		"check constraint":        {`CREATE TABLE k (a INT CHECK (abs(a) < 10))`},
		"expression index":        {`CREATE INDEX ix ON customers ((lower(name)))`},
		"macro in another schema": {`CREATE SCHEMA s`, `CREATE MACRO s.f(x) AS x`},
	}
	for name, tricks := range cases {
		t.Run(name, func(t *testing.T) {
			path := hostile(t, tricks...)
			before := fileHash(t, path)
			_, err := Open(path)
			if !errors.Is(err, ErrForeignCode) {
				t.Fatalf("got %v, want ErrForeignCode", err)
			}
			if !strings.Contains(err.Error(), "safe-copy") {
				t.Fatalf("the message does not say what to do: %v", err)
			}
			if fileHash(t, path) != before {
				t.Fatal("the refused file was changed")
			}
			if _, err := os.Stat(m); err == nil {
				t.Fatal("the project's code ran: it wrote", m)
			}
		})
	}
}

func TestOpenRefusesChangedMetadata(t *testing.T) {
	cases := map[string][]string{
		"extra column":    {`ALTER TABLE mb_audit ADD COLUMN x INT`},
		"dropped table":   {`DROP TABLE mb_channel_settings`},
		"changed type":    {`ALTER TABLE mb_segments ALTER size TYPE VARCHAR`},
		"dropped default": {`ALTER TABLE mb_campaigns ALTER status DROP DEFAULT`},
	}
	for name, tricks := range cases {
		t.Run(name, func(t *testing.T) {
			path := hostile(t, tricks...)
			before := fileHash(t, path)
			if _, err := Open(path); !errors.Is(err, ErrDamaged) {
				t.Fatalf("got %v, want ErrDamaged", err)
			}
			if fileHash(t, path) != before {
				t.Fatal("the refused file was changed")
			}
		})
	}
}

func TestOpenLocksConfiguration(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	for _, q := range []string{`SET autoload_known_extensions = true`, `SET autoinstall_known_extensions = true`, `SET GLOBAL TimeZone = 'Asia/Shanghai'`} {
		if _, err := p.DB().ExecContext(ctx, q); err == nil {
			t.Errorf("%s was allowed after open", q)
		}
	}
	var load, install, tz string
	if err := p.DB().QueryRowContext(ctx, `SELECT current_setting('autoload_known_extensions')::VARCHAR, current_setting('autoinstall_known_extensions')::VARCHAR, current_setting('TimeZone')`).Scan(&load, &install, &tz); err != nil {
		t.Fatal(err)
	}
	if load != "false" || install != "false" || tz != "UTC" {
		t.Fatalf("autoload %s, autoinstall %s, time zone %s", load, install, tz)
	}
}

// Finding 8: a damaged file or a newer storage format is not "open in
// another window".
func TestOpenDamagedOrNewerStorage(t *testing.T) {
	p := newProject(t)
	path := p.Path
	p.Close()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	corrupt := append([]byte{}, orig...)
	for i := 4096; i < 3*4096; i++ {
		corrupt[i] ^= 0x5a
	}
	// A valid main header (its checksum recomputed as DuckDB does) with a
	// storage version from the future.
	newer := append([]byte{}, orig...)
	binary.LittleEndian.PutUint64(newer[12:20], 999)
	sum := uint64(5381)
	for i := 8; i+8 <= 4096; i += 8 {
		sum ^= binary.LittleEndian.Uint64(newer[i:]) * 0xbf58476d1ce4e5b9
	}
	binary.LittleEndian.PutUint64(newer[0:8], sum)
	for name, c := range map[string]struct {
		data []byte
		want error
	}{"corrupt": {corrupt, ErrCorrupt}, "newer storage": {newer, ErrNewer}} {
		t.Run(name, func(t *testing.T) {
			f := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+Ext)
			if err := os.WriteFile(f, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Open(f)
			if !errors.Is(err, c.want) || errors.Is(err, ErrLocked) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckSelectRefusesSideEffects(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT 1 AS a`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "x.csv")
	os.WriteFile(csv, []byte("a,b\n1,2\n"), 0o644)
	logs := filepath.Join(dir, "logs")
	refused := []string{
		`SELECT * FROM enable_logging(storage='file', storage_path='` + logs + `')`,
		`SELECT * FROM t, enable_logging(storage='file', storage_path='` + logs + `.csv')`,
		`SELECT * FROM t WHERE EXISTS (SELECT 1 FROM enable_logging(storage='file', storage_path='` + logs + `'))`,
		`SELECT * FROM disable_logging()`,
		`SELECT * FROM query('CREATE TABLE z (a INT)')`,
		`SELECT * FROM query_table('t')`,
		`SELECT * FROM read_parquet('https://example.com/x.parquet')`,
		`SELECT * FROM read_csv(['` + csv + `', 's3://bucket/y.csv'])`,
		`SELECT * FROM read_csv('ht' || 'tps://example.com/x.csv')`,
		`SELECT * FROM 'https://example.com/x.csv'`,
		`SELECT * FROM 'hf://datasets/x/y.parquet'`,
		`SELECT getenv('HOME')`,
		`SELECT write_log('x')`,
		`SELECT * FROM duckdb_secrets()`,
		`SELECT * FROM main.pragma_version()`,
		`SELECT * FROM system.main.enable_logging(storage='file', storage_path='` + logs + `')`,
		`ATTACH '` + filepath.Join(dir, "a.db") + `' AS a`,
		`INSTALL httpfs`, `LOAD httpfs`, `SET autoload_known_extensions = true`,
		`COPY t TO '` + filepath.Join(dir, "out.csv") + `'`,
		`CALL enable_logging(storage='file', storage_path='` + logs + `')`,
		`PRAGMA enable_profiling`, `CREATE MACRO f(x) AS x`,
		`SELECT 1; DROP TABLE t`,
	}
	for _, q := range refused {
		if _, err := p.ReadOnly(ctx, q, 10, 5*time.Second); err == nil {
			t.Errorf("allowed: %s", q)
		} else if strings.Contains(err.Error(), "map[") {
			t.Errorf("%s: the message shows the parse tree: %v", q, err)
		}
	}
	for _, f := range []string{logs, logs + ".csv", filepath.Join(dir, "a.db"), filepath.Join(dir, "out.csv")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused query wrote %s", f)
		}
	}
	allowed := []string{
		`SELECT * FROM read_csv('` + csv + `', header = true, delim = ',')`,
		`SELECT * FROM '` + csv + `'`,
		`SELECT * FROM range(3)`,
		`SUMMARIZE t`,
		`FROM t`,
		`SELECT upper('https://example.com') AS url`,
		`SELECT table_name FROM duckdb_tables()`,
	}
	for _, q := range allowed {
		if _, err := p.ReadOnly(ctx, q, 10, 5*time.Second); err != nil {
			t.Errorf("refused %s: %v", q, err)
		}
	}
}

func TestConsoleResultCappedInBytes(t *testing.T) {
	p := newProject(t)
	old := MaxResultBytes
	MaxResultBytes = 1 << 20
	defer func() { MaxResultBytes = old }()
	res, err := p.ReadOnly(context.Background(), `SELECT repeat('x', 100000) AS v FROM range(1000)`, 10000, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Rows) > 12 {
		t.Fatalf("%d rows of 100 kB returned (truncated %v); want about 1 MB", len(res.Rows), res.Truncated)
	}
}

func TestExportQueryChecksWhatRuns(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	if _, err := p.DB().Exec(`CREATE TABLE t AS SELECT i AS a FROM range(10) r(i)`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	n, err := p.ExportQuery(ctx, "SELECT a FROM t WHERE a < 3 -- the first three;", out, time.Minute)
	if err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if n, err := p.ExportQuery(ctx, "SUMMARIZE t;", filepath.Join(dir, "s.parquet"), time.Minute); err != nil || n != 1 {
		t.Fatalf("summarize: %d rows, %v", n, err)
	}
	for _, q := range []string{
		"SELECT 1) TO '" + filepath.Join(dir, "evil.csv") + "'; DROP TABLE t; COPY (SELECT 1",
		"SELECT * FROM enable_logging(storage='file', storage_path='" + filepath.Join(dir, "logs") + "')",
	} {
		if _, err := p.ExportQuery(ctx, q, filepath.Join(dir, "x.csv"), time.Minute); err == nil {
			t.Errorf("exported: %s", q)
		}
	}
	if _, err := p.ExportQuery(ctx, `SELECT count(*) FROM range(100000000000) a`, filepath.Join(dir, "slow.csv"), 200*time.Millisecond); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("a slow export: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "out.csv" && e.Name() != "s.parquet" {
			t.Errorf("unexpected file %s", e.Name())
		}
	}
	var rows int
	if err := p.DB().QueryRow(`SELECT count(*) FROM t`).Scan(&rows); err != nil || rows != 10 {
		t.Fatalf("table t: %d rows, %v", rows, err)
	}
}

func TestSafeCopyKeepsDataNotCode(t *testing.T) {
	m := marker(t)
	path := hostile(t,
		`CREATE TABLE g (a VARCHAR DEFAULT upper('d'), b VARCHAR GENERATED ALWAYS AS (upper(a)), "my col" INT CHECK (abs("my col") < 10))`,
		`INSERT INTO g (a, "my col") VALUES ('kept', 1)`,
		`CREATE MACRO upper(x) AS (SELECT count(*) FROM enable_logging(storage='file', storage_path='`+m+`'))`,
		`CREATE VIEW v AS SELECT upper(name) FROM customers`,
		`INSERT INTO mb_audit (who, action, target) VALUES ('them', 'import', 'customers')`,
	)
	before := fileHash(t, path)
	dst := filepath.Join(t.TempDir(), "safe"+Ext)
	rep, err := SafeCopy(context.Background(), path, dst)
	if err != nil {
		t.Fatal(err)
	}
	if fileHash(t, path) != before {
		t.Fatal("the source was changed")
	}
	if _, err := os.Stat(m); err == nil {
		t.Fatal("the source's code ran")
	}
	left := strings.Join(rep.LeftOut, "; ")
	for _, w := range []string{"macro upper", "view v", "computed column g.b", "check constraint on g"} {
		if !strings.Contains(left, w) {
			t.Errorf("left out %q, missing %q", left, w)
		}
	}
	q, err := Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	var a string
	var col, customers, audits int
	if err := q.DB().QueryRow(`SELECT a, "my col" FROM g`).Scan(&a, &col); err != nil || a != "kept" || col != 1 {
		t.Fatalf("g: %q %d %v", a, col, err)
	}
	q.DB().QueryRow(`SELECT count(*) FROM customers`).Scan(&customers)
	q.DB().QueryRow(`SELECT count(*) FROM mb_audit WHERE who = 'them' OR action = 'safe-copy'`).Scan(&audits)
	if customers != 5 || audits != 2 {
		t.Fatalf("customers %d, audit rows %d", customers, audits)
	}
	// New metadata rows get fresh ids after the copied ones.
	tx, _ := q.DB().Begin()
	if err := q.Audit(context.Background(), tx, "test", "x", -1, -1, ""); err != nil {
		t.Fatal(err)
	}
	tx.Commit()
	var up string
	q.DB().QueryRow(`SELECT upper('x')`).Scan(&up)
	if up != "X" {
		t.Fatalf("upper is still shadowed: %q", up)
	}
}
