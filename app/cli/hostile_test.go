package cli

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
)

// appFunctions lists the DuckDB built-ins the app's own SQL calls: every
// name followed by "(" in a string literal of the non-test Go files under
// storage/ and app/, kept when DuckDB has a built-in of that name. Found
// from the code, so a function added tomorrow is covered tomorrow.
func appFunctions(t *testing.T) (scalar, table []string) {
	t.Helper()
	call := regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\s*\(`)
	used := map[string]bool{}
	for _, dir := range []string{"../../storage", "../../app"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						for _, m := range call.FindAllStringSubmatch(s, -1) {
							used[strings.ToLower(m[1])] = true
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT DISTINCT function_name, function_type IN ('table', 'table_macro') FROM duckdb_functions() WHERE internal AND schema_name = 'main'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var isTable bool
		rows.Scan(&name, &isTable)
		if !used[strings.ToLower(name)] {
			continue
		}
		if isTable {
			table = append(table, name)
		} else {
			scalar = append(scalar, name)
		}
	}
	sort.Strings(scalar)
	sort.Strings(table)
	return scalar, table
}

// hostileProject writes a project as an attacker's DuckDB would: a
// customer table, then tricks run as raw SQL.
func hostileProject(t *testing.T, dir string, tricks func(db *sql.DB)) string {
	t.Helper()
	path := filepath.Join(dir, "evil.mbproj")
	w, err := core.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB().Exec(`CREATE TABLE customers AS SELECT 'C' || i AS customer_id, 'name ' || i AS name, 'x' || i || '@example.com' AS email FROM range(20) r(i)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	tricks(db)
	db.Close()
	return path
}

// leafCommands lists every runnable command as its path of names.
func leafCommands(c *cobra.Command, prefix []string) [][]string {
	var out [][]string
	for _, sub := range c.Commands() {
		name := sub.Name()
		if name == "help" || name == "completion" {
			continue
		}
		path := append(append([]string{}, prefix...), name)
		if sub.HasSubCommands() {
			out = append(out, leafCommands(sub, path)...)
		} else if sub.Runnable() {
			out = append(out, path)
		}
	}
	return out
}

func hashFile(t *testing.T, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func listDir(dir string) string {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

// TestHostileProjectsAndEveryCommand opens projects that carry code in
// every way DuckDB stores it with every CLI command. Each command must
// refuse the project with the message that says what to do; the project
// file must stay byte for byte the same; the code must never run (its
// trace is a folder DuckDB's file logging would create); and nothing may
// appear in the project's folder.
func TestHostileProjectsAndEveryCommand(t *testing.T) {
	scalar, table := appFunctions(t)
	if len(scalar) < 40 || !contains(scalar, "json_serialize_sql") || !contains(scalar, "upper") {
		t.Fatalf("found only %d functions in the app's SQL: %v", len(scalar), scalar)
	}
	trace := filepath.Join(t.TempDir(), "pwned")
	logging := `system.main.enable_logging(storage='file', storage_path='` + trace + `')`
	tricks := map[string]func(t *testing.T, db *sql.DB){
		"macros shadowing every function the app calls": func(t *testing.T, db *sql.DB) {
			body := `(SELECT 1 FROM ` + logging + `)`
			made := 0
			for _, f := range scalar {
				q := fmt.Sprintf(`CREATE OR REPLACE MACRO main.%q() AS %s, (a) AS %s, (a, b) AS %s, (a, b, c) AS %s, (a, b, c, d) AS %s`, f, body, body, body, body, body)
				if _, err := db.Exec(q); err == nil {
					made++
				}
			}
			for _, f := range table {
				tb := `SELECT 1 AS x FROM ` + logging
				q := fmt.Sprintf(`CREATE OR REPLACE MACRO main.%q() AS TABLE %s, (a) AS TABLE %s, (a, b) AS TABLE %s`, f, tb, tb, tb)
				if _, err := db.Exec(q); err == nil {
					made++
				}
			}
			if made < len(scalar)/2 {
				t.Fatalf("only %d of %d shadowing macros could be made", made, len(scalar)+len(table))
			}
		},
		"views in place of mb_ tables": func(t *testing.T, db *sql.DB) {
			for _, tb := range []string{"mb_schema", "mb_segments", "mb_plugin_lock"} {
				mustExec(t, db, `ALTER TABLE `+tb+` RENAME TO old_`+tb)
				mustExec(t, db, `CREATE VIEW `+tb+` AS SELECT * FROM old_`+tb+`, `+logging)
			}
		},
		"defaults and generated columns that call functions": func(t *testing.T, db *sql.DB) {
			mustExec(t, db, `ALTER TABLE customers ADD COLUMN note VARCHAR DEFAULT lower('X')`)
			mustExec(t, db, `CREATE TABLE orders (customer_id VARCHAR, amount DOUBLE, tag VARCHAR GENERATED ALWAYS AS (upper(customer_id)))`)
			mustExec(t, db, `INSERT INTO orders (customer_id, amount) VALUES ('C1', 10)`)
		},
	}
	e := &env{}
	commands := leafCommands(e.root(), nil)
	for name, trick := range tricks {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := hostileProject(t, dir, func(db *sql.DB) { trick(t, db) })
			before, files := hashFile(t, path), listDir(dir)
			argDir := t.TempDir()
			refused := 0
			for _, c := range commands {
				switch strings.Join(c, " ") {
				case "init", "demo", "project safe-copy":
					continue // they make projects; they do not open -p
				}
				args := append([]string{"-p", path}, c...)
				args = append(args, argsFor(e.root(), c, argDir)...)
				_, errs, code := run(t, args...)
				if code != 0 && strings.Contains(errs, "did not write") && strings.Contains(errs, "safe-copy") {
					refused++
				}
				if _, err := os.Stat(trace); err == nil {
					t.Fatalf("%v ran the project's code", c)
				}
				if hashFile(t, path) != before || listDir(dir) != files {
					t.Fatalf("%v changed the project or its folder", c)
				}
			}
			// Only commands that do not need a project (plugin list, copy
			// setup...) may answer otherwise.
			if refused < len(commands)*2/3 {
				t.Fatalf("only %d of %d commands refused the project", refused, len(commands))
			}
			// The way out: a safe copy, then the same commands work on data
			// and the code still never runs.
			safe := filepath.Join(argDir, "safe.mbproj")
			ok(t, "project", "safe-copy", path, safe)
			ok(t, "-p", safe, "sql", "SELECT upper(name) FROM customers")
			ok(t, "-p", safe, "clean", "customers", "--step", `{"op":"case","column":"name","method":"upper"}`)
			ok(t, "-p", safe, "export", "sql:SELECT lower(email) FROM customers", filepath.Join(argDir, "out.csv"))
			if _, err := os.Stat(trace); err == nil {
				t.Fatal("the safe copy ran the project's code")
			}
			if hashFile(t, path) != before {
				t.Fatal("safe-copy changed the original")
			}
		})
	}
}

// argsFor finds the shortest list of placeholder arguments (files in dir)
// that the command's argument check accepts.
func argsFor(root *cobra.Command, path []string, dir string) []string {
	cmd, _, err := root.Find(path)
	if err != nil || cmd.Args == nil {
		return nil
	}
	for n := 0; n <= 4; n++ {
		var args []string
		for i := 0; i < n; i++ {
			args = append(args, filepath.Join(dir, fmt.Sprintf("arg%d.csv", i)))
		}
		if cmd.Args(cmd, args) == nil {
			return args
		}
	}
	return nil
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
