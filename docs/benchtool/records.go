package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// File is docs/benchmarks.json.
type File struct {
	About   string   `json:"about"`
	Records []Record `json:"records"`
}

// Record is one benchmark's latest result.
type Record struct {
	// Package is the benchmark's folder from the repository root
	// ("storage/segment"), Name its full name ("BenchmarkPage1M/first").
	Package string `json:"package"`
	Name    string `json:"name"`
	// Metrics are the result line's values by unit: "ns/op" and every
	// b.ReportMetric ("x_vs_bare_duckdb", "rows/s", ...).
	Metrics    map[string]float64 `json:"metrics"`
	Iterations int64              `json:"iterations"`
	Procs      int                `json:"gomaxprocs"`
	// Log is what the benchmark wrote with b.Log (its readable line).
	Log     []string `json:"log,omitempty"`
	Command string   `json:"command"`
	// Commit is `git rev-parse HEAD` when it ran; Dirty is true when the
	// measured paths had changes not in that commit (then the commit does
	// not describe the code measured).
	Commit  string  `json:"commit"`
	Dirty   bool    `json:"dirty"`
	Date    string  `json:"date"` // RFC 3339, UTC, when the run ended
	Machine Machine `json:"machine"`
	// Paths are git pathspecs of what the benchmark measures: the files
	// (not sub-folders) of its package and of every package of this
	// repository it imports, test files left out, and go.mod. TestPaths
	// are its own package's test files (the benchmark and its helpers).
	// The record is stale when `git diff --quiet COMMIT HEAD -- PATHS` or
	// the same for TestPaths reports a change.
	Paths     []string `json:"paths"`
	TestPaths []string `json:"test_paths"`
}

// Machine describes where a record was measured.
type Machine struct {
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	Go        string `json:"go"`
	LoadStart string `json:"loadavg_start,omitempty"` // /proc/loadavg when the run started
	LoadEnd   string `json:"loadavg_end,omitempty"`
}

const about = "Written by `go run ./docs/benchtool record -- go test -bench ...` (make bench); " +
	"the table in docs/BENCHMARKS.md is generated from it. Do not edit by hand."

func readFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &File{About: about}, nil
	}
	if err != nil {
		return nil, err
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &f, nil
}

func writeFile(path string, f *File) error {
	f.About = about
	sort.SliceStable(f.Records, func(i, j int) bool {
		if f.Records[i].Package != f.Records[j].Package {
			return f.Records[i].Package < f.Records[j].Package
		}
		return f.Records[i].Name < f.Records[j].Name
	})
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// merge replaces the records of the same package and name, keeps the rest.
func (f *File) merge(recs []Record) {
	for _, r := range recs {
		replaced := false
		for i := range f.Records {
			if f.Records[i].Package == r.Package && f.Records[i].Name == r.Name {
				f.Records[i] = r
				replaced = true
			}
		}
		if !replaced {
			f.Records = append(f.Records, r)
		}
	}
}

// check returns why a record is malformed, or nil.
func (r Record) check() error {
	switch {
	case r.Package == "" || !strings.HasPrefix(r.Name, "Benchmark"):
		return fmt.Errorf("record %q in %q: no package or name", r.Name, r.Package)
	case len(r.Metrics) == 0:
		return fmt.Errorf("%s %s: no metrics", r.Package, r.Name)
	case !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(r.Commit):
		return fmt.Errorf("%s %s: commit %q is not a full git hash", r.Package, r.Name, r.Commit)
	case len(r.Paths) == 0:
		return fmt.Errorf("%s %s: no measured paths", r.Package, r.Name)
	case r.Command == "":
		return fmt.Errorf("%s %s: no command", r.Package, r.Name)
	}
	if _, err := time.Parse(time.RFC3339, r.Date); err != nil {
		return fmt.Errorf("%s %s: date: %w", r.Package, r.Name, err)
	}
	return nil
}

// git runs git in dir and returns its trimmed output.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// changed reports whether paths differ between commit and HEAD (committed
// changes only: `git diff --quiet COMMIT HEAD -- paths`).
func changed(root, commit string, paths []string) (bool, error) {
	if len(paths) == 0 {
		return false, nil
	}
	cmd := exec.Command("git", append([]string{"diff", "--quiet", commit, "HEAD", "--"}, paths...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return false, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return true, nil
	default:
		return false, fmt.Errorf("git diff %s HEAD: %v: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
}

// dirtyPaths reports whether the work tree differs from HEAD in paths
// (changed, staged or untracked files).
func dirtyPaths(root string, paths []string) (bool, error) {
	out, err := git(root, append([]string{"status", "--porcelain", "--untracked-files=all", "--"}, paths...)...)
	return out != "", err
}

// Stale is a record whose measured code changed since it was measured.
type Stale struct {
	Record Record
	Why    string
}

// stale lists the records whose measured paths changed between their
// commit and HEAD, or that were measured with uncommitted changes.
func stale(root string, f *File) ([]Stale, error) {
	var out []Stale
	for _, r := range f.Records {
		if r.Dirty {
			out = append(out, Stale{r, "measured with uncommitted changes to its code"})
			continue
		}
		if _, err := git(root, "cat-file", "-e", r.Commit+"^{commit}"); err != nil {
			out = append(out, Stale{r, "its commit " + short(r.Commit) + " is not in this repository's history"})
			continue
		}
		code, err := changed(root, r.Commit, r.Paths)
		if err != nil {
			return nil, err
		}
		tests, err := changed(root, r.Commit, r.TestPaths)
		if err != nil {
			return nil, err
		}
		switch {
		case code:
			out = append(out, Stale{r, "measured code changed since " + short(r.Commit)})
		case tests:
			out = append(out, Stale{r, "the benchmark's own test files changed since " + short(r.Commit)})
		}
	}
	return out, nil
}

func short(commit string) string { return commit[:min(len(commit), 10)] }

// measuredPaths are the pathspecs of what the benchmarks of package dir
// (from the repository root) measure: see Record.Paths.
func measuredPaths(root, dir string) (paths, tests []string, err error) {
	cmd := exec.Command("go", "list", "-deps", "-test", "-f", "{{.Dir}}", "./"+dir)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go list %s: %v: %s", dir, err, stderr.String())
	}
	seen := map[string]bool{}
	for _, d := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, d)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || seen[rel] {
			continue
		}
		seen[rel] = true
	}
	var dirs []string
	for d := range seen {
		dirs = append(dirs, filepath.ToSlash(d))
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		paths = append(paths, ":(glob)"+d+"/*")
	}
	paths = append(paths, "go.mod", ":(exclude,glob)**/*_test.go")
	return paths, []string{":(glob)" + dir + "/*_test.go"}, nil
}

// formatMetric writes a metric value readably: durations per op in
// units a person reads, the rest with 3-4 significant digits.
func formatMetric(unit string, v float64) string {
	if unit == "ns/op" {
		return time.Duration(v).Round(time.Duration(math.Pow(10, math.Max(0, math.Floor(math.Log10(v))-2)))).String() + "/op"
	}
	var s string
	switch a := math.Abs(v); {
	case a == 0:
		s = "0"
	case a >= 1e6:
		s = fmt.Sprintf("%.3g", v)
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 0.01:
		s = fmt.Sprintf("%.3g", v)
	default:
		s = fmt.Sprintf("%.2g", v)
	}
	return s + " " + unit
}
