package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/app/demodata"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/runlock"
)

// OutboxPlugin is the bundled channel the demo's journeys send through: it
// appends each message to a file, so it works offline and keeps working
// after the demo ends (the headless demo's webhook receiver does not).
const OutboxPlugin = "marketbench.org/outbox"

// demoJourneyText is the demo's two journeys in the demo's language: a
// welcome series for first-time buyers and a win-back for the RFM segment
// of valuable customers slipping away.
type demoJourneyText struct {
	welcome, winback string
	// atRisk is the RFM segment the win-back takes customers from: "At
	// Risk" in the classic scheme; in the Chinese eight types, 重要挽留客户
	// (big spenders who no longer buy often or lately: the ones to win back).
	atRisk   string
	greeting [2]string    // subject, text of the welcome
	picks    [2]string    // three days later
	offers   [2][2]string // the win-back's A/B offers
	reminder [2]string    // a week later
}

var demoJourneyTexts = map[demodata.Locale]*demoJourneyText{
	demodata.English: {
		welcome: "Welcome new buyers", winback: "Win back At Risk", atRisk: "At Risk",
		greeting: [2]string{"Welcome, {{.first_name}}", "Thank you for your first order, {{.first_name}}."},
		picks:    [2]string{"Picked for you", "Hi {{.first_name}}, {{if .rec1_name}}you may like {{.recommendations}}.{{else}}see what is new in the shop.{{end}}"},
		offers: [2][2]string{
			{"We miss you, {{.first_name}}", "Ten percent off your next order this week, {{.first_name}}."},
			{"What is new", "Hi {{.first_name}}, see what is new since your last visit.{{if .rec1_name}} Picked for you: {{.recommendations}}.{{end}}"}},
		reminder: [2]string{"Last days of your offer", "Your ten percent ends on Sunday, {{.first_name}}."},
	},
	demodata.Chinese: {
		welcome: "新客欢迎", winback: "重要挽留客户召回", atRisk: "重要挽留客户",
		greeting: [2]string{"{{.first_name}}，欢迎您", "{{.first_name}}您好，感谢您的首次购买。"},
		picks:    [2]string{"为您精选", "{{.first_name}}您好，{{if .rec1_name}}您可能喜欢：{{.recommendations}}。{{else}}来看看店里的新品吧。{{end}}"},
		offers: [2][2]string{
			{"{{.first_name}}，我们想念您", "{{.first_name}}您好，本周下单立享九折。"},
			{"新品上架", "{{.first_name}}您好，来看看您上次光临后的新品。{{if .rec1_name}}为您精选：{{.recommendations}}。{{end}}"}},
		reminder: [2]string{"优惠即将结束", "{{.first_name}}您好，您的九折优惠周日结束。"},
	},
}

// DemoOutbox is the folder a demo project's journeys write their messages
// to: beside the project, named after it (demo.mbproj: demo-outbox/).
func DemoOutbox(project string) string {
	if abs, err := filepath.Abs(project); err == nil {
		project = abs
	}
	base := strings.TrimSuffix(filepath.Base(project), storage.Ext)
	return filepath.Join(filepath.Dir(project), base+"-outbox")
}

// localeOf is the language of a demo's settings.
func localeOf(dl *demoLocale) demodata.Locale {
	for l, d := range demoLocales {
		if d == dl {
			return l
		}
	}
	return demodata.English
}

// outboxSend is a send step through the outbox with one or two variants.
func outboxSend(id string, variants ...[2]string) journey.Step {
	s := journey.Step{ID: id, Kind: journey.Send, Plugin: OutboxPlugin, Component: "outbox"}
	names := []string{"A", "B"}
	for i, v := range variants {
		s.Variants = append(s.Variants, campaign.Variant{Name: names[i], Percent: 100 / float64(len(variants)), Subject: v[0], Text: v[1]})
	}
	return s
}

// demoJourneys are the demo's journeys. The win-back takes in the
// customers already in its segment too, so that the demo's first run shows
// it sending; the welcome series waits for new first-time buyers.
func demoJourneys(t *demoJourneyText) []*journey.Journey {
	return []*journey.Journey{{
		Name:    t.welcome,
		Trigger: journey.Trigger{Kind: journey.NewRow, Table: "orders", FirstOnly: true},
		Reentry: journey.Reentry{Policy: journey.Once},
		Goal:    &journey.Goal{Table: "orders"},
		Steps: []journey.Step{
			outboxSend("welcome", t.greeting),
			{ID: "three-days", Kind: journey.Wait, Duration: "3d", Time: "10:00"},
			{ID: "consented", Kind: journey.Condition, Rule: "email_consent = true", Yes: "picks", No: "done"},
			outboxSend("picks", t.picks),
			{ID: "done", Kind: journey.Exit},
		},
	}, {
		Name:    t.winback,
		Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: t.atRisk, IncludeExisting: true},
		Reentry: journey.Reentry{Policy: journey.After, Days: 90},
		Goal:    &journey.Goal{Table: "orders"},
		Steps: []journey.Step{
			{ID: "test", Kind: journey.Split, Branches: []journey.Branch{
				{Name: "contact", Percent: 90, Next: "offer"}, {Name: "holdout", Percent: 10, Next: "out", Holdout: true}}},
			outboxSend("offer", t.offers[0], t.offers[1]),
			{ID: "week", Kind: journey.Wait, Duration: "7d", Time: "10:00"},
			outboxSend("reminder", t.reminder),
			{ID: "out", Kind: journey.Exit},
		},
	}}
}

// addDemoJourneys enables the bundled outbox for the demo project, points
// it at the project's outbox folder (emptied: an earlier demo's messages
// would hold the same delivery keys) and saves the demo's journeys. Without
// the bundled plugins (a plain `go build`) it adds nothing and says false.
func (w *Workspace) addDemoJourneys(ctx context.Context, loc demodata.Locale) (bool, error) {
	t := demoJourneyTexts[loc]
	if _, err := w.find(OutboxPlugin, ""); err != nil || t == nil {
		return false, nil
	}
	if _, err := w.EnablePlugin(ctx, OutboxPlugin); err != nil {
		return false, err
	}
	dir := DemoOutbox(w.Path)
	if err := os.Remove(filepath.Join(dir, "outbox.jsonl")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, i18n.Errorf("cannot empty the demo's outbox %s: %v", dir, err)
	}
	if err := w.SaveChannelSettings(ctx, OutboxPlugin, "outbox", sdk.Config{"folder": dir}); err != nil {
		return false, err
	}
	for _, j := range demoJourneys(t) {
		if err := w.SaveJourney(ctx, j, false, time.Now()); err != nil {
			return false, i18n.Errorf("demo journey %q: %w", j.Name, err)
		}
	}
	return true, nil
}

// demoAutomation runs the automation once, as `automate run` would, and
// says in the demo report what the journeys are and what the run did.
func (w *Workspace) demoAutomation(ctx context.Context, dl *demoJourneyText) (string, []string, error) {
	head := "\n" + i18n.T("## Journeys") + "\n\n"
	all, err := journey.List(ctx, w.Project)
	if err != nil {
		return "", nil, err
	}
	if len(all) == 0 || dl == nil {
		return head + i18n.T("Skipped: the bundled outbox plugin was not found next to the program. `make build` builds it into bin/plugins/.") + "\n", nil, nil
	}
	lock, err := runlock.Acquire(w.Path, "marketbench demo")
	if err != nil {
		return head + i18n.T("The journeys were not run: %s.", i18n.Error(err)) + "\n", nil, nil
	}
	defer lock.Release()
	rep, err := w.RunAutomation(ctx, AutomateOptions{}, nil)
	if err != nil {
		return "", nil, err
	}
	entered := map[string]int64{}
	for _, t := range rep.Ticks {
		entered[t.Journey] = t.Entered
	}
	outbox := filepath.Join(DemoOutbox(w.Path), "outbox.jsonl")
	text := head + i18n.T("Two journeys send through the bundled outbox channel, which appends each message to %s and works offline:", outbox) + "\n\n" +
		"- " + i18n.T("%q welcomes first-time buyers, and three days later sends those who consented products picked for them;", dl.welcome) + "\n" +
		"- " + i18n.T("%q takes in the customers of the RFM segment %s (those already in it too), keeps 10%% back as a holdout, sends the others one of two offers (an A/B test) and a reminder a week later.", dl.winback, dl.atRisk) + "\n\n" +
		i18n.T("One `marketbench automate run` as of %s: %d customers entered %q and %d entered %q; %d messages sent, %d wait for a later run.",
			i18n.DateTime(rep.Now), entered[dl.welcome], dl.welcome, entered[dl.winback], dl.winback, rep.Sent, rep.Pending) + "\n"
	for _, p := range rep.Problems {
		text += "\n" + i18n.T("Problem: %s", p) + "\n"
	}
	project, _ := filepath.Abs(w.Path)
	text += "\n" + i18n.T("New first-time buyers enter the welcome series at the next run. To have the computer run the journeys every minute: `%s`; `%s` says how its runs went.",
		"marketbench automate install -p "+project, "marketbench automate status -p "+project) + "\n"
	var files []string
	if st, err := os.Stat(outbox); err == nil && st.Size() > 0 {
		files = append(files, outbox)
	}
	return text, files, nil
}
