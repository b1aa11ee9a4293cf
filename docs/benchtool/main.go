// Command benchtool keeps docs/BENCHMARKS.md's measured numbers tied to the
// code they measured.
//
//	go run ./docs/benchtool record -- go test -run '^$' -bench . -benchtime 1x ./storage
//	go run ./docs/benchtool table
//	go run ./docs/benchtool check
//
// record runs the command (its output still goes to the terminal), parses
// the standard `go test -bench` result lines, and writes one record per
// benchmark into docs/benchmarks.json: metrics (ns/op and every
// b.ReportMetric), the command, the commit (git rev-parse HEAD) and
// whether the measured code had uncommitted changes, the date, the machine,
// and the git pathspecs of the code measured (the benchmark's package and
// the repository's packages it imports). Records of other benchmarks are
// kept. Then it regenerates the table (as table does). Nothing is written
// when the command fails.
//
// table regenerates the section of docs/BENCHMARKS.md between its marker
// comments from docs/benchmarks.json.
//
// check lists the records whose measured code changed since their commit
// (`git diff --quiet COMMIT HEAD -- PATHS`) and exits with status 1 if
// there are any (make bench-check).
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const (
	jsonPath = "docs/benchmarks.json"
	docPath  = "docs/BENCHMARKS.md"
	module   = "github.com/marketbench/marketbench"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		var exit exitCode
		if errors.As(err, &exit) {
			os.Exit(int(exit))
		}
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(2)
	}
}

type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(args []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return errors.New("usage: benchtool record -- go test -bench ... | table | check")
	}
	switch args[0] {
	case "record":
		if len(args) < 3 || args[1] != "--" {
			return errors.New("usage: benchtool record -- go test -run '^$' -bench ... PACKAGES")
		}
		if err := record(root, args[2:]); err != nil {
			return err
		}
		return regenerate(root)
	case "table":
		return regenerate(root)
	case "check":
		f, err := readFile(filepath.Join(root, jsonPath))
		if err != nil {
			return err
		}
		list, err := stale(root, f)
		if err != nil {
			return err
		}
		fmt.Printf("%d benchmark records, %d stale\n", len(f.Records), len(list))
		for _, s := range list {
			fmt.Printf("stale: %s %s (measured at %s): %s\n", s.Record.Package, s.Record.Name, short(s.Record.Commit), s.Why)
		}
		if len(list) > 0 {
			fmt.Println("Re-run each with its command (in docs/benchmarks.json) through `go run ./docs/benchtool record -- ...`.")
			return exitCode(1)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// repoRoot is the folder holding the module's go.mod, from the current one
// up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(b), "module "+module+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run it inside the marketbench repository")
		}
		dir = parent
	}
}

func regenerate(root string) error {
	f, err := readFile(filepath.Join(root, jsonPath))
	if err != nil {
		return err
	}
	for _, r := range f.Records {
		if err := r.check(); err != nil {
			return err
		}
	}
	doc, err := os.ReadFile(filepath.Join(root, docPath))
	if err != nil {
		return err
	}
	section, err := table(root, string(doc), f)
	if err != nil {
		return err
	}
	out, err := splice(string(doc), section)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, docPath), []byte(out), 0o644)
}

func record(root string, command []string) error {
	commit, err := git(root, "rev-parse", "HEAD")
	if err != nil {
		return fmt.Errorf("a record needs the commit it was measured at: %w", err)
	}
	machine := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, LoadStart: loadavg()}
	if v, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		machine.Go = strings.TrimSpace(string(v))
	}
	var buf bytes.Buffer
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Dir = root
	cmd.Stdout = io.MultiWriter(os.Stdout, &buf)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w (nothing recorded)", strings.Join(command, " "), err)
	}
	machine.LoadEnd = loadavg()
	results, err := parse(&buf)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return errors.New("the command printed no benchmark results (nothing recorded)")
	}
	date := time.Now().UTC().Format(time.RFC3339)
	pathsOf := map[string][2][]string{}
	var recs []Record
	for _, res := range results {
		dir, ok := strings.CutPrefix(res.Package, module+"/")
		if !ok {
			return fmt.Errorf("benchmark %s is in %q, outside this module", res.Name, res.Package)
		}
		if _, ok := pathsOf[dir]; !ok {
			p, t, err := measuredPaths(root, dir)
			if err != nil {
				return err
			}
			pathsOf[dir] = [2][]string{p, t}
		}
		ps := pathsOf[dir]
		dirty, err := dirtyPaths(root, append(append([]string(nil), ps[0]...), ps[1]...))
		if err != nil {
			return err
		}
		m := machine
		m.CPU = res.CPU
		recs = append(recs, Record{Package: dir, Name: res.Name, Metrics: res.Metrics, Iterations: res.Iterations, Procs: res.Procs,
			Log: res.Log, Command: shellJoin(command), Commit: commit, Dirty: dirty, Date: date, Machine: m,
			Paths: ps[0], TestPaths: ps[1]})
	}
	f, err := readFile(filepath.Join(root, jsonPath))
	if err != nil {
		return err
	}
	f.merge(recs)
	if err := writeFile(filepath.Join(root, jsonPath), f); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchtool: %d records written to %s at %s", len(recs), jsonPath, short(commit))
	for _, r := range recs {
		if r.Dirty {
			fmt.Fprint(os.Stderr, " (the measured code has uncommitted changes: commit it and run again for a record that check accepts)")
			break
		}
	}
	fmt.Fprintln(os.Stderr)
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// shellJoin quotes the arguments that need it, so the command can be
// pasted into a shell.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,@+", r))
		}) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
