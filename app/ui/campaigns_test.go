package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// providerLog reads the test channel's log: idempotency key → deliveries.
func providerLog(t *testing.T, path string) map[string]int {
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

// fillCampaign fills the Set up tab with a two-variant campaign.
func fillCampaign(t *testing.T, e *campaignEditor, name, textB string) {
	t.Helper()
	e.name.SetText(name)
	e.segSel.SetSelected("Everyone")
	e.holdout.SetText("20")
	v := e.variants[0]
	v.subject.SetText("Hi {{.first_name}}")
	v.text.SetText("Spring is here, {{.first_name}}.")
	v.html.SetText("<p>Hi {{.first_name}}</p>")
	test.Tap(button(t, e.content, "Add variant"))
	if len(e.variants) != 2 || e.variants[0].share.Text != "50" || e.variants[1].share.Text != "50" || e.variants[1].name.Text != "B" {
		t.Fatalf("after Add variant: %d variants", len(e.variants))
	}
	e.variants[1].subject.SetText("{{.first_name}}, 20% off")
	e.variants[1].text.SetText(textB)
}

// TestCampaigns enables the test channel and tests it on the Plugins
// screen, then on the Campaigns screen creates a campaign, previews it,
// does a dry run and a live send, and reads imported results; a template
// with an unknown field is refused at preview and nothing is sent.
func TestCampaigns(t *testing.T) {
	src := testChannel(t)
	ws := shop(t)
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	logPath := filepath.Join(t.TempDir(), "provider.log")
	enableOnScreen(t, w, p, logPath)

	p.goTo("Campaigns")
	idle(t, p)
	s, e := p.campaigns, p.campaigns.editor
	if len(s.list) != 0 || !strings.HasPrefix(s.listInfo.Text, "No campaigns yet") {
		t.Fatalf("empty state %q", s.listInfo.Text)
	}
	if !slices.Contains(e.segSel.Options, "Everyone") {
		t.Fatalf("segments offered %v", e.segSel.Options)
	}
	// The only channel is chosen, with the settings tested on the Plugins screen.
	if e.chanSel.Selected != "Test channel — bad" || e.settings == nil {
		t.Fatalf("channel %q of %v; %q", e.chanSel.Selected, e.chanSel.Options, e.chanNote.Text)
	}
	if cfg, _ := e.settings.values(); cfg["mode"] != "ok" || cfg["log"] != logPath {
		t.Fatalf("channel settings %v", cfg)
	}
	fillCampaign(t, e, "Spring sale", "Take 20% off, {{.first_name}}.")
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "saving")
	if len(s.list) != 1 || s.sel != "Spring sale" || s.grid.rows[0][1] != "draft (not sent)" {
		t.Fatalf("after save: %v, selected %q", s.grid.rows, s.sel)
	}

	// Preview: who is left out and why, the groups, sample messages.
	s.tabs.SelectIndex(1)
	test.Tap(s.preview.btn)
	idle(t, p)
	noDialog(t, w, "the preview")
	pv := s.preview.last
	if pv == nil || pv.Audience != 60 {
		t.Fatalf("preview %+v", pv)
	}
	if !slices.Equal(s.preview.excluded.rows[0], []string{"no e-mail consent", "20"}) || !slices.Equal(s.preview.excluded.rows[1], []string{"unsubscribed", "1"}) {
		t.Errorf("exclusions %v", s.preview.excluded.rows)
	}
	if len(s.preview.groups.rows) != 3 || s.preview.groups.rows[1][0] != "variant B" || s.preview.groups.rows[2][0] != "holdout (gets nothing)" {
		t.Errorf("groups %v", s.preview.groups.rows)
	}
	if n := len(s.preview.samples.Objects); n != 6 {
		t.Errorf("%d sample messages, want 3 per variant", n)
	}
	card := s.preview.samples.Objects[0].(*widget.Card)
	if !strings.HasPrefix(card.Subtitle, "Variant A → c0") {
		t.Errorf("sample %q", card.Subtitle)
	}
	sendable := contacted(pv)
	t.Logf("preview: %s", s.preview.summary.Text)

	// A dry run sends nothing.
	s.tabs.SelectIndex(2)
	v := s.send
	if v.mode.Selected != modeDry || v.sendBtn.Text != "Dry run" {
		t.Fatalf("default mode %q", v.mode.Selected)
	}
	test.Tap(v.sendBtn)
	idle(t, p)
	noDialog(t, w, "the dry run")
	if !strings.Contains(v.stage.Text, fmt.Sprintf("Dry run: %d customers would get a message", sendable)) || !strings.Contains(v.stage.Text, "Nothing was sent") {
		t.Errorf("dry run %q", v.stage.Text)
	}
	if _, err := os.Stat(logPath); err == nil {
		t.Fatal("the dry run sent messages")
	}

	// Live: the confirmation says how many customers will be contacted.
	v.mode.SetSelected(modeLive)
	if v.sendBtn.Text != "Send live…" {
		t.Errorf("live button %q", v.sendBtn.Text)
	}
	test.Tap(v.sendBtn)
	idle(t, p)
	msg := topText(t, w)
	if !strings.Contains(msg, fmt.Sprintf("%d customers will be contacted now", sendable)) {
		t.Fatalf("confirmation: %s", msg)
	}
	tapDialogButton(t, w, fmt.Sprintf("Send to %d customers", sendable))
	idle(t, p)
	noDialog(t, w, "the live send")
	if !strings.HasPrefix(v.stage.Text, fmt.Sprintf("Done: %d messages sent", sendable)) {
		t.Errorf("stage %q", v.stage.Text)
	}
	if !strings.Contains(v.status.Text, fmt.Sprintf("Status: sent. %d of 60 customers delivered", sendable)) {
		t.Errorf("status %q", v.status.Text)
	}
	counts := v.counts
	total := counts.rows[len(counts.rows)-1]
	if total[0] != "total" || counts.cols[1] != campaign.Delivered || total[1] != fmt.Sprint(sendable) {
		t.Errorf("delivery log %v %v", counts.cols, counts.rows)
	}
	if !slices.ContainsFunc(v.reasons.rows, func(r []string) bool { return r[0] == "no e-mail consent" && r[1] == "20" }) {
		t.Errorf("reasons %v", v.reasons.rows)
	}
	if s.grid.rows[0][1] != "sent" || s.grid.rows[0][3] != fmt.Sprint(sendable) {
		t.Errorf("list row %v", s.grid.rows[0])
	}
	// Every consenting customer got exactly one message.
	keys := providerLog(t, logPath)
	if len(keys) != sendable {
		t.Errorf("the provider got %d customers, want %d", len(keys), sendable)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
	if !e.saveBtn.Disabled() || !strings.Contains(e.note.Text, "cannot be changed") {
		t.Error("a sent campaign can still be edited")
	}

	// Results: conversions for some of every group.
	var b strings.Builder
	b.WriteString("customer_id,event,value,at\n")
	rows, err := p.ws.DB().Query(`SELECT customer_id, status, variant FROM mb_deliveries WHERE campaign = 'Spring sale' AND status IN ('delivered', 'holdout') ORDER BY customer_id`)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rows.Next() {
		var id, status, variant string
		rows.Scan(&id, &status, &variant)
		if (variant == "A" && i%2 == 0) || (variant == "B" && i%4 == 0) || (status == "holdout" && i%5 == 0) {
			fmt.Fprintf(&b, "%s,conversion,25.5,2026-03-0%d 10:00\n", id, 1+i%9)
		}
		fmt.Fprintf(&b, "%s,open,,\n", id)
		i++
	}
	rows.Close()
	b.WriteString("nobody,click,,\n")
	csv := filepath.Join(t.TempDir(), "responses.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	s.tabs.SelectIndex(3)
	r := s.results
	if !strings.HasPrefix(r.info.Text, "Not enough data yet") {
		t.Errorf("results before import %q", r.info.Text)
	}
	r.importFile(csv)
	idle(t, p)
	noDialog(t, w, "importing results")
	if !strings.Contains(p.status.Text, "1 matched nobody") {
		t.Errorf("import status %q", p.status.Text)
	}
	if r.metric.Selected != "conversion" || len(r.table.rows) != 3 {
		t.Fatalf("readout %q %v", r.metric.Selected, r.table.rows)
	}
	if r.table.rows[0][0] != "holdout (control)" || r.table.rows[1][0] != "A" || r.table.cols[8] != "Chance to beat control" {
		t.Errorf("readout rows %v", r.table.rows)
	}
	rep := r.res.Reports["conversion"]
	if got, want := r.table.rows[1][3], pct(rep.Variants[0].Variant.Rate); got != want {
		t.Errorf("rate of A %q, want %q", got, want)
	}
	if n := len(r.verdicts.Objects); n != 2 || !strings.HasPrefix(r.verdicts.Objects[0].(*widget.Label).Text, "Variant A: ") {
		t.Errorf("%d verdicts; info %q", n, r.info.Text)
	}
	if r.chart.img.Image == nil {
		t.Errorf("no chart: %q", r.chart.msg.Text)
	}
	t.Logf("readout: %s %s %v", r.verdicts.Objects[0].(*widget.Label).Text, r.info.Text, r.table.rows)

	// Planning: the calculator agrees with abtest.SampleSize.
	pl := s.plan
	pl.baseline.SetText("5")
	pl.mde.SetText("1")
	plan, _ := abtest.SampleSize(abtest.Design{Baseline: 0.05, MDE: 0.01}, 0.8)
	if !strings.HasPrefix(pl.result.Text, chart.Number(float64(plan.PerGroup))+" customers per group") || !strings.Contains(pl.audience.Text, "too few") {
		t.Errorf("plan %q / %q", pl.result.Text, pl.audience.Text)
	}
	pl.power.SetText("120")
	if pl.result.Text != "" || !strings.Contains(pl.audience.Text, "The power must be a number from 0 to 100") {
		t.Errorf("bad power: %q / %q", pl.result.Text, pl.audience.Text)
	}

	// A template naming a field nobody has: an error at preview, nothing sent.
	s.newCampaign()
	fillCampaign(t, e, "Typo", "Hello {{.frist_name}}")
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "saving Typo")
	s.tabs.SelectIndex(1)
	test.Tap(s.preview.btn)
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, `frist_name`) {
		t.Fatalf("preview error: %s", msg)
	}
	closeDialog(w)
	if !strings.HasPrefix(s.preview.summary.Text, "The preview failed") {
		t.Errorf("preview summary %q", s.preview.summary.Text)
	}
	v.mode.SetSelected(modeLive)
	test.Tap(v.sendBtn)
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, `frist_name`) {
		t.Fatalf("send error: %s", msg)
	}
	closeDialog(w)
	if _, c, _ := p.ws.CampaignStatus(context.Background(), "Typo"); c.Total != 0 {
		t.Errorf("the broken campaign logged deliveries: %+v", c)
	}
	if got := len(providerLog(t, logPath)); got != sendable {
		t.Errorf("the provider has %d deliveries after the refused send", got)
	}
}

// TestCampaignPause pauses a live send part way and resumes it: every
// consenting customer still gets exactly one message.
func TestCampaignPause(t *testing.T) {
	src := testChannel(t)
	ws := shop(t)
	ctx := context.Background()
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "provider.log")
	c := &campaign.Campaign{Name: "Slow", Segment: "Everyone", Plugin: "test.org/channel", Component: "bad",
		Config: sdk.Config{"mode": "slow", "log": logPath}, HoldoutPercent: 10,
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello {{.first_name}}"}}}
	if err := ws.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Campaigns")
	idle(t, p)
	s := p.campaigns
	s.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	if s.sel != "Slow" || s.editor.name.Text != "Slow" || s.editor.chanSel.Selected != "Test channel — bad" {
		t.Fatalf("selected %q; editor %q on %q", s.sel, s.editor.name.Text, s.editor.chanSel.Selected)
	}
	v := s.send
	s.tabs.SelectIndex(2)
	v.mode.SetSelected(modeLive)
	test.Tap(v.sendBtn)
	idle(t, p)
	msg := topText(t, w)
	n := contacted(s.preview.last)
	tapDialogButton(t, w, fmt.Sprintf("Send to %d customers", n))
	if !v.sendBtn.Disabled() || v.pauseBtn.Disabled() {
		t.Fatalf("while sending: send enabled %v, pause enabled %v (%s)", !v.sendBtn.Disabled(), !v.pauseBtn.Disabled(), msg)
	}
	// The window stays live while it sends: wait for a few deliveries.
	end := time.Now().Add(30 * time.Second)
	for len(providerLog(t, logPath)) < 5 {
		if time.Now().After(end) {
			t.Fatal("nothing was delivered within 30s")
		}
		drain()
		time.Sleep(10 * time.Millisecond)
	}
	test.Tap(v.pauseBtn)
	idle(t, p)
	noDialog(t, w, "pausing")
	sent := len(providerLog(t, logPath))
	if sent >= n || !strings.HasPrefix(v.stage.Text, "Paused after") || v.sendBtn.Text != "Resume sending" {
		t.Fatalf("after pause: %d of %d sent; %q; button %q", sent, n, v.stage.Text, v.sendBtn.Text)
	}
	if !strings.Contains(v.status.Text, "Status: paused") || !strings.Contains(v.status.Text, "still to send") {
		t.Errorf("paused status %q", v.status.Text)
	}
	t.Logf("paused after %d of %d: %s", sent, n, v.status.Text)
	test.Tap(v.sendBtn) // resume: no second confirmation
	idle(t, p)
	noDialog(t, w, "resuming")
	keys := providerLog(t, logPath)
	if len(keys) != n {
		t.Errorf("the provider got %d customers, want %d", len(keys), n)
	}
	for k, c := range keys {
		if c != 1 {
			t.Errorf("%s delivered %d times", k, c)
		}
	}
	if !strings.Contains(v.status.Text, fmt.Sprintf("Status: sent. %d of 60", n)) {
		t.Errorf("final status %q", v.status.Text)
	}
}

// TestWriteWithAI writes two variants with the offline templates through
// the "Write with AI…" dialog of the variant editor.
func TestWriteWithAI(t *testing.T) {
	w, p := open(t, shop(t))
	p.goTo("Campaigns")
	idle(t, p)
	e := p.campaigns.editor
	test.Tap(button(t, e.content, "Write with AI…"))
	if msg := topText(t, w); !strings.Contains(msg, "Choose the audience segment first") {
		t.Fatalf("without a segment: %s", msg)
	}
	closeDialog(w)
	e.segSel.SetSelected("Everyone")
	test.Tap(button(t, e.content, "Write with AI…"))
	top := w.win.Canvas().Overlays().Top()
	test.Tap(must(t, top, "offline check", func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "Offline templates") }))
	tapDialogButton(t, w, "Write")
	idle(t, p)
	noDialog(t, w, "writing offline")
	if len(e.variants) != 2 {
		t.Fatalf("%d variants", len(e.variants))
	}
	for _, v := range e.variants {
		if strings.TrimSpace(v.subject.Text) == "" || strings.TrimSpace(v.text.Text) == "" {
			t.Errorf("variant %s: %q / %q", v.name.Text, v.subject.Text, v.text.Text)
		}
	}
	if e.variants[0].share.Text != "50" || !strings.HasPrefix(p.status.Text, "Wrote 2 variants") {
		t.Errorf("share %q; status %q", e.variants[0].share.Text, p.status.Text)
	}
	t.Logf("A: %q / %q", e.variants[0].subject.Text, e.variants[0].text.Text)
}

// Deliveries a crash left of unknown fate are settled from the Send tab:
// the button shows only when there are some, its dialog lists them, and
// "Send them again" puts them back for the next resume.
func TestCampaignUnknownDeliveries(t *testing.T) {
	src := testChannel(t)
	ws := shop(t)
	ctx := context.Background()
	if _, err := ws.InstallPlugin(src); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.EnablePlugin(ctx, "test.org/channel"); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "Crashy", Segment: "Everyone", Plugin: "test.org/channel", Component: "bad",
		Config: sdk.Config{"mode": "ok"}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello"}}}
	if err := ws.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.SendCampaign(ctx, "Crashy", core.SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.DB().Exec(`UPDATE mb_deliveries SET status = 'unknown', reason = 'the app or the plugin stopped while this message was being sent'
		WHERE customer_id IN (SELECT customer_id FROM mb_deliveries WHERE status = 'delivered' ORDER BY 1 LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Campaigns")
	idle(t, p)
	s := p.campaigns
	s.grid.table.Select(widget.TableCellID{Row: 0})
	idle(t, p)
	v := s.send
	s.tabs.SelectIndex(2)
	idle(t, p)
	if !v.unknownBtn.Visible() || !strings.Contains(v.status.Text, "3 messages may or may not have arrived") {
		t.Fatalf("unknown button visible %v; status %q", v.unknownBtn.Visible(), v.status.Text)
	}
	test.Tap(v.unknownBtn)
	idle(t, p)
	if msg := topText(t, w); !strings.Contains(msg, "3 messages may or may not have gone out") {
		t.Fatalf("dialog: %q", msg)
	}
	tapDialogButton(t, w, "Send them again")
	idle(t, p)
	var planned int
	ws.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE status = 'planned'`).Scan(&planned)
	if planned != 3 || !strings.Contains(v.stage.Text, "3 deliveries will be sent again") {
		t.Errorf("%d planned; stage %q", planned, v.stage.Text)
	}
	if v.unknownBtn.Visible() {
		t.Error("the unknown button still shows with no unknown deliveries")
	}
}
