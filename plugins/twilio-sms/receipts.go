package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// receiptWorkers is how many messages are fetched at once.
const receiptWorkers = 4

// deliveryErrors words the delivery error codes Twilio reports most often
// on a failed or undelivered message (its error dictionary, 30xxx).
var deliveryErrors = map[int]string{
	30003: "the handset is unreachable (switched off or out of coverage)",
	30004: "the message was blocked (the recipient or their carrier blocks it)",
	30005: "the number is unknown or no longer exists",
	30006: "a landline or a carrier that cannot take SMS",
	30007: "the carrier filtered the message as spam",
	30008: "unknown error at the carrier",
	30034: "the sending number is not registered for A2P 10DLC",
}

// Receipts fetches each message Twilio accepted and reports the ones in a
// final state: delivered (or read) as delivered; undelivered, failed and
// canceled as failed, with Twilio's error. Messages still queued, sending
// or sent are left out: the host asks again later.
func (channel) Receipts(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets, qs []sdk.ReceiptQuery) ([]sdk.Receipt, error) {
	c, err := newClient(cfg, secrets, receiptWorkers)
	if err != nil {
		return nil, err
	}
	defer c.http.CloseIdleConnections()
	var (
		mu   sync.Mutex
		out  []sdk.Receipt
		stop error // the first error that makes asking further pointless
		wg   sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan sdk.ReceiptQuery)
	for range receiptWorkers {
		wg.Go(func() {
			for q := range jobs {
				r, ok, err := c.receipt(ctx, q)
				mu.Lock()
				switch {
				case err != nil && stop == nil:
					stop = err
					cancel()
				case ok:
					out = append(out, r)
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, q := range qs {
		if !strings.HasPrefix(q.ProviderID, "SM") && !strings.HasPrefix(q.ProviderID, "MM") {
			continue // not a Twilio message SID
		}
		select {
		case jobs <- q:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	// Credentials refused: nothing can be read, say so. A throttle or
	// outage part way: what was read counts, the rest is asked again later.
	if stop != nil && (errors.Is(stop, errCredentials) || len(out) == 0) {
		return nil, stop
	}
	return out, nil
}

var errCredentials = errors.New(refusedCredentials)

// receipt fetches one message; ok is false when it is not final yet or
// Twilio does not know it.
func (c *api) receipt(ctx context.Context, q sdk.ReceiptQuery) (sdk.Receipt, bool, error) {
	var m struct {
		Sid          string  `json:"sid"`
		To           string  `json:"to"`
		Status       string  `json:"status"`
		ErrorCode    *int    `json:"error_code"`
		ErrorMessage *string `json:"error_message"`
		DateUpdated  string  `json:"date_updated"`
	}
	a, err := c.get(ctx, "/Messages/"+q.ProviderID+".json", &m)
	switch {
	case err != nil:
		return sdk.Receipt{}, false, fmt.Errorf("cannot read receipts from Twilio: %v", err)
	case a.status == http.StatusUnauthorized || a.status == http.StatusForbidden:
		return sdk.Receipt{}, false, errCredentials
	case a.status == http.StatusNotFound:
		return sdk.Receipt{}, false, nil // deleted, or never this account's
	case a.status != http.StatusOK:
		return sdk.Receipt{}, false, fmt.Errorf("Twilio answered %s while reading receipts", a.describe())
	}
	r := sdk.Receipt{ProviderID: q.ProviderID, To: q.To, At: time.Now().UTC()}
	if t, err := time.Parse(time.RFC1123Z, m.DateUpdated); err == nil {
		r.At = t
	}
	switch m.Status {
	case "delivered", "read":
		r.Status = sdk.ReceiptDelivered
	case "undelivered", "failed", "canceled":
		r.Status = sdk.ReceiptFailed
		r.Reason = failure(m.Status, m.ErrorCode, m.ErrorMessage)
	default:
		return sdk.Receipt{}, false, nil
	}
	return r, true, nil
}

func failure(status string, code *int, msg *string) string {
	var parts []string
	if code != nil && *code != 0 {
		if w, ok := deliveryErrors[*code]; ok {
			parts = append(parts, w)
		}
		parts = append(parts, fmt.Sprintf("Twilio error %d", *code))
	}
	if msg != nil && *msg != "" {
		parts = append(parts, oneLine(*msg))
	}
	if len(parts) == 0 {
		return "Twilio reports the message " + status
	}
	return status + ": " + strings.Join(parts, "; ")
}
