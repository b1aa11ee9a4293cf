package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
)

// TestConsoleLimits: the README's console limits (30 s, 10,000 rows,
// 32 MB; sql: exports stop after 10 minutes, --timeout to change) are the
// ones the commands use, and each one stops what exceeds it.
func TestConsoleLimits(t *testing.T) {
	if core.ConsoleTimeout != 30*time.Second || core.ConsoleRows != 10000 || storage.MaxResultBytes != 32<<20 || core.ExportTimeout != 10*time.Minute {
		t.Fatalf("limits %v, %d rows, %d bytes, export %v; the README says 30 s, 10,000 rows, 32 MB, 10 minutes",
			core.ConsoleTimeout, core.ConsoleRows, storage.MaxResultBytes, core.ExportTimeout)
	}
	dir := t.TempDir()
	proj := filepath.Join(dir, "p.mbproj")
	ok(t, "init", proj)

	out := ok(t, "-p", proj, "sql", "SELECT range AS i FROM range(25000)")
	if !strings.Contains(out, "(first 10000 rows shown") || !strings.Contains(out, "\n9999") || strings.Contains(out, "\n10000\n") {
		t.Fatalf("a 25,000-row result was not cut at 10,000 rows:\n%s", out[max(0, len(out)-300):])
	}

	old := core.ConsoleTimeout
	core.ConsoleTimeout = 300 * time.Millisecond
	defer func() { core.ConsoleTimeout = old }()
	start := time.Now()
	if _, errs, code := run(t, "-p", proj, "sql", "SELECT count(*) FROM range(100000000000) a"); code == 0 {
		t.Fatalf("a slow console query was not stopped: %s", errs)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("the console query ran %v past its limit", d)
	}

	defer func(d time.Duration) { core.ExportTimeout = d }(core.ExportTimeout)
	_, errs, code := run(t, "-p", proj, "export", "sql:SELECT count(*) FROM range(100000000000) a", filepath.Join(dir, "slow.csv"), "--timeout", "300ms")
	if code == 0 || !strings.Contains(errs, "longer than") {
		t.Fatalf("export --timeout 300ms: exit %d, %s", code, errs)
	}
}
