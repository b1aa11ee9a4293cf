package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/consent"
)

// A consent file withdrawing two customers' e-mail consent (one named by
// e-mail, one by id) stops a real send through the channel plugin from
// reaching them; importing the file again records nothing new; a file
// with a bad row records nothing.
func TestConsentImportWithdrawalStopsSend(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	// The shop's import recorded each customer's consent with the file.
	_, ev, err := w.ConsentHistory(ctx, "C002", "", "")
	if err != nil || len(ev) != 1 || !ev[0].Granted || ev[0].Source != "import of customers.csv" {
		t.Fatalf("C002's history after the customer import: %+v %v", ev, err)
	}
	dir := t.TempDir()
	opt := ConsentFileOptions{Source: "unsubscribe link export", Channel: storage.EmailConsent, KeyColumn: "email"}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("email,consent\nc004@example.com,no\nnobody@example.com,no\n"), 0o644)
	if _, err := w.ImportConsent(ctx, bad, opt); err == nil || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("bad file: %v", err)
	}
	var be *consent.BadRowsError
	if _, err := w.ImportConsent(ctx, bad, opt); !errors.As(err, &be) {
		t.Fatalf("bad file error is %T", err)
	}
	if _, ev, _ := w.ConsentHistory(ctx, "C004", "", ""); len(ev) != 1 {
		t.Fatalf("a file with a bad row recorded something: %+v", ev)
	}
	good := filepath.Join(dir, "good.csv")
	// Undated: the file's time, later than the customer export's.
	os.WriteFile(good, []byte("email,consent,proof\nC002@example.com,opt-out,unsubscribe link 991\nc004@example.com,不同意,phone call\n"), 0o644)
	pv, err := w.PreviewConsentImport(ctx, good, opt)
	if err != nil || pv.Result.Added != 2 || pv.Result.Withdrawn != 2 || pv.Result.Updated != 2 {
		t.Fatalf("preview %+v %v", pv, err)
	}
	if _, ev, _ := w.ConsentHistory(ctx, "C002", "", ""); len(ev) != 1 {
		t.Fatal("the preview recorded events")
	}
	ci, err := w.ImportConsent(ctx, good, opt)
	if err != nil || ci.Result.Added != 2 || ci.Result.Updated != 2 {
		t.Fatalf("import %+v %v", ci, err)
	}
	if ci, err := w.ImportConsent(ctx, good, opt); err != nil || ci.Result.Added != 0 || ci.Result.Duplicates != 2 {
		t.Fatalf("again: %+v %v", ci, err)
	}
	_, ev, err = w.ConsentHistory(ctx, "", "c002@EXAMPLE.com", "")
	if err != nil || len(ev) != 2 || ev[1].Granted || ev[1].Source != "unsubscribe link export" || ev[1].Proof != "unsubscribe link 991" {
		t.Fatalf("C002's history: %+v %v", ev, err)
	}

	logPath := filepath.Join(dir, "provider.log")
	c := spring(sdk.Config{"mode": "ok", "log": logPath})
	c.HoldoutPercent = 0
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, "Spring sale", SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	keys := logKeys(t, logPath)
	rows, err := w.DB().Query(`SELECT customer_id, idempotency_key, status, coalesce(reason, '') FROM mb_deliveries WHERE customer_id IN ('C002', 'C004', 'C005')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id, key, status, reason string
		rows.Scan(&id, &key, &status, &reason)
		seen++
		switch id {
		case "C002", "C004":
			if keys[key] != 0 || status != campaign.Excluded || reason != "no e-mail consent" {
				t.Errorf("%s after withdrawing: delivered %d times, %s (%s)", id, keys[key], status, reason)
			}
		case "C005":
			if keys[key] != 1 {
				t.Errorf("C005 (consent kept) delivered %d times, %s", keys[key], status)
			}
		}
	}
	if seen != 3 || len(keys) != 37 {
		t.Errorf("%d deliveries looked at, the provider got %d (want 40 consenting - 1 suppressed - 2 withdrawn = 37)", seen, len(keys))
	}
}

// A manual change needs a source, names one customer, and is written
// into the column at once.
func TestConsentSetManual(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	if _, err := w.SetConsent(ctx, ConsentChange{CustomerID: "C000", Channel: "email", Granted: true}); err == nil || !strings.Contains(err.Error(), "--source") {
		t.Errorf("no source: %v", err)
	}
	if _, err := w.SetConsent(ctx, ConsentChange{CustomerID: "ZZZ", Channel: "email", Granted: true, Source: "phone call"}); err == nil || !strings.Contains(err.Error(), "not in any customer table") {
		t.Errorf("unknown customer: %v", err)
	}
	if _, err := w.SetConsent(ctx, ConsentChange{CustomerID: "C000", Channel: "fax", Granted: true, Source: "phone call"}); err == nil || !strings.Contains(err.Error(), "unknown channel") {
		t.Errorf("unknown channel: %v", err)
	}
	res, err := w.SetConsent(ctx, ConsentChange{Email: "c000@example.com", Channel: "email", Granted: true, Source: "phone call", Proof: "call 2026-11-21 10:02"})
	if err != nil || res.Added != 1 || res.Updated != 1 {
		t.Fatalf("set: %+v %v", res, err)
	}
	var v string
	w.DB().QueryRow(`SELECT CAST(email_consent AS VARCHAR) FROM customers WHERE customer_id = 'C000'`).Scan(&v)
	if v != "true" {
		t.Errorf("column after the change: %s", v)
	}
	tot, err := w.ConsentTotals(ctx)
	if err != nil || len(tot) != 2 || tot[1].Source != "phone call" || tot[1].Granted != 1 {
		t.Errorf("totals %+v %v", tot, err)
	}
}
