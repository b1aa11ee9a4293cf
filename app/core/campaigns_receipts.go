package core

import (
	"context"
	"errors"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/campaign"
)

// receiptBatch is how many messages one Receipts call asks about.
const receiptBatch = 100

// ReceiptReport says what fetching receipts did.
type ReceiptReport struct {
	// Asked counts the delivered messages asked about; Added the receipts
	// recorded now; Pending those the provider has no final word on yet.
	Asked, Added, Pending int
	// Delivered and Undelivered are the campaign's totals after the fetch,
	// the undelivered by the provider's reason.
	Delivered   int
	Undelivered map[string]int
	// NoReceipts says the channel's provider keeps none to fetch (e-mail,
	// WeChat, push): nothing was asked.
	NoReceipts bool
}

// FetchReceipts asks the campaign's channel for the delivery receipts of
// the messages it accepted (sdk.ReceiptReader) and records each final one
// as the customer's "delivered" or "undelivered" response. Messages still
// on their way stay due for a later fetch. A channel whose provider keeps
// no receipts says so in NoReceipts. Secrets not given are found as for a
// send (ChannelSecrets).
func (w *Workspace) FetchReceipts(ctx context.Context, name string, secrets sdk.Secrets) (*ReceiptReport, error) {
	in, err := campaign.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	c := &in.Campaign
	proc, fields, err := w.enabled(ctx, c.Plugin)
	if err != nil {
		return nil, err
	}
	c.Fields = fields
	secrets = w.ChannelSecrets(ctx, c.Plugin, c.Component, secrets)
	due, err := campaign.ReceiptsDue(ctx, w.Project, c.Name, 100_000)
	if err != nil {
		return nil, err
	}
	rep := &ReceiptReport{Asked: len(due)}
	if len(due) > 0 {
		// The provider looks messages up by address too (Alibaba Cloud
		// asks for the number): the addresses as the audience has them.
		rs, err := campaign.Audience(ctx, w.Project, c)
		if err != nil {
			return nil, err
		}
		to := make(map[string]string, len(rs))
		for _, r := range rs {
			to[r.CustomerID] = r.To
		}
		byProvider := make(map[string]string, len(due))
		for _, d := range due {
			byProvider[d.ProviderID] = d.CustomerID
		}
		var events []campaign.ReceiptEvent
		for start := 0; start < len(due); start += receiptBatch {
			batch := due[start:min(start+receiptBatch, len(due))]
			qs := make([]sdk.ReceiptQuery, len(batch))
			for i, d := range batch {
				qs[i] = sdk.ReceiptQuery{ProviderID: d.ProviderID, To: to[d.CustomerID], SentAt: d.SentAt}
			}
			var got []sdk.Receipt
			err := proc.Call(ctx, func(ctx context.Context, conn *client.Conn) (err error) {
				got, err = conn.Receipts(ctx, c.Component, c.Config, secrets, qs)
				return err
			})
			if errors.Is(err, client.ErrUnsupported) {
				rep.NoReceipts, rep.Asked = true, 0
				break
			}
			if err != nil {
				return nil, i18n.Errorf("cannot fetch the receipts: %v", err)
			}
			for _, g := range got {
				id, ok := byProvider[g.ProviderID]
				if !ok {
					continue // another campaign's message, or not asked about
				}
				delete(byProvider, g.ProviderID)
				events = append(events, campaign.ReceiptEvent{CustomerID: id, Delivered: g.Status == sdk.ReceiptDelivered, Reason: g.Reason, At: clampTime(g.At)})
			}
		}
		if rep.NoReceipts {
			return rep, nil
		}
		if rep.Added, err = campaign.RecordReceipts(ctx, w.Project, c.Name, events); err != nil {
			return nil, err
		}
		rep.Pending = rep.Asked - len(events)
	}
	rep.Delivered, rep.Undelivered, err = campaign.ReceiptCounts(ctx, w.Project, c.Name)
	return rep, err
}

// clampTime drops a plugin's nonsense times (before 2000 or more than a
// day ahead) rather than storing them.
func clampTime(t time.Time) time.Time {
	if t.Year() < 2000 || t.After(time.Now().Add(24*time.Hour)) {
		return time.Time{}
	}
	return t
}
