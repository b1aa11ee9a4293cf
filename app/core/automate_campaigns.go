package core

import (
	"context"
	"errors"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
)

// CampaignRun is what an automation run did for a campaign that had paused
// with messages waiting.
type CampaignRun struct {
	Campaign string
	// Sent counts messages sent in this run; Waiting those still waiting
	// (quiet hours, a retry) for a later run; Done says nothing is left.
	Sent, Waiting int
	Done          bool
}

// resumeCampaigns sends the due messages of campaigns that paused with
// messages waiting for quiet hours to end or for a retry, as their pause
// message promises. Only a campaign all of whose unsent messages wait that
// way is resumed: one stopped by the user or by a failing plugin still has
// messages never tried, and is left for the user to resume. Secrets come
// from the environment or the system keyring (ChannelSecrets), as for
// journeys.
func (w *Workspace) resumeCampaigns(ctx context.Context, opt AutomateOptions, rep *AutomateReport) {
	all, err := campaign.List(ctx, w.Project)
	if err != nil {
		rep.Problems = append(rep.Problems, err.Error())
		return
	}
	now := opt.clock().UTC()
	for _, in := range all {
		if in.Status != "paused" || ctx.Err() != nil {
			continue
		}
		var untried, due, waiting int
		err := w.Q().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status IN ('planned', 'sending')),
			count(*) FILTER (WHERE status = 'retry' AND next_at <= ?), count(*) FILTER (WHERE status = 'retry')
			FROM mb_deliveries WHERE campaign = ?`, now, in.Name).Scan(&untried, &due, &waiting)
		switch {
		case err != nil:
			rep.Problems = append(rep.Problems, i18n.T("campaign %q: %v", in.Name, err))
			continue
		case untried > 0 || waiting == 0:
			continue
		case due == 0:
			rep.Pending += waiting
			rep.Campaigns = append(rep.Campaigns, CampaignRun{Campaign: in.Name, Waiting: waiting})
			continue
		}
		sr, err := w.SendCampaign(ctx, in.Name, SendOptions{Mode: campaign.Live,
			Timeout: opt.Timeout, Warn: opt.Warn, Now: opt.clock}, nil)
		run := CampaignRun{Campaign: in.Name}
		if sr != nil {
			run.Sent, run.Waiting, run.Done = sr.Sent, sr.Waiting, sr.Done
			rep.Sent += sr.Sent
			rep.Pending += sr.Waiting
		}
		rep.Campaigns = append(rep.Campaigns, run)
		// Waiting again (quiet hours not over for all) is no problem: a
		// later run goes on.
		if err != nil && !(errors.Is(err, ErrPaused) && sr != nil && sr.Waiting > 0) {
			rep.Problems = append(rep.Problems, i18n.T("campaign %q: %v", in.Name, err))
		}
	}
}
