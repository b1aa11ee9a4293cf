package campaign

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
)

func logProject(t *testing.T, c *Campaign, n int) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	if err := Save(ctx, p, c, false); err != nil {
		t.Fatal(err)
	}
	var rs []Recipient
	for i := range n {
		id := string(rune('A' + i))
		rs = append(rs, Recipient{CustomerID: id, Group: "A"})
	}
	if err := Plan(ctx, p, c, rs); err != nil {
		t.Fatal(err)
	}
	return p
}

func statuses(t *testing.T, p *storage.Project) map[string]string {
	t.Helper()
	rows, err := p.Q().QueryContext(context.Background(), `SELECT customer_id, status || '/' || attempts FROM mb_deliveries ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, s string
		rows.Scan(&id, &s)
		out[id] = s
	}
	return out
}

// The log's steps: a write records outcomes and marks the next messages in
// one transaction; messages never handed over go back with their attempt;
// settling touches only the messages named; the user settles unknowns,
// audited.
func TestDeliveryLogSteps(t *testing.T) {
	ctx := context.Background()
	c := &Campaign{Name: "x", Segment: "S", Plugin: "p", Component: "c", Variants: []Variant{{Name: "A", Percent: 100, Text: "hi"}}}
	p := logProject(t, c, 5)
	ds, err := Due(ctx, p, c.Name, 10, time.Now())
	if err != nil || len(ds) != 5 {
		t.Fatalf("due %v %v", ds, err)
	}
	if err := Step(ctx, p, c.Name, nil, ds[:4]); err != nil {
		t.Fatal(err)
	}
	if err := Step(ctx, p, c.Name, []Outcome{{CustomerID: "A", Status: Delivered, ProviderID: "p1"},
		{CustomerID: "B", Status: Rejected, Reason: "the plugin failed in Send: panic: boom\ngoroutine 1 [running]:\nmain.main()"}}, ds[4:]); err != nil {
		t.Fatal(err)
	}
	if err := Release(ctx, p, c.Name, []string{"C"}); err != nil {
		t.Fatal(err)
	}
	if n, err := Settle(ctx, p, c, []string{"D"}, ReasonPluginBug); err != nil || n != 1 {
		t.Fatalf("settle %d %v", n, err)
	}
	got := statuses(t, p)
	want := map[string]string{"A": "delivered/1", "B": "rejected/1", "C": "planned/0", "D": "unknown/1", "E": "sending/1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s, want %s", k, got[k], v)
		}
	}
	var reason string
	p.Q().QueryRowContext(ctx, `SELECT reason FROM mb_deliveries WHERE customer_id = 'B'`).Scan(&reason)
	if reason != "the plugin failed in Send: panic: boom …" {
		t.Errorf("stored reason %q", reason)
	}
	us, err := Unknowns(ctx, p, c.Name)
	if err != nil || len(us) != 1 || us[0].CustomerID != "D" || us[0].Reason != ReasonPluginBug {
		t.Fatalf("unknowns %+v %v", us, err)
	}
	if _, err := Resolve(ctx, p, c.Name, ResolveSent, []string{"A"}); err == nil || !strings.Contains(err.Error(), "no unknown delivery for A") {
		t.Errorf("resolving a delivered one: %v", err)
	}
	if _, err := Resolve(ctx, p, c.Name, "maybe", nil); err == nil {
		t.Error("an unknown way to settle was accepted")
	}
	SetStatus(ctx, p, c.Name, "done")
	if n, err := Resolve(ctx, p, c.Name, ResolveResend, []string{"D"}); err != nil || n != 1 {
		t.Fatalf("resend %d %v", n, err)
	}
	if got := statuses(t, p)["D"]; got != "planned/1" {
		t.Errorf("D after resend: %s", got)
	}
	in, _ := Get(ctx, p, c.Name)
	if in.Status != "paused" {
		t.Errorf("campaign status after a resend: %s", in.Status)
	}
	log, _ := p.AuditLog(ctx, 5)
	if len(log) == 0 || log[0].Action != "campaign resolve" || !strings.Contains(log[0].Detail, "1 unknown deliveries set to be sent again") {
		t.Errorf("audit %+v", log)
	}
	// An idempotent channel's messages in flight go back to planned.
	c.Idempotent = true
	if n, err := Settle(ctx, p, c, []string{"E"}, ReasonStopped); err != nil || n != 1 || statuses(t, p)["E"] != "planned/1" {
		t.Errorf("idempotent settle %d %v %v", n, err, statuses(t, p))
	}
}

func TestCause(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP 400 Bad Request: {\"error\": \"c3@x is bad\"}":             "HTTP 400 Bad Request",
		"gave up after 3 attempts: the plugin stopped or did not answer": "gave up after N attempts",
		"no e-mail consent": "no e-mail consent",
		`the plugin answered for message "C003", which was not sent`: `the plugin answered for message "…", which was not sent`,
		"subject: there is no field \"x\"":                           "subject: there is no field \"…\"",
	} {
		if got := Cause(in); got != want {
			t.Errorf("Cause(%q) = %q, want %q", in, got, want)
		}
	}
	if s := ShortReason(strings.Repeat("é", 300)); len(s) > maxReason+len("…") || !strings.HasSuffix(s, "…") {
		t.Errorf("short reason %q", s)
	}
}
