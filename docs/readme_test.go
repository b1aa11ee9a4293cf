package docs

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A readme block is one ```sh block of README.md and the line it starts on.
type readmeBlock struct {
	line int
	text string
	skip string // why the test does not run it ("" runs it)
}

const skipMark = "<!-- readme-test: skip"

// readmeBlocks extracts the ```sh blocks in order. A block right after a
// line "<!-- readme-test: skip (reason) -->" is marked skipped.
func readmeBlocks(readme string) []readmeBlock {
	var out []readmeBlock
	lines := strings.Split(readme, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		b := readmeBlock{line: i + 1}
		if i > 0 && strings.HasPrefix(strings.TrimSpace(lines[i-1]), skipMark) {
			b.skip = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(lines[i-1]), skipMark), "-->")
			b.skip = strings.TrimSpace(b.skip)
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		b.text = strings.Join(body, "\n")
		out = append(out, b)
	}
	return out
}

// Every shell block of README.md runs, in order, as a newcomer runs it: in
// a directory laid out like a fresh clone (the repository's files, linked;
// nothing built), with a home of its own. Blocks marked
// "<!-- readme-test: skip (reason) -->" are left out; they must give a
// reason, and only a few may be skipped. The one change made to the text:
// the receiver's port 8080 becomes a free one, so the test does not depend
// on what else runs on the machine.
func TestReadmeRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and runs the README's commands (a few minutes)")
	}
	for _, tool := range []string{"bash", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's blocks need %s (CI installs it)", tool)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(readme))
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	ran, skipped := 0, 0
	for _, b := range blocks {
		if b.skip != "" {
			if !strings.HasPrefix(b.skip, "(") || len(b.skip) < 10 {
				t.Errorf("README.md:%d: a skipped block must say why: <!-- readme-test: skip (reason) -->", b.line)
			}
			skipped++
			continue
		}
		ran++
		fmt.Fprintf(&script, "echo '>>> README.md:%d' >&2\n%s\n", b.line, b.text)
	}
	if ran < 3 || skipped > 1 {
		t.Fatalf("%d blocks to run, %d skipped: has the README's layout changed, or are too many blocks skipped?", ran, skipped)
	}

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	clone := t.TempDir()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".git", "bin", "demo-output":
			continue // not in a fresh clone
		}
		if strings.HasSuffix(e.Name(), ".mbproj") || strings.HasSuffix(e.Name(), ".mbproj.wal") {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(clone, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	text := strings.ReplaceAll(script.String(), "127.0.0.1:8080", "127.0.0.1:"+port)

	home := filepath.Join(clone, ".home")
	os.MkdirAll(home, 0o755)
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "TERM=dumb",
		"MARKETBENCH_NO_RECENT=1", "MARKETBENCH_CONFIG_DIR=" + filepath.Join(home, "config"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "TMPDIR=" + os.TempDir()}
	// Go's caches stay where they are (a new HOME would start them cold).
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil {
			env = append(env, v+"="+strings.TrimSpace(string(out)))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", text)
	cmd.Dir = clone
	cmd.Env = env
	// Its own process group, so the receiver the README starts in the
	// background is stopped with it whatever happens.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if err != nil {
		where := "README.md"
		if m := regexp.MustCompile(`>>> (README\.md:[0-9]+)`).FindAllStringSubmatch(errOut.String(), -1); len(m) > 0 {
			where = m[len(m)-1][1]
		}
		t.Fatalf("the block at %s failed: %v\nstderr (end):\n%s\nstdout (end):\n%s", where, err, tail(errOut.String(), 3000), tail(out.String(), 2000))
	}
	t.Logf("%d README blocks ran in %s", ran, time.Since(start).Round(time.Second))

	// What the blocks say they make is there.
	for _, f := range []string{"shop.mbproj", "heatmap.png", "uk.xlsx", "demo-output/summary.md", "demo.mbproj", "received.jsonl"} {
		if st, err := os.Stat(filepath.Join(clone, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s was not made: %v", f, err)
		}
	}
	for _, want := range []string{"4372", "Champions", "churn_forest", "No E-Mail", "Sent "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// The extraction itself: blocks in order, the skip mark and its reason.
func TestReadmeBlocks(t *testing.T) {
	md := "intro\n```sh\na\nb\n```\ntext\n<!-- readme-test: skip (opens the GUI) -->\n```sh\nc\n```\n```\nnot shell\n```\n```sh\nd\n```\n"
	got := readmeBlocks(md)
	if len(got) != 3 || got[0].text != "a\nb" || got[0].line != 2 || got[1].skip != "(opens the GUI)" || got[1].text != "c" ||
		got[2].skip != "" || got[2].text != "d" {
		t.Errorf("%+v", got)
	}
}
