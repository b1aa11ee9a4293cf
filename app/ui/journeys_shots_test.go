package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/segment"
)

// demoJourneys are the demo's two journeys: a welcome series for
// first-time buyers and a win-back for lapsed big spenders with a
// holdout. lapsed is the demo's segment of lapsed big spenders.
func demoJourneys(lapsed string) []*journey.Journey {
	send := func(id, subject, text string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Send, Plugin: "marketbench.org/webhook", Component: "webhook",
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: subject, Text: text}}}
	}
	return []*journey.Journey{{
		Name: "Welcome series", Table: "customers",
		Trigger: journey.Trigger{Kind: journey.NewRow, Table: "orders", FirstOnly: true},
		Reentry: journey.Reentry{Policy: journey.Once},
		Goal:    &journey.Goal{},
		Steps: []journey.Step{
			send("hello", "Welcome, {{.first_name}}", "Hi {{.first_name}}, thank you for your first order."),
			{ID: "pause", Kind: journey.Wait, Duration: "3d", Time: "09:00"},
			{ID: "again", Kind: journey.Condition, Rule: "frequency >= 2", Yes: "end", No: "nudge"},
			send("nudge", "Ten percent off your second order", "Hi {{.first_name}}, here is 10% off your next order."),
			{ID: "end", Kind: journey.Exit},
		},
	}, {
		Name: "Win-back", Table: "customers",
		Trigger:    journey.Trigger{Kind: journey.SegmentEnter, Segment: lapsed, IncludeExisting: true},
		Reentry:    journey.Reentry{Policy: journey.After, Days: 90},
		DailyLimit: 300,
		Goal:       &journey.Goal{},
		Steps: []journey.Step{
			{ID: "ab", Kind: journey.Split, Branches: []journey.Branch{{Name: "A", Percent: 90}, {Name: "holdout", Percent: 10, Next: "end", Holdout: true}}},
			send("miss", "We miss you, {{.first_name}}", "Hi {{.first_name}}, it has been a while. Here is 15% off."),
			{ID: "days", Kind: journey.Wait, Duration: "3d", Time: "10:00"},
			send("reminder", "Your 15% ends on Sunday", "Hi {{.first_name}}, your offer ends on Sunday."),
			{ID: "end", Kind: journey.Exit},
		},
	}}
}

// journeyShots takes the Journeys screen's screenshots on the demo: the
// two demo journeys through the bundled webhook plugin to a local
// receiver, one run, then the list, the editor with live counts, a step's
// fields, a refused save, the JSON, the timeline and a dry run.
func journeyShots(p *project, step func(string, func()), closeDialogs func()) {
	ctx := context.Background()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	_, err := p.ws.EnablePlugin(ctx, "marketbench.org/webhook")
	if err == nil {
		err = p.ws.SaveChannelSettings(ctx, "marketbench.org/webhook", "webhook", sdk.Config{"url": srv.URL})
	}
	lapsed := "Lapsed big spenders"
	if segs, _ := p.ws.Segments(ctx); !slices.ContainsFunc(segs, func(s segment.Summary) bool { return s.Name == lapsed }) {
		lapsed = "流失的高消费客户" // the Chinese demo's
	}
	for _, j := range demoJourneys(lapsed) {
		if err == nil {
			err = p.ws.SaveJourney(ctx, j, true, time.Now())
		}
	}
	if err == nil {
		var rep *core.AutomateReport
		if rep, err = p.ws.RunAutomation(ctx, core.AutomateOptions{}, nil); err == nil && len(rep.Problems) > 0 {
			fmt.Fprintln(os.Stderr, "journey screenshots: the run had problems:", rep.Problems)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "journey screenshots:", err)
		return
	}
	s := p.journeys
	step("journeys.png", func() {
		closeDialogs()
		p.goTo("Journeys")
	})
	step("journeys-editor.png", func() { s.edit("Win-back") })
	step("journeys-split.png", func() { s.editor.selectCard(0) })
	step("journeys-send.png", func() { s.editor.selectCard(1) })
	step("journeys-welcome.png", func() { s.edit("Welcome series") })
	step("journeys-condition.png", func() { s.editor.selectCard(2) })
	step("journeys-error.png", func() {
		s.editor.j.Steps[2].Rule = "no_such_field = 1"
		s.editor.rebuild()
		s.editor.save()
	})
	step("journeys-json.png", s.editor.toggleJSON)
	fyne.DoAndWait(s.editor.toggleJSON)
	step("journeys-timeline.png", func() { s.tabs.Select(s.timelineTab) })
	// Orders from customers who never ordered before: the dry run shows
	// the welcome series taking them in.
	p.ws.DB().ExecContext(ctx, `INSERT INTO orders (order_id, customer_id, order_date, amount)
		SELECT 'NEW-' || customer_id, customer_id, current_date, 25 FROM customers
		WHERE customer_id NOT IN (SELECT customer_id FROM orders) ORDER BY customer_id LIMIT 12`)
	step("journeys-dryrun.png", func() {
		s.tabs.Select(s.listTab)
		s.dryRun()
	})
	fyne.DoAndWait(closeDialogs)
}

// bundleForShots builds the webhook plugin as the app bundles it when the
// screenshots run without `make build`'s bin/plugins (MB_SHOTS_ONLY).
func bundleForShots() error {
	if os.Getenv(host.BundledEnv) != "" {
		return nil
	}
	dir := filepath.Join(os.TempDir(), "mb-shots-plugins")
	if _, err := host.Bundle("../../plugins", dir, "webhook"); err != nil {
		return err
	}
	return os.Setenv(host.BundledEnv, dir)
}
