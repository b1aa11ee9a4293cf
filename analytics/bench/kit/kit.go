// Package kit holds what every benchmark package shares: sizes from the
// environment, the data cache folder, running a Python peer script, the
// peak memory of a child process and the load meter.
// It needs no cgo, so both the model and the storage benchmarks use it.
package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Size reads a row count from the environment variable name (digits, with
// an optional k or M suffix: "200k", "1M"), or returns def.
func Size(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	mult := 1
	switch v[len(v)-1] {
	case 'k', 'K':
		mult, v = 1_000, v[:len(v)-1]
	case 'm', 'M':
		mult, v = 1_000_000, v[:len(v)-1]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		panic(fmt.Sprintf("%s=%q: want a positive row count such as 200000, 200k or 1M", name, os.Getenv(name)))
	}
	return n * mult
}

// CacheDir is where generated files are kept between runs:
// $MB_BENCH_DIR, or <os.TempDir()>/marketbench-bench.
func CacheDir() (string, error) {
	dir := os.Getenv("MB_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "marketbench-bench")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// Python is the interpreter peers run with: Debian's, which has pandas and
// scikit-learn (a pyenv python3 on PATH may not).
var Python = "/usr/bin/python3"

// RunPeer feeds script to Python on stdin with mode and args and decodes the
// one JSON object it prints into res. A missing interpreter, or exit code 3
// (the script's way to say its library is absent), gives an error wrapping
// missing, so callers can skip the peer.
func RunPeer(ctx context.Context, script []byte, missing error, res any, mode string, args ...string) error {
	if _, err := os.Stat(Python); err != nil {
		return fmt.Errorf("%w: %s not found", missing, Python)
	}
	cmd := exec.CommandContext(ctx, Python, append([]string{"-", mode}, args...)...)
	cmd.Stdin = bytes.NewReader(script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	out := bytes.TrimSpace(stdout.Bytes())
	var status struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(out, &status); err != nil {
		return fmt.Errorf("peer %s: %v: %s%s", mode, runErr, stdout.String(), strings.TrimSpace(stderr.String()))
	}
	if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 3 {
		return fmt.Errorf("%w: %s", missing, status.Error)
	}
	if runErr != nil || status.Error != "" {
		return fmt.Errorf("peer %s: %v %s %s", mode, runErr, status.Error, strings.TrimSpace(stderr.String()))
	}
	return json.Unmarshal(out, res)
}
