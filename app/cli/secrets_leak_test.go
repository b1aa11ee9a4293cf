package cli

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
)

// leakScan finds the secret values in texts and in every file under dirs;
// it names where each was found.
func leakScan(values []string, texts map[string]string, dirs ...string) []string {
	var found []string
	check := func(where string, b []byte) {
		for _, v := range values {
			if bytes.Contains(b, []byte(v)) {
				found = append(found, where)
			}
		}
	}
	for name, text := range texts {
		check(name, []byte(text))
	}
	for _, d := range dirs {
		filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if b, err := os.ReadFile(path); err == nil {
					check(path, b)
				}
			}
			return nil
		})
	}
	return found
}

// A channel secret lives in the system keyring only. With a distinctive
// value saved for the webhook's Authorization header (and a signing key
// for every channel of it), and a receiver that echoes the header back in
// its error for one customer (as some APIs do), the test checks a plugin
// connection, saves channel settings, previews, test-sends and sends a
// campaign live, exports a customer table and the delivery records, and
// runs every --json command that lists campaigns, plugins, secrets,
// deliveries, the audit log, the plugin's log and the processing record.
// The value reached the receiver, yet it is in no output, in neither the
// project file nor its write-ahead log (before and after a CHECKPOINT), in
// no exported file and in no log; the echoed error is kept with the value
// blanked out. The scan itself finds a planted value, so it can fail.
func TestSecretsStayInTheKeyring(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	keyringtest.Start(t)
	// The plugin logs go to a cache folder of the test's own; Go's build
	// cache stays where it was, so building the plugin is not slowed.
	if os.Getenv("GOCACHE") == "" {
		if d, err := os.UserCacheDir(); err == nil {
			t.Setenv("GOCACHE", filepath.Join(d, "go-build"))
		}
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	const auth, signing = "Bearer tok-4d1b8e7f-keyring-only", "sig-6a0c3f92-keyring-only"
	values := []string{auth, signing, "4d1b8e7f", "6a0c3f92"}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		if bytes.Contains(body, []byte(`"C2"`)) {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "token "+r.Header.Get("Authorization")+" may not post here")
			return
		}
		io.WriteString(w, `{"id": "m-1"}`)
	}))
	defer srv.Close()
	proj := secretProject(t)
	out := t.TempDir()
	var outputs strings.Builder
	must := func(stdin string, args ...string) string {
		t.Helper()
		o, errs, code := runIn(t, stdin, append([]string{"-p", proj}, args...)...)
		outputs.WriteString(o + errs)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return o
	}
	hook := "marketbench.org/webhook"
	must(auth+"\n", "secret", "set", hook, "authorization", "--component", "webhook")
	must(signing+"\n", "secret", "set", hook, "secret")
	must("", "--json", "plugin", "check", hook, "--component", "webhook", "--config", "url="+srv.URL)
	must("", "--json", "plugin", "settings", hook, "--component", "webhook", "--config", "url="+srv.URL)
	must("", "segment", "create", "All", "--table", "customers", "--rule", "email IS NOT EMPTY")
	must("", "--json", "campaign", "create", "Spring", "--segment", "All", "--channel", hook+"/webhook", "--variant", "A|100|Hi|Hello {{.first_name}}")
	must("", "--json", "campaign", "preview", "Spring")
	must("", "--json", "campaign", "send", "Spring", "--test-to", "me@example.com")
	must("", "--json", "campaign", "send", "Spring", "--live")
	for _, args := range [][]string{{"campaign", "list"}, {"campaign", "status", "Spring"}, {"campaign", "results", "Spring"},
		{"plugin", "list"}, {"plugin", "logs", hook}, {"secret", "list"}, {"log"}, {"privacy", "report"},
		{"sql", "SELECT * FROM mb_deliveries"}, {"sql", "SELECT * FROM mb_campaigns"}, {"sql", "SELECT * FROM mb_channel_settings"}} {
		must("", append([]string{"--json"}, args...)...)
	}
	must("", "export", "customers", filepath.Join(out, "customers.csv"))
	must("", "export", "sql:SELECT * FROM mb_deliveries", filepath.Join(out, "deliveries.csv"))
	must("", "export", "sql:SELECT * FROM mb_audit", filepath.Join(out, "audit.parquet"))
	must("", "privacy", "report", "--out", filepath.Join(out, "record.html"))

	// The secret did its work, and the receiver's echo came back.
	mu.Lock()
	got := strings.Join(seen, ",")
	mu.Unlock()
	if strings.Count(got, auth) < 4 {
		t.Fatalf("the receiver saw Authorization %q; want the saved value on the test and live sends", got)
	}
	if rows := must("", "--json", "sql", "SELECT reason FROM mb_deliveries WHERE customer_id = 'C2'"); !strings.Contains(rows, "token [secret] may not post here") {
		t.Errorf("C2's delivery does not keep the echoed error, redacted: %s", rows)
	}

	// The scan finds a value planted where it looks.
	planted := filepath.Join(out, "planted.txt")
	os.WriteFile(planted, []byte("x"+auth+"x"), 0o600)
	if found := leakScan(values, nil, out); !slices.Contains(found, planted) {
		t.Fatalf("the scan missed a planted value: %v", found)
	}
	os.Remove(planted)

	files := func() map[string]string {
		m := map[string]string{}
		for _, f := range []string{proj, proj + ".wal", proj + ".automate.log"} {
			if b, err := os.ReadFile(f); err == nil {
				m[f] = string(b)
			}
		}
		return m
	}
	texts := files()
	texts["command output"] = outputs.String()
	if found := leakScan(values, texts, out, cache); len(found) > 0 {
		t.Errorf("a secret value was found in %v", found)
	}
	// A checkpoint moves everything still in the write-ahead log into the
	// file.
	w, err := core.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Q().ExecContext(context.Background(), `CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if found := leakScan(values, files()); len(found) > 0 {
		t.Errorf("after a checkpoint, a secret value was found in %v", found)
	}
	if logs, _ := filepath.Glob(filepath.Join(cache, "marketbench", "plugin-logs", "*.log")); len(logs) == 0 {
		t.Error("no plugin log was written, so none was searched")
	}
}
