package bench

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

//go:embed peers.py
var peersPy []byte

// Python is the interpreter the pandas peer runs with: Debian's, which has
// python3-pandas. A python3 found on PATH may be another one without it.
var Python = "/usr/bin/python3"

// ErrNoPandas means the pandas peer cannot run here; the benchmark still
// measures ours and says that the peer was skipped.
var ErrNoPandas = errors.New("pandas peer skipped")

// PeerResult is what peers.py prints.
type PeerResult struct {
	Seconds     []float64      `json:"seconds"`
	LoadSeconds float64        `json:"load_seconds"`
	Rows        int64          `json:"rows"`
	Columns     int            `json:"columns"`
	Check       map[string]any `json:"check"`
	Pandas      string         `json:"pandas"`
	Error       string         `json:"error"`
}

// Pandas runs peers.py with a mode and its arguments and decodes its JSON.
// It returns an error wrapping ErrNoPandas when Python or pandas is missing.
func Pandas(ctx context.Context, mode string, args ...string) (*PeerResult, error) {
	if _, err := os.Stat(Python); err != nil {
		return nil, fmt.Errorf("%w: %s not found; install Debian's python3-pandas", ErrNoPandas, Python)
	}
	cmd := exec.CommandContext(ctx, Python, append([]string{"-", mode}, args...)...)
	cmd.Stdin = bytes.NewReader(peersPy)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res PeerResult
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &res); err != nil {
		return nil, fmt.Errorf("peers.py %s: %v: %s%s", mode, runErr, stdout.String(), strings.TrimSpace(stderr.String()))
	}
	if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 3 {
		return nil, fmt.Errorf("%w: %s", ErrNoPandas, res.Error)
	}
	if runErr != nil || res.Error != "" {
		return nil, fmt.Errorf("peers.py %s: %v %s %s", mode, runErr, res.Error, strings.TrimSpace(stderr.String()))
	}
	return &res, nil
}
