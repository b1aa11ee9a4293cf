//go:build linux

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// pty opens a pseudo-terminal: the test types into master, the command
// reads its stdin from the terminal side.
func pty(t *testing.T) (master, term *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("cannot unlock a pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pseudo-terminal number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("cannot open the terminal side: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// At a terminal, seal asks for a new passphrase twice and any -p command
// asks for it, without echo; the passphrase typed opens the project.
func TestPassphrasePromptAtTerminal(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv(PassphraseEnv, "")
	proj := filepath.Join(t.TempDir(), "tty.mbproj")
	ok(t, "init", proj)

	master, tty := pty(t)
	master.WriteString("typed at a terminal\ntyped at a terminal\n")
	var out, errb strings.Builder
	if code := execute([]string{"privacy", "seal", proj}, tty, &out, &errb); code != 0 {
		t.Fatalf("seal at a terminal: %s", errb.String())
	}
	if !strings.Contains(errb.String(), "New passphrase: ") || !strings.Contains(errb.String(), "The same passphrase again: ") {
		t.Fatalf("prompts: %q", errb.String())
	}

	master, tty = pty(t)
	master.WriteString("typed at a terminal\n")
	out.Reset()
	errb.Reset()
	if code := execute([]string{"-p", proj, "tables"}, tty, &out, &errb); code != 0 {
		t.Fatalf("tables at a terminal: %s", errb.String())
	}
	if !strings.Contains(errb.String(), "Passphrase for "+proj) {
		t.Fatalf("prompt: %q", errb.String())
	}
	// Reading without echo leaves the terminal echoing again afterwards.
	st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil || st.Lflag&unix.ECHO == 0 {
		t.Fatalf("the terminal's echo was not restored: %v", err)
	}

	master, tty = pty(t)
	master.WriteString("not what was typed\n")
	errb.Reset()
	if code := execute([]string{"-p", proj, "tables"}, tty, &out, &errb); code == 0 || !strings.Contains(errb.String(), "passphrase is wrong") {
		t.Fatalf("a wrong passphrase at a terminal: %s", errb.String())
	}
}
