package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/sdk"
)

// Receipts asks QuerySendDetails about each message: by its number, the
// day it was sent (China time) and its BizId. SendStatus 3 is delivered,
// 2 failed (ErrCode says why), 1 still waiting and left out. Alibaba
// Cloud keeps details for 30 days.
func (c channel) Receipts(ctx context.Context, cfg sdk.Config, secrets sdk.Secrets, queries []sdk.ReceiptQuery) ([]sdk.Receipt, error) {
	cl, err := c.newClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	defer cl.http.CloseIdleConnections()
	cfg = c.Spec().WithDefaults(cfg)
	var out []sdk.Receipt
	for _, q := range queries {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		to, err := number(q.To, cfg.String("region"))
		if err != nil || q.ProviderID == "" {
			continue // never sent: Send refused the number
		}
		sent := q.SentAt
		if sent.IsZero() {
			sent = cl.now()
		}
		rc, found, err := receipt(ctx, cl, q, to, sent)
		if err != nil {
			return out, err
		}
		// A message sent just around midnight may carry the other day's
		// date at Alibaba Cloud.
		if !found {
			t := sent.In(china)
			var other time.Time
			if t.Hour() == 23 && t.Minute() >= 55 {
				other = sent.Add(10 * time.Minute)
			} else if t.Hour() == 0 && t.Minute() < 5 {
				other = sent.Add(-10 * time.Minute)
			}
			if !other.IsZero() {
				if rc, found, err = receipt(ctx, cl, q, to, other); err != nil {
					return out, err
				}
			}
		}
		if found && rc.Status != "" {
			out = append(out, rc)
		}
	}
	return out, nil
}

// receipt runs one QuerySendDetails; found says whether Alibaba Cloud
// knows the message on that day, rc.Status is "" while it is on its way.
func receipt(ctx context.Context, cl *apiClient, q sdk.ReceiptQuery, to string, day time.Time) (sdk.Receipt, bool, error) {
	r, err := cl.call(ctx, "QuerySendDetails", map[string]string{"PhoneNumber": to, "SendDate": day.In(china).Format("20060102"),
		"BizId": q.ProviderID, "PageSize": "10", "CurrentPage": "1"})
	if err != nil {
		return sdk.Receipt{}, false, err
	}
	if r.Code != "OK" {
		if _, ok := credentials[r.Code]; ok {
			return sdk.Receipt{}, false, checkReply(r, "")
		}
		return sdk.Receipt{}, false, nil // e.g. a date older than 30 days: nothing to report
	}
	for _, d := range r.Details.List {
		rc := sdk.Receipt{ProviderID: q.ProviderID, To: q.To}
		if t, err := time.ParseInLocation("2006-01-02 15:04:05", d.ReceiveDate, china); err == nil {
			rc.At = t
		}
		switch d.SendStatus {
		case 3:
			rc.Status = sdk.ReceiptDelivered
		case 2:
			rc.Status = sdk.ReceiptFailed
			rc.Reason = strings.TrimSpace(d.ErrCode)
			if rc.Reason == "" {
				rc.Reason = "failed (SendStatus " + strconv.Itoa(d.SendStatus) + ")"
			}
		}
		return rc, true, nil
	}
	return sdk.Receipt{}, false, nil
}
