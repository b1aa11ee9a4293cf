package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core/ostimer"
)

// automate install, status and uninstall on a machine without a systemd
// user manager (as this one, and CI): install refuses with the crontab line,
// --print writes the units and shows how to enable them, status and
// uninstall tell what is there. (The timer really firing is tested in
// app/core/ostimer under a private user manager.)
func TestAutomateScheduleCommands(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("on this system install would really schedule the runner; the commands are tested on Linux")
	}
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	rt, _ := os.MkdirTemp("", "mbrt")
	defer os.RemoveAll(rt)
	t.Setenv("XDG_RUNTIME_DIR", rt) // no user manager listens there
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	dir := t.TempDir()
	proj := filepath.Join(dir, "shop.mbproj")
	ok(t, "init", proj)
	exe, _ := os.Executable()
	p := []string{"-p", proj}

	fails(t, "no project given; pass -p", "--lang", "en", "automate", "install")
	fails(t, "--every 30s is too often; the shortest is 1m", append(p, "--lang", "en", "automate", "install", "--every", "30s")...)
	fails(t, "--every 7m cannot be kept exactly", append(p, "--lang", "en", "automate", "install", "--every", "7m")...)
	fails(t, "does not exist", "-p", filepath.Join(dir, "nope.mbproj"), "--lang", "en", "automate", "install")

	_, errs, code := run(t, append(p, "--lang", "en", "automate", "install")...)
	line := "* * * * * " + exe + " automate run -p " + proj
	if code == 0 || !strings.Contains(errs, "no systemd user manager") || !strings.Contains(errs, line) || strings.Count(errs, "\n") != 1 {
		t.Errorf("install without a user manager: exit %d, %q; want one line with %q", code, errs, line)
	}
	_, errs, _ = run(t, append(p, "--lang", "zh-Hans", "automate", "install")...)
	if !strings.Contains(errs, "systemd 用户管理器") || !strings.Contains(errs, line) {
		t.Errorf("in Chinese: %s", errs)
	}

	out := ok(t, append(p, "--lang", "en", "automate", "install", "--every", "5m", "--print")...)
	j, _ := ostimer.JobFor(proj)
	unit := filepath.Join(cfg, "systemd", "user", j.Name()+".timer")
	b, err := os.ReadFile(unit)
	if err != nil || !strings.Contains(string(b), "OnCalendar=*-*-* *:00/5:00") {
		t.Fatalf("--print wrote no timer at %s: %v\n%s", unit, err, b)
	}
	for _, want := range []string{"# " + unit, "ExecStart=" + exe + " automate run -p " + proj, "systemctl --user enable --now " + j.Name() + ".timer", "*/5 * * * * " + exe} {
		if !strings.Contains(out, want) {
			t.Errorf("--print does not show %q:\n%s", want, out)
		}
	}

	var st struct {
		Installed, Enabled bool
		Every              string
		Files, Notes       []string
	}
	if err := json.Unmarshal([]byte(ok(t, append(p, "--json", "automate", "status")...)), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Installed || st.Enabled || st.Every != "5m" || len(st.Files) != 2 || len(st.Notes) == 0 {
		t.Errorf("status --json: %+v", st)
	}
	for i := 1; i <= 7; i++ {
		ostimer.RecordRun(proj, ostimer.RunRecord{Due: i, Sent: 3, Skipped: 1, Message: fmt.Sprintf("welcome: run %d", i)})
	}
	var runs struct{ Runs []struct{ Due int } }
	json.Unmarshal([]byte(ok(t, append(p, "--json", "automate", "status")...)), &runs)
	if len(runs.Runs) != 5 || runs.Runs[4].Due != 7 || runs.Runs[0].Due != 3 {
		t.Errorf("status shows runs %+v, want the last five", runs.Runs)
	}
	out = ok(t, append(p, "--lang", "en", "automate", "status")...)
	for _, want := range []string{"every 5m): not enabled", "welcome: run 7", "no systemd user manager runs here"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}

	out = ok(t, append(p, "--lang", "en", "automate", "uninstall")...)
	if !strings.Contains(out, "Removed the schedule "+j.Name()) || !strings.Contains(out, unit) {
		t.Errorf("uninstall: %s", out)
	}
	if _, err := os.Stat(unit); !os.IsNotExist(err) {
		t.Errorf("the timer is still there")
	}
	if out := ok(t, append(p, "--lang", "en", "automate", "uninstall")...); !strings.Contains(out, "No schedule was installed") {
		t.Errorf("uninstall again: %s", out)
	}
	if out := ok(t, append(p, "--lang", "en", "automate", "status")...); !strings.Contains(out, "No schedule is installed for this project") {
		t.Errorf("status after uninstall: %s", out)
	}
}
