package ui

import (
	"context"
	"fmt"
	"os"

	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// valueShots takes the Value screen's screenshots: lifetime value fitted
// and scored on the demo's orders, then uplift and the next best action on
// the Hillstrom e-mail experiment, imported into the demo project.
func valueShots(p *project, step func(string, func()), closeDialogs func()) {
	v := p.value
	step("value.png", func() { p.goTo("Customer value") })
	step("value-fit.png", v.clv.runFit)
	step("value-check.png", func() { v.clv.charts.SelectIndex(1) })
	step("value-tracking.png", func() { v.clv.charts.SelectIndex(2) })
	step("value-summary.png", func() { v.clv.charts.SelectIndex(0) })
	step("value-scored.png", v.clv.runScore)
	step("value-segment.png", func() { v.clv.makeSegment(false) })
	fyne.DoAndWait(closeDialogs)
	step("value-cohorts.png", func() {
		v.tabs.Select(v.cohortsTab)
		v.cohorts.run()
	})
	step("value-cohorts-revenue.png", func() { v.cohorts.measureSel.SetSelectedIndex(2) })
	step("value-forecast.png", func() {
		v.tabs.Select(v.forecastTab)
		v.forecast.run()
	})
	step("value-forecast-summary.png", func() { v.forecast.results.SelectIndex(0) })
	ctx := context.Background()
	_, err := p.ws.Import(ctx, "../../testdata/real/hillstrom.csv.gz", ingest.Options{Table: "hillstrom_raw"})
	if err == nil {
		_, err = p.ws.DB().ExecContext(ctx, `CREATE TABLE email_test AS SELECT 'H' || lpad(CAST(row_number() OVER () AS VARCHAR), 5, '0') AS customer_id, * FROM hillstrom_raw;
			DROP TABLE hillstrom_raw`)
	}
	if err == nil {
		err = p.ws.SetRoles(ctx, "email_test", map[string]storage.Role{"customer_id": storage.CustomerID}, true)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "value screenshots:", err)
		return
	}
	step("value-uplift.png", func() {
		p.refreshTables("")
		v.tabs.Select(v.upliftTab)
	})
	step("value-uplift-table.png", func() { v.uplift.tableSel.SetSelected("email_test") })
	step("value-uplift-trained.png", func() {
		v.uplift.treatedSel.SetSelected("Womens E-Mail")
		v.uplift.off["history_segment"] = true
		v.uplift.train()
	})
	step("value-uplift-deciles.png", func() { v.uplift.results.SelectIndex(3) })
	step("value-uplift-features.png", v.uplift.chooseFeatures)
	fyne.DoAndWait(closeDialogs)
	step("value-nba.png", func() { v.tabs.Select(v.nbaTab) })
	step("value-nba-plan.png", func() {
		if len(v.nba.rows) > 0 {
			v.nba.rows[0].value.SetText("20")
			v.nba.rows[0].cost.SetText("0.5")
		}
		v.nba.budget.SetText("2000")
		v.nba.plan()
	})
	step("value-nba-customers.png", func() { v.nba.results.SelectIndex(2) })
}
