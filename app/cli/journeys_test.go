package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage/runlock"
)

// A second runner says who holds the project's runner lock and exits
// without touching the project.
func TestAutomateRunSecondRunnerExits(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "p.mbproj")
	ok(t, "init", proj)
	lock, err := runlock.Acquire(proj, "the first runner")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	out, errs, code := run(t, "-p", proj, "automate", "run")
	if code != 0 || !strings.Contains(errs, "the first runner") || !strings.Contains(errs, "already running") {
		t.Fatalf("second runner: exit %d, stdout %q, stderr %q; want exit 0 naming the holder", code, out, errs)
	}
	lock.Release()
	out = ok(t, "-p", proj, "automate", "run")
	if !strings.Contains(out, "No journeys") {
		t.Fatalf("after the lock is released: %q", out)
	}
}
