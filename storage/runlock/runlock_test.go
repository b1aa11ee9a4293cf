package runlock

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// childEnv makes the test binary a runner that holds the lock of the
// project it names, says "held" and waits until stdin closes or it is killed.
const childEnv = "RUNLOCK_TEST_HOLD"

func TestMain(m *testing.M) {
	if p := os.Getenv(childEnv); p != "" {
		l, err := Acquire(p, "marketbench automate run")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println("held")
		io.Copy(io.Discard, os.Stdin)
		l.Release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holder starts a child process holding project's lock and returns it
// once it holds it.
func holder(t *testing.T, project string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+project)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("the child did not take the lock: %q %v", line, err)
	}
	return cmd, stdin
}

// A second runner in another process is refused at once and told who
// holds the lock; once the holder exits, the lock is free.
func TestSecondProcessIsRefused(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	child, stdin := holder(t, project)

	_, err := Acquire(project, "marketbench automate run")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("Acquire while another process holds the lock: %v, want a *HeldError", err)
	}
	if held.Holder.PID != child.Process.Pid || held.Holder.Who != "marketbench automate run" {
		t.Errorf("holder = %+v, want pid %d and who 'marketbench automate run'", held.Holder, child.Process.Pid)
	}
	if time.Since(held.Holder.Started) > time.Hour || held.Holder.Started.After(time.Now()) {
		t.Errorf("holder started at %v, not now", held.Holder.Started)
	}
	want := fmt.Sprintf("the automation runner (pid %d, 'marketbench automate run', since %s) is already running for this project; this run exits",
		child.Process.Pid, held.Holder.Started.Local().Format("2006-01-02 15:04"))
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
	if !IsHeld(err) {
		t.Error("IsHeld does not recognise the error")
	}

	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(project, "test")
	if err != nil {
		t.Fatalf("Acquire after the holder released: %v", err)
	}
	defer l.Release()
	if h, _ := Read(project); h.PID != os.Getpid() || h.Who != "test" {
		t.Errorf("the lock file names %+v, want this process", h)
	}
}

// kill -9 of the holder leaves its details in the file, but the OS lock
// dies with it: the next runner takes the lock and overwrites them.
func TestKilledHolderDoesNotBlock(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	child, _ := holder(t, project)
	if _, err := Acquire(project, "test"); !IsHeld(err) {
		t.Fatalf("Acquire while held: %v", err)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if h, _ := Read(project); h.PID != child.Process.Pid {
		t.Fatalf("the killed holder's details are gone (%+v); the test shows nothing", h)
	}
	l, err := Acquire(project, "marketbench automate run")
	if err != nil {
		t.Fatalf("Acquire after kill -9 of the holder: %v", err)
	}
	defer l.Release()
	if h, _ := Read(project); h.PID != os.Getpid() {
		t.Errorf("the lock file still names %+v", h)
	}
}

// A second Acquire in the same process is refused too (the GUI and a
// runner goroutine share a process), and Release frees the lock.
func TestSameProcess(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	l, err := Acquire(project, "the Marketbench window")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(project, "marketbench automate run")
	var held *HeldError
	if !errors.As(err, &held) || held.Holder.PID != os.Getpid() || held.Holder.Who != "the Marketbench window" {
		t.Fatalf("second Acquire in the same process: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if h, _ := Read(project); h.PID != 0 {
		t.Errorf("a released lock still names %+v", h)
	}
	l2, err := Acquire(project, "again")
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
	// Another project is another lock.
	a, err := Acquire(project, "a")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := Acquire(filepath.Join(t.TempDir(), "other.mbproj"), "b")
	if err != nil {
		t.Fatalf("another project's lock: %v", err)
	}
	b.Release()
}

// A file left with garbage or a dead holder's details is simply taken over.
func TestStaleFile(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	path, _ := Path(project)
	os.WriteFile(path, []byte("x\n{\"pid\":999999,\"host\":\"gone\",\"who\":\"old\",\"started\":\"2020-01-01T00:00:00Z\"}\ntrailing junk that is long enough to outlast the new details\n"), 0o644)
	l, err := Acquire(project, "new")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	h, err := Read(project)
	if err != nil || h.PID != os.Getpid() || h.Who != "new" {
		t.Errorf("Read = %+v, %v; want this process", h, err)
	}
}

// The refusal is told in the user's language, with the holder on another
// computer named.
func TestHeldMessage(t *testing.T) {
	start := time.Date(2026, 12, 6, 10, 1, 0, 0, time.Local)
	other := &HeldError{Holder: Holder{PID: 1234, Host: "elsewhere.invalid", Who: "marketbench automate run", Started: start}}
	if got := other.Error(); got != "the automation runner (pid 1234 on elsewhere.invalid, 'marketbench automate run', since 2026-12-06 10:01) is already running for this project; this run exits" {
		t.Errorf("got %s", got)
	}
	defer i18n.Use(i18n.English)
	i18n.Use(i18n.Chinese)
	if zh := i18n.Error(other); !strings.Contains(zh, "1234") || !strings.Contains(zh, "2026-12-06 10:01") || zh == other.Error() {
		t.Errorf("in Chinese: %s", zh)
	}
	if zh := i18n.Error(&HeldError{}); zh == (&HeldError{}).Error() {
		t.Errorf("not translated: %s", zh)
	}
}
