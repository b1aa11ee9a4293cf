package ostimer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core/ostimer/ostimertest"
)

// fakeRunner is a program in place of marketbench that appends its
// arguments, one per line, and a blank line to out.
func fakeRunner(t *testing.T, dir, out string) string {
	t.Helper()
	exe := filepath.Join(dir, "marketbench")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >> '" + out + "'\necho >> '" + out + "'\n"
	if err := os.WriteFile(exe, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return exe
}

// Install enables a real systemd user timer that starts the runner with
// exactly its arguments (paths with spaces, quotes and %), again and again;
// status tells when it ran and when it runs next; uninstall removes it.
func TestTimerRunsTheRunner(t *testing.T) {
	ostimertest.UserManager(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Ann's shop 100%")
	os.MkdirAll(dir, 0o755)
	out := filepath.Join(t.TempDir(), "runs")
	project := filepath.Join(dir, "my shop.mbproj")
	os.WriteFile(project, nil, 0o644)
	// Every 2 s, so that the test sees it fire twice; the CLI's shortest
	// interval is a minute.
	j := Job{Exe: fakeRunner(t, dir, out), Project: project, Every: 2 * time.Second}

	p, err := Install(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Install(ctx, j); err != nil {
		t.Fatalf("installing again: %v", err)
	}
	want := "automate\nrun\n-p\n" + project + "\n\n"
	var got string
	for start := time.Now(); strings.Count(got, want) < 2; time.Sleep(200 * time.Millisecond) {
		b, _ := os.ReadFile(out)
		got = string(b)
		if time.Since(start) > 60*time.Second {
			st, _ := StatusOf(ctx, project, 0)
			t.Fatalf("the timer did not run the runner twice in 60 s; it wrote %q; status %+v", got, st)
		}
	}
	if strings.ReplaceAll(got, want, "") != "" {
		t.Errorf("the runner got other arguments: %q, want %q each time", got, want)
	}

	st, err := StatusOf(ctx, project, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Installed || !st.Enabled || !st.Active || st.Every != "2s" || len(st.Files) != 2 {
		t.Errorf("status: %+v", st)
	}
	if st.Last.IsZero() || st.Next.IsZero() || !st.Next.After(st.Last) || time.Since(st.Last) > time.Hour {
		t.Errorf("last %v, next %v", st.Last, st.Next)
	}
	if st.LastResult != "success" && !st.Running {
		t.Errorf("last result %q", st.LastResult)
	}

	r, err := Uninstall(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Disabled || len(r.Removed) != 2 {
		t.Errorf("removal: %+v", r)
	}
	for _, f := range p.Files {
		if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
			t.Errorf("%s is still there", f.Path)
		}
	}
	if load := show(ctx, p.Name+".timer", "LoadState")["LoadState"]; load != "not-found" {
		t.Errorf("after uninstall the timer is %q, want not-found", load)
	}
	if st, _ := StatusOf(ctx, project, 0); st.Installed || st.Enabled || st.Active {
		t.Errorf("status after uninstall: %+v", st)
	}
	if r, err := Uninstall(ctx, project); err != nil || len(r.Removed) != 0 {
		t.Errorf("uninstalling again: %+v, %v", r, err)
	}
}

// Without a user manager, install writes nothing and says so, with the
// crontab line to use instead; --print writes the units all the same.
func TestNoUserManager(t *testing.T) {
	if _, err := exec.LookPath("systemctl"); err != nil {
		t.Skip("systemctl is not installed; the check for a user manager says so instead")
	}
	rt, _ := os.MkdirTemp("", "mbrt")
	defer os.RemoveAll(rt)
	t.Setenv("XDG_RUNTIME_DIR", rt) // no manager listens there
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	j := Job{Exe: "/opt/marketbench/marketbench", Project: "/home/ann/shop.mbproj", Every: time.Minute}

	p, err := Install(context.Background(), j)
	var nu *NoUserManagerError
	if !errors.As(err, &nu) {
		t.Fatalf("Install without a user manager: %v", err)
	}
	line := "* * * * * /opt/marketbench/marketbench automate run -p /home/ann/shop.mbproj"
	if !strings.Contains(err.Error(), line) || !strings.Contains(err.Error(), "no systemd user manager") || nu.Reason == "" {
		t.Errorf("the error does not give the crontab line and the reason: %v", err)
	}
	if p.installed() {
		t.Error("Install wrote the units although it could not enable them")
	}
	if p, err = Print(j); err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if b, err := os.ReadFile(f.Path); err != nil || string(b) != f.Text {
			t.Errorf("--print did not write %s: %v", f.Path, err)
		}
	}
	j.Project = filepath.Join(t.TempDir(), "shop.mbproj")
	if p, err = Print(j); err != nil {
		t.Fatal(err)
	}
	RecordRun(j.Project, RunRecord{Time: time.Now(), Sent: 3})
	st, err := StatusOf(context.Background(), j.Project, 3)
	if err != nil || !st.Installed || st.Enabled || len(st.Notes) == 0 || st.Every != "1m" || len(st.Runs) != 1 || st.Runs[0].Sent != 3 {
		t.Errorf("status: %+v, %v", st, err)
	}
	r, err := Uninstall(context.Background(), j.Project)
	if err != nil || len(r.Removed) != 2 || r.Disabled {
		t.Errorf("uninstall without a manager: %+v, %v", r, err)
	}
}
