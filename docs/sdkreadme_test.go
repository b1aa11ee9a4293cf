package docs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every shell block of sdk/README.md runs, in order, as a plugin author
// runs them: in an empty folder outside the repository, with the built
// marketbench on the PATH, a home and plugin folder of their own, and no
// module proxy (GOPROXY=off: the SDK comes from the copy `plugin new`
// writes, its dependencies from the machine's module cache, go.mod and
// go.sum as written). The text is not changed and no block may be
// skipped. Then what the blocks say happens did: the install named the
// project in its next step, the live send wrote one line per message sent,
// and the plugin's log has what it logged.
func TestSDKReadmeRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app and a plugin and runs the SDK README's commands (a few minutes)")
	}
	for _, tool := range []string{"bash", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the SDK README's blocks need %s (CI installs it)", tool)
		}
	}
	readme, err := os.ReadFile("../sdk/README.md")
	if err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	blocks := readmeBlocks(string(readme))
	for _, b := range blocks {
		if b.skip != "" {
			t.Errorf("sdk/README.md:%d: every block of the SDK README must run; this one is marked skipped", b.line)
		}
		fmt.Fprintf(&script, "echo '>>> sdk/README.md:%d' >&2\n%s\n", b.line, b.text)
	}
	if len(blocks) < 4 {
		t.Fatalf("%d shell blocks: has the SDK README's layout changed?", len(blocks))
	}

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "marketbench"), "./app")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building marketbench: %v\n%s", err, out)
	}
	work := filepath.Join(tmp, "work")
	home := filepath.Join(tmp, "home")
	os.MkdirAll(work, 0o755)
	os.MkdirAll(home, 0o755)
	env := []string{"HOME=" + home, "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "LANG=C.UTF-8", "TERM=dumb",
		"MARKETBENCH_NO_RECENT=1", "MARKETBENCH_CONFIG_DIR=" + filepath.Join(home, "config"), "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"MARKETBENCH_PLUGIN_DIR=" + filepath.Join(home, "plugins"), "MARKETBENCH_BUNDLED_PLUGINS=" + filepath.Join(home, "bundled"),
		"TMPDIR=" + os.TempDir(), "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local"}
	// Go's caches stay where they are (a new HOME would start them cold).
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil {
			env = append(env, v+"="+strings.TrimSpace(string(out)))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Dir, cmd.Env = work, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	if err != nil {
		where := "sdk/README.md"
		if m := regexp.MustCompile(`>>> (sdk/README\.md:[0-9]+)`).FindAllStringSubmatch(errOut.String(), -1); len(m) > 0 {
			where = m[len(m)-1][1]
		}
		t.Fatalf("the block at %s failed: %v\nstderr (end):\n%s\nstdout (end):\n%s", where, err, tail(errOut.String(), 3000), tail(out.String(), 2000))
	}
	t.Logf("%d SDK README blocks ran in %s", len(blocks), time.Since(start).Round(time.Second))

	o := out.String()
	if !strings.Contains(o, "marketbench plugin enable example.com/hello -p shop.mbproj") {
		t.Errorf("the install's next step does not name the project:\n%s", tail(o, 3000))
	}
	m := regexp.MustCompile(`Sent (\d+) messages`).FindStringSubmatch(o)
	if m == nil {
		t.Fatalf("no live send in the output:\n%s", tail(o, 3000))
	}
	sent, _ := strconv.Atoi(m[1])
	// The development loop's test send goes to the same file: one line
	// per variant, to the test address.
	b, _ := os.ReadFile(filepath.Join(work, "sent.jsonl"))
	tests := bytes.Count(b, []byte(`"me@example.com"`))
	if lines := bytes.Count(b, []byte("\n")); sent == 0 || tests != 1 || lines != sent+tests {
		t.Errorf("sent %d messages and %d test messages, the plugin wrote %d lines", sent, tests, lines)
	}
	if !strings.Contains(o, "development build") {
		t.Errorf("plugin list does not mark the development build:\n%s", tail(o, 3000))
	}
	if !strings.Contains(o, "writing messages to "+filepath.Join(work, "sent.jsonl")) {
		t.Errorf("plugin logs lacks the plugin's log.Printf line:\n%s", tail(o, 3000))
	}
}
