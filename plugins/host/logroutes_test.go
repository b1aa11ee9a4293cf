package host

import (
	"context"
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
