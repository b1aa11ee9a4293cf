package campaign

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// followers is a project with a customer table holding WeChat and push
// addresses, each with its consent role.
func followers(t *testing.T) *storage.Project {
	t.Helper()
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := p.DB().ExecContext(ctx, `CREATE TABLE customers AS SELECT * FROM (VALUES
		('C1', 'oAbC1', true, 'tok-1', true),
		('C2', '', true, 'tok-2', false),
		('C3', 'oAbC3', false, '', true),
		('C4', 'oABC4', true, 'tok-4', true),
		('C5', 'oabc4', true, 'TOK-4', true)) v(id, openid, follows, device, push_ok)`); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID, "openid": storage.WeChatOpenID,
		"follows": storage.WeChatFollower, "device": storage.PushToken, "push_ok": storage.PushOptIn}, true); err != nil {
		t.Fatal(err)
	}
	return p
}

// A WeChat or push channel reaches customers at their openid or device
// token, needs the follower status or the push consent, and honours the
// suppression list, where openids and tokens are case-sensitive.
func TestAudienceWeChatAndPush(t *testing.T) {
	ctx := context.Background()
	p := followers(t)
	ids := `SELECT id AS customer_id FROM customers`
	for _, c := range []struct {
		field string
		kind  string
		block string
		want  map[string]string // customer → exclusion ("" = included, then To)
		to    map[string]string
	}{
		{"wechat_openid", "wechat_openid", "oABC4",
			map[string]string{"C2": "no WeChat openid", "C3": "does not follow the Official Account", "C4": "unfollowed"},
			map[string]string{"C1": "oAbC1", "C5": "oabc4"}},
		{"push_token", "push_token", "tok-4",
			map[string]string{"C2": "no push consent", "C3": "no push token", "C4": "unregistered"},
			map[string]string{"C1": "tok-1", "C5": "TOK-4"}},
	} {
		why := map[string]string{"wechat_openid": "unfollowed", "push_token": "unregistered"}[c.kind]
		if n, err := Suppress(ctx, p, c.kind, []string{" " + c.block + " "}, why); err != nil || n != 1 {
			t.Fatalf("suppress %s: %d, %v", c.block, n, err)
		}
		camp := &Campaign{Name: "x", Table: "customers", Fields: []string{"customer_id", c.field}, Variants: []Variant{{Name: "A", Percent: 100, Text: "hi"}}}
		if got := ContactField(camp); got != c.field {
			t.Errorf("ContactField %q, want %q", got, c.field)
		}
		rs, err := AudienceOf(ctx, p, camp, ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Excluded != c.want[r.CustomerID] {
				t.Errorf("%s %s: excluded %q, want %q", c.field, r.CustomerID, r.Excluded, c.want[r.CustomerID])
			}
			if r.Excluded == "" && (r.To != c.to[r.CustomerID] || r.Fields[c.field] != c.to[r.CustomerID]) {
				t.Errorf("%s %s: to %q fields %v", c.field, r.CustomerID, r.To, r.Fields)
			}
		}
	}
	if _, err := Suppress(ctx, p, "fax", []string{"1"}, "x"); err == nil {
		t.Error("an unknown suppression kind was accepted")
	}
}

// Receipts are recorded once per customer, whatever the provider repeats,
// and tallied with their reasons.
func TestRecordReceipts(t *testing.T) {
	ctx := context.Background()
	c := &Campaign{Name: "s", Segment: "S", Plugin: "p", Component: "c", Variants: []Variant{{Name: "A", Percent: 100, Text: "hi"}}}
	p := logProject(t, c, 3)
	sent := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := Record(ctx, p, "s", []Outcome{{CustomerID: "A", Status: Delivered, ProviderID: "m1", SentAt: sent},
		{CustomerID: "B", Status: Delivered, ProviderID: "m2", SentAt: sent.Add(time.Minute)}, {CustomerID: "C", Status: Rejected, Reason: "bad"}}); err != nil {
		t.Fatal(err)
	}
	due, err := ReceiptsDue(ctx, p, "s", 10)
	if err != nil || len(due) != 2 || due[0].ProviderID != "m1" || !due[0].SentAt.Equal(sent) {
		t.Fatalf("due %+v (%v)", due, err)
	}
	evs := []ReceiptEvent{{CustomerID: "A", Delivered: true, At: sent.Add(time.Minute)}, {CustomerID: "B", Reason: "handset off"}}
	for range 2 {
		if _, err := RecordReceipts(ctx, p, "s", evs); err != nil {
			t.Fatal(err)
		}
	}
	d, u, err := ReceiptCounts(ctx, p, "s")
	if err != nil || d != 1 || len(u) != 1 || u["handset off"] != 1 {
		t.Fatalf("counts %d %v (%v)", d, u, err)
	}
	if due, _ := ReceiptsDue(ctx, p, "s", 10); len(due) != 0 {
		t.Errorf("still due after the receipts: %+v", due)
	}
}
