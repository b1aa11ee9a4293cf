package core

import (
	"context"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

// ImportJourneyResults reads a channel's responses (opens, clicks,
// conversions, bounces, unsubscribes: the campaign results format) for a
// journey's send step, from a CSV file or "table:NAME". Rows are matched to
// the step's deliveries by customer id or idempotency key; bounces and
// unsubscribes go on the suppression list as for campaigns.
func (w *Workspace) ImportJourneyResults(ctx context.Context, name, step, path string) (*campaign.ImportResult, error) {
	in, err := journey.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	if s := in.Step(step); s == nil || s.Kind != journey.Send {
		return nil, i18n.Errorf("journey %q has no send step %q", name, step)
	}
	rows, err := w.Q().QueryContext(ctx, `SELECT DISTINCT campaign FROM mb_deliveries WHERE campaign = ? OR starts_with(campaign, ?) ORDER BY 1`,
		journey.DeliveryName(name, step, 1), journey.DeliveryName(name, step, 1)+" #")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	if len(names) == 0 {
		return nil, i18n.Errorf("step %q of journey %q has sent nothing yet", step, name)
	}
	total := &campaign.ImportResult{ByEvent: map[string]int64{}}
	for _, n := range names {
		r, err := w.ImportCampaignEvents(ctx, n, path)
		if err != nil {
			return nil, err
		}
		total.Rows = r.Rows
		total.Matched += r.Matched
		total.Suppressed += r.Suppressed
		for e, k := range r.ByEvent {
			total.ByEvent[e] += k
		}
	}
	total.Unmatched = total.Rows - total.Matched
	return total, nil
}
