package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/plugins/host"
)

// A demo campaign end to end from the command line, through the real
// webhook plugin (built and bundled as the app ships it) to an HTTP server
// started here: enable, check, create, preview, dry run, test send, live
// send, import responses, results.
func TestCampaignCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())

	var mu sync.Mutex
	got := map[string]int{} // idempotency key → requests
	var subjects []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			return // the connection check
		}
		b, _ := io.ReadAll(r.Body)
		var m struct{ Subject, To string }
		json.Unmarshal(b, &m)
		mu.Lock()
		got[r.Header.Get("Idempotency-Key")]++
		subjects = append(subjects, m.Subject)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range got {
			n += c
		}
		return n
	}

	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")
	if out := ok(t, "-p", proj, "plugin", "list"); !strings.Contains(out, "marketbench.org/webhook") || !strings.Contains(out, "bundled") {
		t.Fatalf("plugin list:\n%s", out)
	}
	if _, errs, code := run(t, "-p", proj, "campaign", "create", "Spring", "--segment", "Champions", "--channel", "marketbench.org/webhook/webhook",
		"--config", "url="+srv.URL, "--variant", "A|100|Hi|Hello"); code == 0 || !strings.Contains(errs, "not enabled") {
		t.Fatalf("a campaign on a plugin the project has not enabled: %d %s", code, errs)
	}
	ok(t, "-p", proj, "plugin", "enable", "marketbench.org/webhook")
	if out := ok(t, "-p", proj, "plugin", "check", "marketbench.org/webhook", "--component", "webhook", "--config", "url="+srv.URL); !strings.Contains(out, "connection test passed") {
		t.Fatalf("check:\n%s", out)
	}
	// The channel's settings are saved once; the campaign takes them.
	ok(t, "-p", proj, "plugin", "settings", "marketbench.org/webhook", "--component", "webhook", "--config", "url="+srv.URL)
	if _, errs, code := run(t, "-p", proj, "plugin", "settings", "marketbench.org/webhook", "--component", "webhook", "--config", "secret=x"); code == 0 || !strings.Contains(errs, "secret") {
		t.Errorf("a secret was saved: %s", errs)
	}
	ok(t, "-p", proj, "campaign", "create", "Spring", "--segment", "Champions", "--channel", "marketbench.org/webhook/webhook",
		"--holdout", "10",
		"--variant", "A|50|Hi {{.first_name}}|Spring is here, {{.first_name}}.",
		"--variant", "B|50|{{.first_name}}, 20% off|Take 20% off today.")
	pv := ok(t, "-p", proj, "campaign", "preview", "Spring")
	for _, want := range []string{"no e-mail consent", "holdout", "--- variant A", "Subject: Hi "} {
		if !strings.Contains(pv, want) {
			t.Errorf("preview lacks %q:\n%s", want, pv)
		}
	}
	if out := ok(t, "-p", proj, "campaign", "send", "Spring"); !strings.Contains(out, "Dry run: nothing was sent") || count() != 0 {
		t.Fatalf("dry run sent %d:\n%s", count(), out)
	}
	ok(t, "-p", proj, "campaign", "send", "Spring", "--test-to", "me@example.com")
	if count() != 2 || !strings.HasPrefix(subjects[0], "[TEST] ") {
		t.Fatalf("test send: %d requests %v", count(), subjects)
	}
	var status struct {
		Counts struct {
			ByStatus map[string]int `json:"by_status"`
		}
	}
	out := ok(t, "-p", proj, "--json", "campaign", "send", "Spring", "--live")
	var rep struct {
		Sent int
		Done bool
	}
	json.Unmarshal([]byte(out), &rep)
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "campaign", "status", "Spring")), &status)
	delivered := status.Counts.ByStatus["delivered"]
	if !rep.Done || rep.Sent == 0 || delivered != rep.Sent || count() != 2+rep.Sent || status.Counts.ByStatus["holdout"] == 0 {
		t.Fatalf("live send %+v, status %+v, server got %d", rep, status, count())
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("key %s arrived %d times", k, n)
		}
	}
	// Resuming a finished campaign sends nothing more.
	ok(t, "-p", proj, "campaign", "resume", "Spring")
	if count() != 2+rep.Sent {
		t.Errorf("resume of a finished campaign sent %d more", count()-2-rep.Sent)
	}

	// Deliveries of unknown fate (as a crash leaves them) are listed and
	// settled one by one or all at once, each audited.
	w, err := core.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, _ := w.DB().Query(`SELECT customer_id FROM mb_deliveries WHERE status = 'delivered' ORDER BY 1 LIMIT 3`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if _, err := w.DB().Exec(`UPDATE mb_deliveries SET status = 'unknown', reason = 'the app or the plugin stopped while this message was being sent' WHERE customer_id IN (?, ?, ?)`, ids[0], ids[1], ids[2]); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if out := ok(t, "-p", proj, "campaign", "unknown", "Spring"); !strings.Contains(out, ids[0]) || !strings.Contains(out, "3 messages may or may not") {
		t.Errorf("unknown:\n%s", out)
	}
	if _, errs, code := run(t, "-p", proj, "campaign", "resolve", "Spring"); code == 0 || !strings.Contains(errs, "exactly one of --sent, --not-sent or --resend") {
		t.Errorf("resolve without a choice: %d %s", code, errs)
	}
	if out := ok(t, "-p", proj, "campaign", "resolve", "Spring", "--sent", "--customer", ids[0]); !strings.Contains(out, "Marked 1 deliveries as sent") {
		t.Errorf("resolve --sent:\n%s", out)
	}
	if _, errs, code := run(t, "-p", proj, "campaign", "resolve", "Spring", "--sent", "--customer", ids[0]); code == 0 || !strings.Contains(errs, "no unknown delivery for "+ids[0]) {
		t.Errorf("resolving twice: %d %s", code, errs)
	}
	if out := ok(t, "-p", proj, "campaign", "resolve", "Spring", "--resend"); !strings.Contains(out, "2 deliveries will be sent again") {
		t.Errorf("resolve --resend:\n%s", out)
	}
	before := count()
	ok(t, "-p", proj, "campaign", "resume", "Spring")
	if count() != before+2 {
		t.Errorf("the resume after --resend sent %d, want 2", count()-before)
	}
	if out := ok(t, "-p", proj, "log"); strings.Count(out, "campaign resolve") != 2 {
		t.Errorf("audit:\n%s", out)
	}

	// Responses: every 4th delivered customer and every 8th holdout customer
	// converted.
	sqlOut := ok(t, "-p", proj, "--json", "sql", "SELECT customer_id, status FROM mb_deliveries WHERE status IN ('delivered','holdout') ORDER BY 1")
	var res struct{ Rows [][]any }
	json.Unmarshal([]byte(sqlOut), &res)
	var b strings.Builder
	b.WriteString("customer_id,event,value\n")
	for i, r := range res.Rows {
		if (r[1] == "delivered" && i%4 == 0) || (r[1] == "holdout" && i%8 == 0) {
			fmt.Fprintf(&b, "%v,conversion,25.5\n", r[0])
		}
	}
	b.WriteString("nobody,conversion,1\n")
	events := filepath.Join(t.TempDir(), "responses.csv")
	os.WriteFile(events, []byte(b.String()), 0o644)
	if out := ok(t, "-p", proj, "campaign", "import-results", "Spring", events); !strings.Contains(out, "1 matched no delivery") {
		t.Errorf("import:\n%s", out)
	}
	png := filepath.Join(t.TempDir(), "rates.png")
	results := ok(t, "-p", proj, "campaign", "results", "Spring", "--chart", png)
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("results chart: %v", err)
	}
	for _, want := range []string{"conversion (control holdout)", "A ", "B ", "chi-square across all groups", "planned split"} {
		if !strings.Contains(results, want) {
			t.Errorf("results lack %q:\n%s", want, results)
		}
	}
}

// What sdk/README.md walks an author through: the example plugin, built
// as a module of its own outside this repository, installed, enabled and
// used by a campaign.
func TestOutOfTreePluginInApp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	sdkDir, _ := filepath.Abs("../../sdk")
	src := filepath.Join(t.TempDir(), "filechannel")
	os.MkdirAll(src, 0o755)
	for _, f := range []string{"main.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(sdkDir, "examples", "filechannel", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "go.mod" {
			b = []byte(strings.Replace(string(b), "=> ../..", "=> "+sdkDir, 1))
		}
		os.WriteFile(filepath.Join(src, f), b, 0o644)
	}
	dist := filepath.Join(t.TempDir(), "dist")
	build := exec.Command("go", "build", "-o", filepath.Join(dist, "filechannel"), ".")
	build.Dir = src
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example: %v\n%s", err, out)
	}
	sum, err := host.FileSHA256(filepath.Join(dist, "filechannel"))
	if err != nil {
		t.Fatal(err)
	}
	manifest := fmt.Sprintf(`{"id": "example.com/filechannel", "version": "1.0.0", "kinds": ["channel"], "protocol_versions": [1],
		"binaries": {%q: {"path": "filechannel", "sha256": %q}}, "network_hosts": [], "fields": ["email"]}`, host.Platform(), sum)
	os.WriteFile(filepath.Join(dist, "plugin.json"), []byte(manifest), 0o644)

	t.Setenv(host.DirEnv, t.TempDir())
	t.Setenv(host.BundledEnv, t.TempDir())
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")
	ok(t, "-p", proj, "plugin", "install", dist)
	ok(t, "-p", proj, "plugin", "enable", "example.com/filechannel")
	out := filepath.Join(t.TempDir(), "sent.jsonl")
	ok(t, "-p", proj, "plugin", "check", "example.com/filechannel", "--component", "file", "--config", "path="+out)
	ok(t, "-p", proj, "campaign", "create", "Rehearsal", "--segment", "Consenting champions", "--channel", "example.com/filechannel/file",
		"--config", "path="+out, "--holdout", "0", "--variant", "A|100|Hello {{.first_name}}|Spring is here.")
	var rep struct{ Sent int }
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "campaign", "send", "Rehearsal", "--live")), &rep)
	b, _ := os.ReadFile(out)
	if lines := strings.Count(string(b), "\n"); rep.Sent == 0 || lines != rep.Sent {
		t.Fatalf("sent %d, the plugin wrote %d lines", rep.Sent, lines)
	}
	// The project enables it: uninstall says so, and --disable does both.
	if _, errs, code := run(t, "-p", proj, "plugin", "uninstall", "example.com/filechannel"); code == 0 || !strings.Contains(errs, "--disable") {
		t.Errorf("uninstall of an enabled plugin: %d %s", code, errs)
	}
	ok(t, "-p", proj, "plugin", "uninstall", "example.com/filechannel", "--disable")
	if out := ok(t, "-p", proj, "plugin", "list"); strings.Contains(out, "filechannel") {
		t.Errorf("still listed after uninstall:\n%s", out)
	}
	if _, errs, code := run(t, "-p", proj, "campaign", "send", "Rehearsal", "--live"); code == 0 || !strings.Contains(errs, "not enabled") {
		t.Errorf("send after uninstall: %d %s", code, errs)
	}
}
