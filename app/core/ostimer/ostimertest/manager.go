//go:build linux

// Package ostimertest gives tests a systemd user manager of their own, so
// that a test can install a real timer and watch it fire without touching
// the user's own manager, also on machines whose PID 1 is not systemd.
package ostimertest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// UserManager starts a systemd user manager of the test's own, with
// its own runtime and config folders, and points systemctl at it. Where
// PID 1 is not systemd (a container), systemd refuses to run as a user
// manager unless /run/systemd/system exists; the manager gets that folder
// in a mount namespace of its own (unshare -m, which needs root), so the
// rest of the machine sees nothing. It skips, saying why, where no manager
// can be started.
func UserManager(t testing.TB) {
	t.Helper()
	var systemd string
	for _, p := range []string{"/lib/systemd/systemd", "/usr/lib/systemd/systemd"} {
		if _, err := os.Stat(p); err == nil {
			systemd = p
			break
		}
	}
	if systemd == "" {
		t.Skip("no systemd user manager here: systemd is not installed")
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Skip("no systemd user manager here: systemctl is not installed")
	}
	rt, err := os.MkdirTemp("", "mbrt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	os.Chmod(rt, 0o700)
	cfg := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")

	var cmd *exec.Cmd
	if _, err := os.Stat("/run/systemd/system"); err == nil {
		cmd = exec.Command(systemd, "--user")
	} else {
		if os.Geteuid() != 0 {
			t.Skip("no systemd user manager here: PID 1 is not systemd, and giving a private one its /run/systemd/system (unshare -m) needs root")
		}
		if st, err := os.Stat("/run/systemd"); err != nil || !st.IsDir() {
			t.Skip("no systemd user manager here: PID 1 is not systemd and there is no /run/systemd to shadow")
		}
		if _, err := exec.LookPath("unshare"); err != nil {
			t.Skip("no systemd user manager here: PID 1 is not systemd and unshare is not installed")
		}
		cmd = exec.Command("unshare", "-m", "sh", "-c", `mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && exec "$0" --user`, systemd)
	}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	// Should the test binary die, the manager goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Skipf("no systemd user manager here: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	// Wait for it to answer (or to die).
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		// Not is-system-running: outside the manager's namespace it says
		// "offline" on a machine not booted with systemd, without asking.
		out, err := exec.Command("systemctl", "--user", "show", "--property=Version").CombinedOutput()
		why := strings.TrimSpace(string(out))
		if err == nil {
			return
		}
		select {
		case <-done:
			t.Skipf("no systemd user manager here: it exited: %s", log.String())
		default:
		}
		if time.Since(start) > 30*time.Second {
			t.Skipf("no systemd user manager here: it did not come up in 30 s (%s): %s", why, log.String())
		}
	}
}
