package host

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
)

// Everything a plugin prints after sdk.Serve reaches its log, whichever
// route it takes: the testdata plugin "loud" writes one marker per route.
func TestEveryOutputRouteReachesTheLog(t *testing.T) {
	h := newHost(t, Options{LogDir: t.TempDir()})
	p, _ := installed(t, h, bins.loud, "test.org/loud")
	err := p.Call(context.Background(), func(ctx context.Context, c *client.Conn) error {
		s, err := c.Open(ctx, "loud", sdk.Config{}, nil)
		if err != nil {
			return err
		}
		return s.Close(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	markers := []string{"marker-fmt-println", "marker-fmt-stderr", "marker-os-stdout-write", "marker-log-print",
		"marker-hclog-default", "marker-fd1", "marker-fd2", "marker-child-stdout", "marker-child-stderr", "marker-done"}
	var logs string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		logs = strings.Join(p.Logs(), "\n")
		if strings.Contains(logs, "marker-done") {
			break
		}
	}
	for _, m := range markers {
		if !strings.Contains(logs, m) {
			t.Errorf("%s is not in the log", m)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", logs)
	}
}

// The secrets a plugin was given never reach its log, in memory or in the
// file, even when a line arrives in pieces that split the value.
func TestLogRedactsSecrets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.log")
	redact := &client.Redactor{}
	redact.Add(sdk.Secrets{"api_key": "sk-live-5f2a9e"})
	l := newRingLog(10, path, redact)
	for _, part := range []string{"calling with key sk-li", "ve-5f2a9e now\nsecond line sk-live-5f2a9e\nunfinished sk-live-", "5f2a9e"} {
		l.Write([]byte(part))
	}
	l.close()
	b, _ := os.ReadFile(path)
	want := "calling with key [secret] now\nsecond line [secret]\nunfinished [secret]\n"
	if string(b) != want {
		t.Errorf("file %q, want %q", b, want)
	}
	if got := strings.Join(l.Lines(), "\n") + "\n"; got != want {
		t.Errorf("lines %q", got)
	}
}
