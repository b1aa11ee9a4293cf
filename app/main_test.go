package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestQuietChild does nothing: TestNoToolkitNoise runs it in a child
// process to see what the program's start-up prints.
func TestQuietChild(t *testing.T) {}

// Under LANG=C.UTF-8 (Debian's default, most containers) nothing is logged
// while the program starts: Fyne used to print "Error parsing user locale C"
// before every command.
func TestNoToolkitNoise(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "C.utf8", "POSIX.UTF-8", "C", "en_US.UTF-8", "zh_CN.UTF-8"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestQuietChild$")
		cmd.Env = append(os.Environ(), "LANG="+lang, "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("LANG=%s: %v\n%s", lang, err, stderr.String())
		}
		if strings.Contains(stderr.String(), "Fyne") {
			t.Errorf("LANG=%s: start-up printed:\n%s", lang, stderr.String())
		}
	}
}

// TestMainChild runs main() when TestNoDisplay starts it in a child process
// with MB_MAIN_ARGS set; otherwise it does nothing.
func TestMainChild(t *testing.T) {
	if args := os.Getenv("MB_MAIN_ARGS"); args != "" {
		os.Args = append([]string{"marketbench"}, strings.Fields(args)[1:]...)
		main()
	}
}

// Asked for the window where there is no display, marketbench says what to
// do and exits non-zero, instead of GLFW's panic and stack trace.
func TestNoDisplay(t *testing.T) {
	for _, args := range []string{"marketbench", "marketbench --gui", "marketbench --gui nowhere.mbproj"} {
		// Without the check the window toolkit may wait forever.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMainChild$")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "MB_MAIN_ARGS="+args, "LANG=C.UTF-8", "LC_ALL=", "LANGUAGE=")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err := cmd.Run()
		exit, _ := err.(*exec.ExitError)
		msg := stderr.String()
		if exit == nil || exit.ExitCode() != 1 {
			t.Errorf("%s: %v, want exit status 1\n%s", args, err, msg)
		}
		for _, want := range []string{"no display found", "marketbench demo", "xvfb-run"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the message lacks %q:\n%s", args, want, msg)
			}
		}
		if strings.Contains(msg, "panic") || strings.Contains(msg, "goroutine") || strings.Contains(msg, "GLFW") {
			t.Errorf("%s: a crash instead of a message:\n%s", args, msg)
		}
	}
}
