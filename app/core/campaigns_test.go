package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// pluginsDir holds the test channel (plugins/host's misbehaving plugin,
// which can also behave), installed once for the package's tests.
var pluginsDir string

func setupPlugins() error {
	dir, err := os.MkdirTemp("", "mb-core-plugins-*")
	if err != nil {
		return err
	}
	pluginsDir = filepath.Join(dir, "user")
	if os.Getenv("MB_KILL_CHILD") != "" {
		// A child process a kill test starts uses its parent's plugins
		// (the plugin folders come in its environment); TestMain removes
		// only this empty folder.
		return nil
	}
	// Built once per test run, in parallel: the host's misbehaving plugin
	// and the fault zoo of app/core/testdata (built with the public SDK).
	builds := []struct{ id, pkg, from, bin, component string }{
		{"test.org/channel", "./testdata/misbehave", "../../plugins/host", "misbehave", ""},
		{"test.org/zoo", "./testdata/faultzoo", ".", "faultzoo", ""},
		{"test.org/wire", "./testdata/faultwire", ".", "faultwire", ""},
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, b := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = buildPlugin(dir, b.id, b.pkg, b.from, b.bin)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The zoo's binary under a name ending in -exit dies before the
	// handshake.
	zoo, _ := os.ReadFile(filepath.Join(dir, "test.org_zoo", "faultzoo"))
	if err := installPlugin(dir, "test.org/zoo-exit", "faultzoo-exit", zoo); err != nil {
		return err
	}
	os.Setenv(host.DirEnv, pluginsDir)
	os.Setenv(host.BundledEnv, filepath.Join(dir, "none"))
	return nil
}

func buildPlugin(dir, id, pkg, from, bin string) error {
	out := filepath.Join(dir, "build-"+bin)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = from
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v\n%s", pkg, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	return installPlugin(dir, id, bin, b)
}

// installPlugin installs a built program as plugin id (a channel asking
// for email and first_name) in pluginsDir.
func installPlugin(dir, id, bin string, program []byte) error {
	src := filepath.Join(dir, strings.ReplaceAll(id, "/", "_"))
	os.MkdirAll(src, 0o755)
	path := filepath.Join(src, bin)
	if err := os.WriteFile(path, program, 0o755); err != nil {
		return err
	}
	sum, err := host.FileSHA256(path)
	if err != nil {
		return err
	}
	m := sdk.Manifest{ID: id, Version: "1.0.0", Kinds: []string{"channel"}, ProtocolVersions: []int{1},
		Binaries: map[string]sdk.Binary{host.Platform(): {Path: bin, SHA256: sum}}, Fields: []string{"email", "first_name"}}
	b, _ := json.Marshal(m)
	os.WriteFile(filepath.Join(src, "plugin.json"), b, 0o644)
	_, err = host.Install(src, pluginsDir)
	return err
}

// shop makes a project with 60 customers (every 3rd without e-mail
// consent, one suppressed), a segment of them all and the channel enabled.
func shop(t *testing.T, path string) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,first_name,email,email_consent\n")
	for i := range 60 {
		fmt.Fprintf(&b, "C%03d,Ann%d,c%03d@example.com,%v\n", i, i, i, i%3 != 0)
	}
	csv := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Suppress(ctx, "email", []string{" C001@Example.com"}, "unsubscribed"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	return w
}

func spring(cfg map[string]string) *campaign.Campaign {
	return &campaign.Campaign{Name: "Spring sale", Segment: "Everyone", Table: "customers", Plugin: "test.org/channel", Component: "bad",
		Config: cfg, HoldoutPercent: 20, Variants: []campaign.Variant{
			{Name: "A", Percent: 50, Subject: "Hi {{.first_name}}", Text: "Spring is here, {{.first_name}}.", HTML: "<p>Hi {{.first_name}}</p>"},
			{Name: "B", Percent: 50, Subject: "{{.first_name}}, 20% off", Text: "Take 20% off, {{.first_name}}."}}}
}

// logKeys reads the test provider's log: key → times delivered.
func logKeys(t *testing.T, path string) map[string]int {
	t.Helper()
	b, _ := os.ReadFile(path)
	out := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, _, ok := strings.Cut(l, " "); ok {
			out[k]++
		}
	}
	return out
}

func TestCampaignPreviewAndConsent(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	c := spring(sdk.Config{"mode": "ok"})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if !c.Idempotent || strings.Join(c.Fields, ",") != "email,first_name" {
		t.Fatalf("campaign channel facts: %+v", c)
	}
	pv, err := w.PreviewCampaign(ctx, "Spring sale", 2)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Audience != 60 || pv.Excluded["no e-mail consent"] != 20 || pv.Excluded["unsubscribed"] != 1 {
		t.Fatalf("preview %+v", pv)
	}
	if pv.Groups["A"]+pv.Groups["B"]+pv.Groups[campaign.Holdout] != 39 || pv.Groups[campaign.Holdout] == 0 {
		t.Errorf("groups %v", pv.Groups)
	}
	if len(pv.Samples) != 4 || !strings.HasPrefix(pv.Samples[0].Subject, "Hi Ann") {
		t.Errorf("samples %+v", pv.Samples)
	}
	// A template naming a field nobody has fails at preview, with the name.
	bad := spring(sdk.Config{"mode": "ok"})
	bad.Name = "Typo"
	bad.Variants[1].Text = "Hello {{.frist_name}}"
	if err := w.SaveCampaign(ctx, bad, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.PreviewCampaign(ctx, "Typo", 1); err == nil || !strings.Contains(err.Error(), `no field "frist_name"`) {
		t.Errorf("missing field: %v", err)
	}
	if _, err := w.SendCampaign(ctx, "Typo", SendOptions{Mode: campaign.Live}, nil); err == nil {
		t.Error("a campaign with a broken template was sent")
	}
	if planned, _ := campaign.IsPlanned(ctx, w.Project, "Typo"); planned {
		t.Error("a refused send logged deliveries")
	}
	// Assignment is a pure function of campaign and customer.
	if c.Assign("C010") != spring(nil).Assign("C010") {
		t.Error("assignment is not deterministic")
	}
	// Settings the channel does not know are refused.
	odd := spring(sdk.Config{"colour": "red"})
	odd.Name = "Odd"
	if err := w.SaveCampaign(ctx, odd, false); err == nil || !strings.Contains(err.Error(), "colour: unknown setting") {
		t.Errorf("unknown setting: %v", err)
	}
}

// The plugin dies after delivering a message but before answering for it:
// the resumed send repeats that message under the same key, the provider
// drops the duplicate, and every consenting customer gets exactly one.
func TestCampaignPluginCrashMidSend(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "provider.log")
	c := spring(sdk.Config{"mode": "crash-once", "log": logPath, "marker": filepath.Join(dir, "crashed")})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	rep, err := w.SendCampaign(ctx, "Spring sale", SendOptions{Mode: campaign.Live}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "crashed")); err != nil {
		t.Fatal("the plugin never crashed")
	}
	checkExactlyOnce(t, w, logPath, rep)
}

func checkExactlyOnce(t *testing.T, w *Workspace, logPath string, rep *SendReport) {
	t.Helper()
	_, counts, err := w.CampaignStatus(context.Background(), "Spring sale")
	if err != nil {
		t.Fatal(err)
	}
	sendable := counts.Total - counts.ByStatus[campaign.Excluded] - counts.ByStatus[campaign.Holdout]
	if counts.ByStatus[campaign.Delivered] != sendable || counts.Total != 60 {
		t.Fatalf("delivery log %+v (report %+v)", counts, rep)
	}
	keys := logKeys(t, logPath)
	if len(keys) != sendable {
		t.Errorf("the provider got %d customers, want %d", len(keys), sendable)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	rows, _ := w.DB().Query(`SELECT idempotency_key FROM mb_deliveries WHERE campaign = 'Spring sale' AND status = 'delivered'`)
	defer rows.Close()
	for rows.Next() {
		var k string
		rows.Scan(&k)
		if keys[k] != 1 {
			t.Errorf("%s is logged as delivered but the provider has it %d times", k, keys[k])
		}
	}
}

// The app process is killed (SIGKILL) in the middle of a live send; the
// project reopens, the send resumes, and no customer is sent twice or
// skipped.
func TestCampaignAppKilledMidSend(t *testing.T) {
	if os.Getenv("MB_CAMPAIGN_CHILD") != "" {
		t.Skip("parent only")
	}
	// The kill must land while a message is with the plugin; retry the
	// timing until it does.
	for try := 0; ; try++ {
		dir := t.TempDir()
		proj := filepath.Join(dir, "p.mbproj")
		logPath := filepath.Join(dir, "provider.log")
		w := shop(t, proj)
		if err := w.SaveCampaign(context.Background(), spring(sdk.Config{"mode": "slow", "log": logPath}), false); err != nil {
			t.Fatal(err)
		}
		w.Close()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCampaignChildSend$", "-test.v")
		cmd.Env = append(os.Environ(), "MB_CAMPAIGN_CHILD="+proj)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for len(logKeys(t, logPath)) < 8 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(try*37%100) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		sent := len(logKeys(t, logPath))
		if sent < 8 || sent >= 30 {
			t.Fatalf("killed after %d deliveries; the test wants it mid-send", sent)
		}
		w, err := Open(proj)
		if err != nil {
			t.Fatalf("reopening after the kill: %v", err)
		}
		rep, err := w.SendCampaign(context.Background(), "Spring sale", SendOptions{Mode: campaign.Live}, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkExactlyOnce(t, w, logPath, rep)
		w.Close()
		if rep.Recovered > 0 {
			return
		}
		if try == 4 {
			t.Fatalf("no kill in 5 landed with a message in flight (report %+v)", rep)
		}
		t.Logf("try %d: no delivery was in flight at the kill; again", try+1)
	}
}

// TestCampaignChildSend is the process the test above kills.
func TestCampaignChildSend(t *testing.T) {
	proj := os.Getenv("MB_CAMPAIGN_CHILD")
	if proj == "" {
		t.Skip("run by TestCampaignAppKilledMidSend")
	}
	w, err := Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	w.SendCampaign(context.Background(), "Spring sale", SendOptions{Mode: campaign.Live}, nil)
	t.Fatal("the send finished before the parent killed it")
}

// A model plugin trains, evaluates and scores like a built-in model: the
// logreg-model plugin (analytics/logistic behind Arrow) reaches the same
// AUC as the built-in logistic regression on the same split.
func TestModelPlugin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a plugin")
	}
	ctx := context.Background()
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "logreg-model"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	w, err := Create(filepath.Join(t.TempDir(), "t.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Import(ctx, "../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv", ingest.Options{Table: "telco"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/logreg-model"); err != nil {
		t.Fatal(err)
	}
	algo := PluginAlgoPrefix + "marketbench.org/logreg-model/logreg"
	found := false
	for _, a := range w.Algorithms(ctx) {
		found = found || (a.Name == algo && a.Plugin)
	}
	if !found {
		t.Fatalf("%s not in the algorithm list %v", algo, w.Algorithms(ctx))
	}
	feats := []string{"tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"}
	pm, err := w.Train(ctx, TrainRequest{Table: "telco", Features: feats, Spec: model.Spec{Algo: algo, Target: "Churn", Seed: 3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	bm, err := w.Train(ctx, TrainRequest{Name: "builtin", Table: "telco", Features: feats, Spec: model.Spec{Algo: model.LogReg, Target: "Churn", Seed: 3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := pm.Eval.AUC - bm.Eval.AUC; pm.Eval.AUC < 0.75 || d > 1e-3 || d < -1e-3 || pm.Eval.TestRows != bm.Eval.TestRows {
		t.Errorf("plugin AUC %v on %d rows, built-in %v on %d", pm.Eval.AUC, pm.Eval.TestRows, bm.Eval.AUC, bm.Eval.TestRows)
	}
	res, err := w.Score(ctx, pm.Name, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != 7043 || res.Mean <= 0 || res.Mean >= 1 {
		t.Errorf("plugin scores %+v", res)
	}
	if _, err := w.Explain(ctx, pm.Name, "7590-VHVEG", "", 3); err == nil {
		t.Error("explained a plugin model")
	}
	// Text features cannot go to a model plugin.
	if _, err := w.Train(ctx, TrainRequest{Name: "cat", Table: "telco", Features: []string{"tenure", "Contract"}, Spec: model.Spec{Algo: algo, Target: "Churn"}}, nil); err == nil ||
		!strings.Contains(err.Error(), "numeric features") {
		t.Errorf("categorical feature to a plugin: %v", err)
	}
}

// Responses arrive as files in a folder: the csv-folder source plugin
// imports them into a table, resuming (a second import takes only the new
// file), and the campaign's results are read from that table.
func TestSourceImportToResults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	ctx := context.Background()
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "csv-folder"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	dir := t.TempDir()
	c := spring(sdk.Config{"mode": "ok", "log": filepath.Join(dir, "provider.log")})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/csv-folder"); err != nil {
		t.Fatal(err)
	}
	exports := t.TempDir()
	os.WriteFile(filepath.Join(exports, "day1.csv"), []byte("customer_id,event,value\nC002,open,\nC004,conversion,30\n"), 0o644)
	os.WriteFile(filepath.Join(exports, "day2.csv"), []byte("customer_id,event,value\nC005,click,\n"), 0o644)
	cfg := sdk.Config{"folder": exports}
	r, err := w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "responses", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 3 || r.Checkpoints != 2 {
		t.Fatalf("first import %+v", r)
	}
	os.WriteFile(filepath.Join(exports, "day3.csv"), []byte("customer_id,event,value\nC007,conversion,12.5\nC008,unsubscribe,\n"), 0o644)
	if r, err = w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "responses", nil); err != nil || r.Rows != 2 || r.TotalRows != 5 {
		t.Fatalf("second import %+v %v", r, err)
	}
	if r, err = w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "responses", nil); err != nil || r.Rows != 0 {
		t.Fatalf("third import %+v %v", r, err)
	}
	if _, err := w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "customers", nil); err == nil {
		t.Fatal("a source filled a user's own table")
	}
	ir, err := w.ImportCampaignResults(ctx, c.Name, "table:responses")
	if err != nil {
		t.Fatal(err)
	}
	if ir.Rows != 5 || ir.Matched+ir.Unmatched != 5 {
		t.Errorf("results import %+v", ir)
	}
	// Importing the same table again replaces, not adds.
	before, _ := w.CampaignResults(ctx, c.Name, 0)
	if _, err := w.ImportCampaignResults(ctx, c.Name, "table:responses"); err != nil {
		t.Fatal(err)
	}
	after, _ := w.CampaignResults(ctx, c.Name, 0)
	var n int
	w.DB().QueryRow(`SELECT count(*) FROM mb_campaign_events`).Scan(&n)
	if n != int(ir.Matched) || fmt.Sprint(before.Groups) != fmt.Sprint(after.Groups) {
		t.Errorf("re-import: %d events (want %d); groups %v then %v", n, ir.Matched, before.Groups, after.Groups)
	}
}

// Results over time and per engagement metric, then deletion.
func TestCampaignTimelineAndDelete(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	c := spring(sdk.Config{"mode": "ok"})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	rows, _ := w.DB().Query(`SELECT customer_id, status FROM mb_deliveries WHERE status IN ('delivered', 'holdout') ORDER BY 1`)
	var b strings.Builder
	b.WriteString("customer_id,event,value,at\n")
	i := 0
	for rows.Next() {
		var id, st string
		rows.Scan(&id, &st)
		day := 1 + i%3
		fmt.Fprintf(&b, "%s,conversion,10,2026-03-0%d 10:00:00\n", id, day)
		if st == "delivered" {
			fmt.Fprintf(&b, "%s,open,,2026-03-01 09:00:00\n", id)
		}
		i++
	}
	rows.Close()
	f := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(f, []byte(b.String()), 0o644)
	if _, err := w.ImportCampaignResults(ctx, c.Name, f); err != nil {
		t.Fatal(err)
	}
	tl, err := w.CampaignTimeline(ctx, c.Name, 0)
	if err != nil {
		t.Fatal(err)
	}
	for g, pts := range tl {
		if len(pts) != 3 || pts[2].Value < pts[0].Value {
			t.Errorf("%s timeline %v", g, pts)
		}
	}
	if len(tl) != 3 {
		t.Errorf("timeline groups %v", tl)
	}
	res, err := w.CampaignResults(ctx, c.Name, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reports["conversion"] == nil || res.Reports["open"] == nil || res.Reports["open"].Control.Name != "A" {
		t.Errorf("reports %v", res.Reports)
	}
	if err := w.DeleteCampaign(ctx, c.Name); err != nil {
		t.Fatal(err)
	}
	if list, _ := w.Campaigns(ctx); len(list) != 0 {
		t.Errorf("campaigns after delete: %v", list)
	}
}

// A message the plugin hangs on is tried MaxAttempts times and given up;
// the customers behind it are not charged for it and all get theirs once.
func TestCampaignPoisonMessage(t *testing.T) {
	t.Setenv("MARKETBENCH_PLUGIN_TIMEOUT", "400ms")
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	logPath := filepath.Join(t.TempDir(), "provider.log")
	c := spring(sdk.Config{"mode": "poison", "log": logPath})
	c.HoldoutPercent = 0
	c.MaxAttempts = 2
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	rep, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil)
	if err != nil {
		t.Fatalf("send: %v (%+v)", err, rep)
	}
	var status, reason string
	var attempts int
	w.DB().QueryRow(`SELECT status, reason, attempts FROM mb_deliveries WHERE customer_id = 'C004'`).Scan(&status, &reason, &attempts)
	if status != campaign.Rejected || !strings.Contains(reason, "gave up after 2 attempts") {
		t.Errorf("C004: %s %q after %d attempts", status, reason, attempts)
	}
	_, counts, _ := w.CampaignStatus(ctx, c.Name)
	if counts.ByStatus[campaign.Rejected] != 1 {
		t.Errorf("counts %+v: only the poison message may be given up", counts.ByStatus)
	}
	keys := logKeys(t, logPath)
	if len(keys) != counts.ByStatus[campaign.Delivered] {
		t.Errorf("provider has %d, log says %d delivered", len(keys), counts.ByStatus[campaign.Delivered])
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

// With a channel that does not honour idempotency keys, a crash sets aside
// only the message in flight (as unknown); nobody else is skipped.
func TestCampaignCrashNotIdempotent(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "provider.log")
	c := spring(sdk.Config{"mode": "crash-once", "log": logPath, "marker": filepath.Join(dir, "crashed")})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	c.Idempotent = false // as if the channel did not declare the capability
	if err := campaign.Save(ctx, w.Project, c, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	_, counts, _ := w.CampaignStatus(ctx, c.Name)
	sendable := counts.Total - counts.ByStatus[campaign.Excluded] - counts.ByStatus[campaign.Holdout]
	if counts.ByStatus[campaign.Unknown] != 1 || counts.ByStatus[campaign.Delivered] != sendable-1 {
		t.Fatalf("counts %+v, want 1 unknown and the rest delivered", counts.ByStatus)
	}
	keys := logKeys(t, logPath)
	if len(keys) != sendable {
		t.Errorf("the provider got %d customers, want %d (the unknown one did arrive)", len(keys), sendable)
	}
}
