package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Result is one benchmark result line of `go test -bench` output.
type Result struct {
	Package    string // import path, from the "pkg:" line before it
	Name       string // BenchmarkX or BenchmarkX/sub, without the -GOMAXPROCS suffix
	Procs      int    // the -N suffix (GOMAXPROCS); 1 when absent
	Iterations int64
	Metrics    map[string]float64 // unit → value: "ns/op", "x_vs_bare_duckdb", ...
	Log        []string           // the benchmark's b.Log lines (its "--- BENCH:" block)
	CPU        string             // the "cpu:" line before it
}

var (
	// BenchmarkPage1M/first-2   	       3	   4712345 ns/op	  4.000 ms/page
	resultRE = regexp.MustCompile(`^(Benchmark\S*?)(?:-(\d+))?\s+(\d+)\s+(.+)$`)
	benchRE  = regexp.MustCompile(`^--- (?:BENCH|FAIL|SKIP): (Benchmark\S*?)(?:-\d+)?$`)
)

// parse reads standard `go test -bench` output (several packages in a row
// are fine: each starts with its "pkg:" line). Lines it does not know are
// skipped; a name printed before the benchmark ran and its result on a
// later line (output written by the benchmark in between) is joined.
func parse(r io.Reader) ([]Result, error) {
	var out []Result
	var pkg, cpu string
	var pending string // "BenchmarkX-2 \t" printed, result not yet
	var logFor *Result // the result whose --- BENCH block is being read
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if logFor != nil {
			if strings.HasPrefix(line, "    ") {
				logFor.Log = append(logFor.Log, strings.TrimSpace(line))
				continue
			}
			logFor = nil
		}
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
			continue
		case strings.HasPrefix(line, "cpu: "):
			cpu = strings.TrimSpace(strings.TrimPrefix(line, "cpu: "))
			continue
		}
		if m := benchRE.FindStringSubmatch(line); m != nil {
			for i := len(out) - 1; i >= 0; i-- {
				if out[i].Name == m[1] && out[i].Package == pkg {
					logFor = &out[i]
					break
				}
			}
			continue
		}
		if pending != "" && !strings.HasPrefix(line, "Benchmark") {
			if res, ok := parseResult(pending+line, pkg, cpu); ok {
				out = append(out, res)
				pending = ""
				continue
			}
		}
		if res, ok := parseResult(line, pkg, cpu); ok {
			out = append(out, res)
			pending = ""
			continue
		}
		// The name is printed before the benchmark runs; what it prints
		// meanwhile follows on the same line, its result on a later one.
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
			pending = f[0] + " "
		}
	}
	return out, sc.Err()
}

func parseResult(line, pkg, cpu string) (Result, bool) {
	m := resultRE.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return Result{}, false
	}
	n, err := strconv.ParseInt(m[3], 10, 64)
	if err != nil {
		return Result{}, false
	}
	res := Result{Package: pkg, Name: m[1], Procs: 1, Iterations: n, Metrics: map[string]float64{}, CPU: cpu}
	if m[2] != "" {
		res.Procs, _ = strconv.Atoi(m[2])
	}
	f := strings.Fields(m[4])
	if len(f) < 2 || len(f)%2 != 0 {
		return Result{}, false
	}
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Result{}, false
		}
		res.Metrics[f[i+1]] = v
	}
	return res, true
}
