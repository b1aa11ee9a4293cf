package main

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// PullSmsSendStatus hands each receipt out once, whoever asked: receipts of
// messages the host did not ask about this time are kept here until it
// does (for as long as the plugin runs, at most keepReceipts of them, for
// at most keepFor).
const (
	pullLimit    = 100 // the API's maximum per call
	maxPulls     = 20  // calls per Receipts, so one call stays short
	keepReceipts = 100000
	keepFor      = 7 * 24 * time.Hour
)

type heldReceipt struct {
	r      sdk.Receipt
	pulled time.Time
}

var held = struct {
	sync.Mutex
	byApp map[string]map[string]heldReceipt // SdkAppId → SerialNo → receipt
}{byApp: map[string]map[string]heldReceipt{}}

type pulledStatus struct {
	UserReceiveTime int64
	PhoneNumber     string
	SerialNo        string
	ReportStatus    string
	Description     string
}

// Receipts pulls the delivery statuses Tencent Cloud has not handed out
// yet and answers the queries among them (and among those kept from
// earlier pulls).
func (c channel) Receipts(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets, queries []sdk.ReceiptQuery) ([]sdk.Receipt, error) {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	defer cl.http.CloseIdleConnections()
	app := strings.TrimSpace(cfg["sdk_app_id"])
	var pullErr error
	for range maxPulls {
		var out struct{ PullSmsSendStatusSet []pulledStatus }
		if err := cl.call(ctx, "PullSmsSendStatus", map[string]any{"SmsSdkAppId": app, "Limit": pullLimit}, &out); err != nil {
			pullErr = err
			break
		}
		keep(app, out.PullSmsSendStatusSet, cl.now())
		if len(out.PullSmsSendStatusSet) < pullLimit {
			break
		}
	}
	got := take(app, queries)
	if pullErr != nil && len(got) == 0 {
		if ae, ok := pullErr.(*apiError); ok {
			return nil, &receiptError{outcome(ae.Code, ae.Message, cl.now()).Reason}
		}
		return nil, pullErr
	}
	return got, nil
}

type receiptError struct{ msg string }

func (e *receiptError) Error() string { return "cannot read delivery receipts: " + e.msg }

func keep(app string, statuses []pulledStatus, now time.Time) {
	held.Lock()
	defer held.Unlock()
	m := held.byApp[app]
	if m == nil {
		m = map[string]heldReceipt{}
		held.byApp[app] = m
	}
	for _, st := range statuses {
		if st.SerialNo == "" {
			continue
		}
		r := sdk.Receipt{ProviderID: st.SerialNo, To: st.PhoneNumber, Status: sdk.ReceiptFailed, Reason: st.Description}
		if strings.EqualFold(st.ReportStatus, "SUCCESS") {
			r.Status, r.Reason = sdk.ReceiptDelivered, ""
		}
		if st.UserReceiveTime > 0 {
			r.At = time.Unix(st.UserReceiveTime, 0).UTC()
		} else {
			r.At = now.UTC()
		}
		m[st.SerialNo] = heldReceipt{r: r, pulled: now}
	}
	// Forget the oldest beyond the bounds.
	for serial, h := range m {
		if now.Sub(h.pulled) > keepFor {
			delete(m, serial)
		}
	}
	for serial := range m {
		if len(m) <= keepReceipts {
			break
		}
		delete(m, serial)
	}
}

// take answers the queries from the kept receipts and forgets those.
func take(app string, queries []sdk.ReceiptQuery) []sdk.Receipt {
	held.Lock()
	defer held.Unlock()
	m := held.byApp[app]
	var out []sdk.Receipt
	for _, q := range queries {
		if h, ok := m[q.ProviderID]; ok {
			r := h.r
			if r.To == "" {
				r.To = q.To
			}
			out = append(out, r)
			delete(m, q.ProviderID)
		}
	}
	return out
}
