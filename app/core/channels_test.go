package core

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/plugins/fakes/twilio"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// channelNames are the first-party SMS, WeChat and push plugins.
var channelNames = []string{"twilio-sms", "aliyun-sms", "tencent-sms", "wechat-template", "fcm-push"}

// withChannels makes the first-party channel plugins the bundled ones for
// this test; they are built once per test run.
func withChannels(t *testing.T) { bundledPlugins(t, "channels", channelNames...) }

// smsShop is a project of n customers with Chinese mobile numbers and SMS
// consent (every 4th has none), a segment of them all and plugin enabled.
// Customer C006's number is a Beijing landline, which cannot get SMS.
func smsShop(t *testing.T, path string, n int, plugin string) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,first_name,phone,sms_consent\n")
	for i := range n {
		num := fmt.Sprintf("138 0000 %04d", i)
		if i == 6 {
			num = "010 6512 3456"
		}
		fmt.Fprintf(&b, "C%03d,客户%d,%s,%v\n", i, i, num, i%4 != 3)
	}
	csv := filepath.Join(t.TempDir(), "customers.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "phone IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, plugin); err != nil {
		t.Fatal(err)
	}
	return w
}

func twilioCampaign(name string, f *twilio.Server) *campaign.Campaign {
	return &campaign.Campaign{Name: name, Segment: "Everyone", Table: "customers", Plugin: "marketbench.org/twilio-sms", Component: "twilio-sms",
		Config:   sdk.Config{"account_sid": twilio.AccountSID, "from": twilio.Sender, "region": "CN", "endpoint": f.URL},
		Variants: []campaign.Variant{{Name: "A", Percent: 100, Text: "{{.first_name}}，您的积分即将过期，回T退订"}}}
}

// An SMS campaign through the Twilio plugin against the strict fake: the
// preview shows what the provider would refuse before anything is sent,
// the live send delivers exactly the sendable messages, the numbers the
// provider calls dead are suppressed for the next campaign, and delivery
// receipts come back as responses.
func TestSMSCampaignThroughTwilio(t *testing.T) {
	withChannels(t)
	ctx := context.Background()
	f := twilio.New(t)
	f.InvalidNumbers("+8613800000005")
	w := smsShop(t, filepath.Join(t.TempDir(), "p.mbproj"), 24, "marketbench.org/twilio-sms")
	defer w.Close()
	if err := w.SaveCampaign(ctx, twilioCampaign("积分提醒", f), false); err != nil {
		t.Fatal(err)
	}
	pv, err := w.PreviewCampaign(ctx, "积分提醒", 2)
	if err != nil {
		t.Fatal(err)
	}
	// 18 of 24 have consent; C006's landline is the one problem.
	if pv.Groups["A"] != 18 || sumCounts(pv.Problems) != 1 || pv.ChecksSkipped != "" {
		t.Fatalf("preview groups %v problems %v skipped %q", pv.Groups, pv.Problems, pv.ChecksSkipped)
	}
	for p := range pv.Problems {
		if !strings.Contains(p, "010 6512 3456") && !strings.Contains(strings.ToLower(p), "mobile") {
			t.Errorf("the problem does not say what is wrong with the landline: %q", p)
		}
	}
	if sumCounts(pv.Notes) < 18 || len(pv.Samples) != 2 || len(pv.Samples[0].Notes) == 0 {
		t.Errorf("notes %v samples %+v: every message should say how many SMS parts it takes", pv.Notes, pv.Samples)
	}
	secrets := sdk.Secrets{"auth_token": twilio.AuthToken}
	rep, err := w.SendCampaign(ctx, "积分提醒", SendOptions{Mode: campaign.Live, Secrets: secrets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 16 || rep.Counts.ByStatus[campaign.Rejected] != 2 {
		t.Fatalf("sent %d, counts %+v", rep.Sent, rep.Counts)
	}
	sent := f.Sent()
	if len(sent) != 16 {
		t.Fatalf("the provider got %d messages, want 16", len(sent))
	}
	for _, s := range sent {
		if !strings.HasPrefix(s.To, "+86138") || len(s.To) != 14 || !strings.Contains(s.Body, "积分即将过期") || strings.Contains(s.Body, "{{") {
			t.Errorf("message %+v", s)
		}
	}
	// Both dead numbers are on the suppression list now, so the next
	// campaign leaves them out before sending.
	if err := w.SaveCampaign(ctx, twilioCampaign("第二次", f), false); err != nil {
		t.Fatal(err)
	}
	pv, err = w.PreviewCampaign(ctx, "第二次", 0)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Groups["A"] != 16 || sumCounts(pv.Problems) != 0 {
		t.Errorf("second campaign: groups %v excluded %v problems %v; the two dead numbers should be suppressed", pv.Groups, pv.Excluded, pv.Problems)
	}

	// Receipts: the provider reports 10 delivered, 1 failed, the rest
	// still on their way.
	for i, s := range sent[:11] {
		status, code, msg := "delivered", 0, ""
		if i == 10 {
			status, code, msg = "undelivered", 30003, "Unreachable destination handset"
		}
		if !f.SetStatus(s.SID, status, code, msg) {
			t.Fatalf("no message %s at the fake", s.SID)
		}
	}
	rr, err := w.FetchReceipts(ctx, "积分提醒", secrets)
	if err != nil {
		t.Fatal(err)
	}
	if rr.Asked != 16 || rr.Added != 11 || rr.Pending != 5 || rr.Delivered != 10 || sumCounts(rr.Undelivered) != 1 || rr.NoReceipts {
		t.Fatalf("receipts %+v", rr)
	}
	// Fetching again asks only about the pending ones and adds nothing.
	if rr, err = w.FetchReceipts(ctx, "积分提醒", secrets); err != nil || rr.Asked != 5 || rr.Added != 0 || rr.Delivered != 10 {
		t.Fatalf("second fetch %+v (%v)", rr, err)
	}
	// Wrong credentials: the fetch fails in words, and records nothing.
	if _, err := w.FetchReceipts(ctx, "积分提醒", sdk.Secrets{"auth_token": "wrong"}); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("receipts with a wrong token: %v", err)
	}
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, k := range m {
		n += k
	}
	return n
}

// The app is killed (SIGKILL) in the middle of a live SMS send through a
// provider without idempotency keys: after the resume, no number got a
// message twice, every other sendable customer got exactly one, and the
// messages in flight at the kill wait as "unknown" for the user.
func TestSMSKilledMidSend(t *testing.T) {
	if os.Getenv("MB_SMS_CHILD") != "" {
		t.Skip("parent only")
	}
	withChannels(t)
	f := twilio.New(t)
	for try := 0; ; try++ {
		dir := t.TempDir()
		proj := filepath.Join(dir, "p.mbproj")
		w := smsShop(t, proj, 60, "marketbench.org/twilio-sms")
		c := twilioCampaign("Kill", f)
		c.Name = fmt.Sprintf("Kill %d", try)
		if err := w.SaveCampaign(context.Background(), c, false); err != nil {
			t.Fatal(err)
		}
		w.Close()
		before := len(f.Sent())
		f.Slow(150 * time.Millisecond)
		cmd := exec.Command(os.Args[0], "-test.run=^TestSMSChildSend$", "-test.v")
		cmd.Env = append(os.Environ(), "MB_KILL_CHILD=1", "MB_SMS_CHILD="+proj, "MB_SMS_CAMPAIGN="+c.Name, "MARKETBENCH_SECRET_AUTH_TOKEN="+twilio.AuthToken)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for len(f.Sent())-before < 8 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(time.Duration(try*37%100) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		f.Slow(0)
		if n := len(f.Sent()) - before; n < 8 || n >= 40 {
			t.Fatalf("killed after %d messages; the test wants it mid-send", n)
		}
		w, err := Open(proj)
		if err != nil {
			t.Fatalf("reopening after the kill: %v", err)
		}
		rep, err := w.SendCampaign(context.Background(), c.Name, SendOptions{Mode: campaign.Live, Secrets: sdk.Secrets{"auth_token": twilio.AuthToken}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, s := range f.Sent()[before:] {
			got[s.To]++
		}
		for to, n := range got {
			if n != 1 {
				t.Errorf("%s got %d messages", to, n)
			}
		}
		_, counts, _ := w.CampaignStatus(context.Background(), c.Name)
		delivered, unknown := counts.ByStatus[campaign.Delivered], counts.ByStatus[campaign.Unknown]
		// 45 have consent; C006's landline is rejected.
		if delivered+unknown != 44 {
			t.Errorf("delivered %d + unknown %d, want 44 (counts %+v)", delivered, unknown, counts)
		}
		if len(got) < delivered || len(got) > delivered+unknown {
			t.Errorf("the provider has %d numbers; the log says %d delivered and %d unknown", len(got), delivered, unknown)
		}
		w.Close()
		if rep.Recovered > 0 {
			return
		}
		if try == 4 {
			t.Fatalf("no kill in 5 landed with a message in flight (report %+v)", rep)
		}
		t.Logf("try %d: no message was in flight at the kill; again", try+1)
	}
}

// TestSMSChildSend is the process TestSMSKilledMidSend kills.
func TestSMSChildSend(t *testing.T) {
	proj := os.Getenv("MB_SMS_CHILD")
	if proj == "" {
		t.Skip("run by TestSMSKilledMidSend")
	}
	w, err := Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	sec := sdk.Secrets{"auth_token": os.Getenv("MARKETBENCH_SECRET_AUTH_TOKEN")}
	w.SendCampaign(context.Background(), os.Getenv("MB_SMS_CAMPAIGN"), SendOptions{Mode: campaign.Live, Secrets: sec}, nil)
	t.Fatal("the send finished before the parent killed it")
}
