package main

import (
	"context"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/fakes/tencent"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

func TestReceipts(t *testing.T) {
	f := tencent.New(t)
	s := open(t, config(f), secrets(f))
	var ids []string
	for _, to := range []string{"13800000001", "13800000002", "13800000003", "13800000004"} {
		r := s.Send(context.Background(), msg(to, conformanceText))
		if r.Outcome != sdk.OutcomeDelivered {
			t.Fatal(r)
		}
		ids = append(ids, r.ProviderID)
	}
	f.Report(ids[0], true, "DELIVRD")
	f.Report(ids[1], false, "MK:0001")
	f.Report(ids[2], true, "DELIVRD")
	conn := plugintest.InProcess(t, plugin())
	ctx := context.Background()
	// Asked about the first two and the fourth (not reported yet): two
	// answers; the third's receipt is pulled too and kept for later.
	got, err := conn.Receipts(ctx, "tencent-sms", config(f), secrets(f), []sdk.ReceiptQuery{
		{ProviderID: ids[0], To: "+8613800000001"}, {ProviderID: ids[1]}, {ProviderID: ids[3]}})
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	if got[0].ProviderID != ids[0] || got[0].Status != sdk.ReceiptDelivered || got[0].To != "+8613800000001" || got[0].At.IsZero() ||
		got[1].ProviderID != ids[1] || got[1].Status != sdk.ReceiptFailed || got[1].Reason != "MK:0001" {
		t.Errorf("%+v", got)
	}
	if f.Pending() != 0 {
		t.Errorf("%d receipts left at the fake", f.Pending())
	}
	// The third now comes from what the plugin kept; the fake has nothing.
	got, err = conn.Receipts(ctx, "tencent-sms", config(f), secrets(f), []sdk.ReceiptQuery{{ProviderID: ids[2]}, {ProviderID: ids[3]}})
	if err != nil || len(got) != 1 || got[0].ProviderID != ids[2] || got[0].Status != sdk.ReceiptDelivered {
		t.Errorf("%+v %v", got, err)
	}
	// Answered receipts are not answered twice.
	if got, _ := conn.Receipts(ctx, "tencent-sms", config(f), secrets(f), []sdk.ReceiptQuery{{ProviderID: ids[0]}}); len(got) != 0 {
		t.Errorf("answered again: %+v", got)
	}
}

// More receipts than one pull returns are paged through.
func TestReceiptsPaging(t *testing.T) {
	f := tencent.New(t, tencent.AutoReport())
	s := open(t, config(f), secrets(f))
	var qs []sdk.ReceiptQuery
	for range 150 {
		r := s.Send(context.Background(), msg("13800000000", conformanceText))
		qs = append(qs, sdk.ReceiptQuery{ProviderID: r.ProviderID})
	}
	got, err := channel{}.Receipts(context.Background(), channel{}.Spec().WithDefaults(config(f)), secrets(f), qs)
	if err != nil || len(got) != 150 || f.Requests("PullSmsSendStatus") != 2 {
		t.Errorf("%d receipts, %v, %d pulls", len(got), err, f.Requests("PullSmsSendStatus"))
	}
}

func TestReceiptsErrors(t *testing.T) {
	f := tencent.New(t)
	_, err := channel{}.Receipts(context.Background(), channel{}.Spec().WithDefaults(config(f)),
		sdk.Secrets{"secret_id": f.SecretID, "secret_key": "wrong"}, []sdk.ReceiptQuery{{ProviderID: "x"}})
	if err == nil || !strings.Contains(err.Error(), "AuthFailure.SignatureFailure") || strings.Contains(err.Error(), f.SecretKey) {
		t.Errorf("%v", err)
	}
	f.FailHTTP(1)
	if _, err := (channel{}).Receipts(context.Background(), channel{}.Spec().WithDefaults(config(f)), secrets(f), nil); err == nil ||
		!strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("%v", err)
	}
}
