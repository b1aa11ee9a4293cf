package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
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
