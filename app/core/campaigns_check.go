package core

import (
	"context"
	"errors"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/campaign"
)

// checkBatch is how many messages go to the plugin in one CheckMessages
// call: well under the gRPC message limit for SMS- and push-sized texts.
const checkBatch = 500

// checkMessages has the campaign's channel check every rendered message
// against its provider's rules (sdk.MessageChecker) and counts what it
// finds into pv; the samples (by message index in sampleOf) get their own
// findings. A channel without checks adds nothing; one whose plugin cannot
// start is noted in pv.ChecksSkipped rather than failing the preview.
func (w *Workspace) checkMessages(ctx context.Context, c *campaign.Campaign, msgs []sdk.Message, pv *Preview, sampleOf map[int]int) error {
	proc, _, err := w.enabled(ctx, c.Plugin)
	if err != nil {
		pv.ChecksSkipped = i18n.T("the channel's checks did not run: %v", err)
		return nil
	}
	for start := 0; start < len(msgs); start += checkBatch {
		batch := msgs[start:min(start+checkBatch, len(msgs))]
		var checks []sdk.MessageCheck
		err := proc.Call(ctx, func(ctx context.Context, conn *client.Conn) (err error) {
			checks, err = conn.CheckMessages(ctx, c.Component, c.Config, batch)
			return err
		})
		switch {
		case errors.Is(err, client.ErrUnsupported):
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			pv.ChecksSkipped = i18n.T("the channel's checks did not run: %v", err)
			return nil
		}
		for i, chk := range checks {
			chk.Problems, chk.Notes = tidyFindings(chk.Problems), tidyFindings(chk.Notes)
			for _, p := range chk.Problems {
				tally(pv.Problems, p)
			}
			for _, n := range chk.Notes {
				tally(pv.Notes, n)
			}
			if k, ok := sampleOf[start+i]; ok {
				pv.Samples[k].Problems, pv.Samples[k].Notes = chk.Problems, chk.Notes
			}
		}
	}
	return nil
}

// maxFindings bounds the distinct findings a preview lists, so a plugin
// that words every message differently cannot flood it.
const maxFindings = 30

// tidyFindings keeps a plugin's findings to one short line each, at most
// five per message.
func tidyFindings(in []string) []string {
	out := make([]string, 0, min(len(in), 5))
	for _, s := range in {
		if s = campaign.ShortReason(s); s != "" && len(out) < 5 {
			out = append(out, s)
		}
	}
	return out
}

func tally(m map[string]int, s string) {
	if _, ok := m[s]; !ok && len(m) >= maxFindings {
		s = i18n.T("other findings")
	}
	m[s]++
}
