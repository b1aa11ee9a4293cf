// Package plugintest runs a plugin the way Marketbench does, from a Go
// test: in-process (so coverage and the debugger work) or as the built
// binary through the real protocol client, plus a conformance suite that
// every plugin author can call.
package plugintest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// InProcess serves p inside the test process and connects to it as the
// host would (go-plugin reattach). The plugin stops when the test ends.
func InProcess(t testing.TB, p sdk.Plugin) *client.Conn {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatalf("plugin description: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *goplugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go sdk.Serve(p, sdk.WithTestConfig(&goplugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed}))
	var rc *goplugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the plugin did not start serving within 10 s")
	}
	conn, err := client.Reattach(rc)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		select { // a plugin stuck in a call must not hang the test's end
		case <-closed:
		case <-time.After(10 * time.Second):
		}
		conn.Close()
	})
	return conn
}

// Build compiles the main package in dir to a binary in a temporary folder
// and returns its path.
func Build(t testing.TB, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(abs))
	if os.PathSeparator == '\\' {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the plugin in %s: %v\n%s", dir, err, b)
	}
	return out
}

// Launch starts the plugin binary at path through the real protocol client
// (AutoMTLS, no host environment, handshake) and stops it when the test
// ends.
func Launch(t testing.TB, path string) *client.Conn {
	t.Helper()
	conn, err := client.Launch(client.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

var handshakeRE = regexp.MustCompile(`^\d+\|\d+\|(tcp|unix)\|[^|]+\|grpc(\|.*)?$`)

// Smoke starts the binary the way the host does and checks that the first
// line on its stdout is the handshake: anything printed before sdk.Serve
// (a stray fmt.Println) breaks the protocol, and this test says so.
func Smoke(t testing.TB, path string) {
	t.Helper()
	if err := CheckHandshake(path); err != nil {
		t.Fatal(err)
	}
}

// CheckHandshake is Smoke's check, as an error.
func CheckHandshake(path string) error {
	cmd := exec.Command(path)
	cmd.Env = []string{sdk.Handshake.MagicCookieKey + "=" + sdk.Handshake.MagicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=" + fmt.Sprint(sdk.ProtocolVersion), "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	select {
	case l, ok := <-line:
		if !ok {
			return fmt.Errorf("the plugin exited without printing its handshake")
		}
		if !handshakeRE.MatchString(l) {
			return fmt.Errorf("the first line on stdout is %q, not the handshake: the plugin prints to stdout before sdk.Serve", l)
		}
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("no handshake on stdout within 10 s")
	}
}
