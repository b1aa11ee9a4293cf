package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/fakes/aliyun"
	"github.com/marketbench/marketbench/plugins/fakes/wechat"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/phone"
	"github.com/marketbench/marketbench/storage/campaign"
)

// The Chinese demo's SMS and WeChat drafts go out against strict fakes of
// Alibaba Cloud SMS and the WeChat Official Account API: the dry run runs
// the providers' checks, a test send reaches one address, the live send
// reaches exactly the customers with consent (SMS) or who follow the
// account (WeChat), with their parameters filled in; a follower the
// account no longer has is suppressed.
func TestChineseDemoSMSAndWeChat(t *testing.T) {
	withChannels(t)
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Locale: "zh-CN", Customers: 3000, Orders: 30000, Products: 150}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sms := aliyun.New(t, aliyun.WithSigns("示例商城"), aliyun.WithTemplate(DemoSMSTemplateCode, DemoSMSTemplateText))
	const secret = "demo-app-secret-0123456789abcdef"
	var followers []string
	rows, err := w.DB().QueryContext(ctx, `SELECT wechat_openid FROM customers WHERE wechat_follower ORDER BY customer_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var o string
		rows.Scan(&o)
		followers = append(followers, o)
	}
	rows.Close()
	// The account has lost one follower the export still lists.
	gone := followers[0]
	wx := wechat.New(t, wechat.WithCredentials(DemoWeChatAppID, secret), wechat.WithFollowers(followers[1:]...))
	for name, url := range map[string]string{DemoSMSCampaign: sms.URL, DemoWeChatCampaign: wx.URL} {
		in, err := campaign.Get(ctx, w.Project, name)
		if err != nil {
			t.Fatalf("the demo has no draft %q: %v", name, err)
		}
		in.Config["endpoint"] = url
		if err := w.SaveCampaign(ctx, &in.Campaign, true); err != nil {
			t.Fatal(err)
		}
	}
	smsSecrets := sdk.Secrets{"access_key_id": aliyun.DefaultAccessKeyID, "access_key_secret": aliyun.DefaultAccessKeySecret}
	wxSecrets := sdk.Secrets{"app_secret": secret}

	for _, c := range []struct {
		name    string
		secrets sdk.Secrets
		testTo  string
	}{{DemoSMSCampaign, smsSecrets, "13800138000"}, {DemoWeChatCampaign, wxSecrets, followers[1]}} {
		rep, err := w.SendCampaign(ctx, c.name, SendOptions{Mode: campaign.DryRun}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pv := rep.Preview
		if pv.ChecksSkipped != "" || sumCounts(pv.Problems) != 0 || pv.Groups["A"] < 100 {
			t.Fatalf("%s dry run: groups %v problems %v skipped %q", c.name, pv.Groups, pv.Problems, pv.ChecksSkipped)
		}
		if c.name == DemoSMSCampaign && sumCounts(pv.Notes) != pv.Groups["A"] {
			t.Errorf("every SMS should say its length and parts: %v", pv.Notes)
		}
		if _, err := w.SendCampaign(ctx, c.name, SendOptions{Mode: campaign.TestSend, TestTo: c.testTo, Secrets: c.secrets}, nil); err != nil {
			t.Fatalf("%s test send: %v", c.name, err)
		}
	}
	if s := sms.Sent(); len(s) != 1 || s[0].Phone != "13800138000" || s[0].Params["name"] == "" {
		t.Fatalf("SMS test send: %+v", s)
	}
	if s := wx.Sent(); len(s) != 1 || s[0].ToUser != followers[1] {
		t.Fatalf("WeChat test send: %+v", s)
	}

	// Live.
	rep, err := w.SendCampaign(ctx, DemoSMSCampaign, SendOptions{Mode: campaign.Live, Secrets: smsSecrets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := sms.Sent()[1:]
	if rep.Sent != len(got) || rep.Sent < 100 || rep.Counts.ByStatus[campaign.Rejected] != 0 {
		t.Fatalf("SMS live: sent %d, the provider got %d, counts %+v", rep.Sent, len(got), rep.Counts)
	}
	var wantPhones map[string]bool = map[string]bool{}
	drows, err := w.DB().QueryContext(ctx, `SELECT c.phone FROM mb_deliveries d JOIN customers c ON c.customer_id = d.customer_id
		WHERE d.campaign = ? AND d.status = 'delivered'`, DemoSMSCampaign)
	if err != nil {
		t.Fatal(err)
	}
	for drows.Next() {
		var p string
		drows.Scan(&p)
		e, err := phone.E164(p, "CN")
		if err != nil || !phone.IsChinaMobile(e) {
			t.Errorf("delivered to %q (%v)", p, err)
		}
		wantPhones[strings.TrimPrefix(e, "+86")] = true
	}
	drows.Close()
	for _, s := range got {
		if !wantPhones[s.Phone] || s.SignName != "示例商城" || s.TemplateCode != DemoSMSTemplateCode ||
			len([]rune(s.Params["name"])) < 2 || s.Params["product"] == "" || strings.Contains(s.Params["product"], "{{") {
			t.Errorf("SMS %+v", s)
		}
		delete(wantPhones, s.Phone)
	}
	if len(wantPhones) != 0 {
		t.Errorf("%d delivered numbers never reached the provider", len(wantPhones))
	}

	rep, err = w.SendCampaign(ctx, DemoWeChatCampaign, SendOptions{Mode: campaign.Live, Secrets: wxSecrets}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wgot := wx.Sent()[1:]
	if rep.Sent != len(wgot) || rep.Sent < 100 {
		t.Fatalf("WeChat live: sent %d, the provider got %d, counts %+v", rep.Sent, len(wgot), rep.Counts)
	}
	follows := map[string]bool{}
	for _, f := range followers[1:] {
		follows[f] = true
	}
	for _, s := range wgot {
		if !follows[s.ToUser] || s.TemplateID != DemoWeChatTemplate || !strings.HasSuffix(s.Data["thing1"], "的会员专享礼遇") || s.Data["time2"] != "2026-12-31 23:59" {
			t.Errorf("WeChat %+v", s)
		}
	}
	// Customers who do not follow were left out before sending; the one
	// the account lost was rejected by WeChat and is now suppressed, if
	// the segment holds them.
	if rep.Counts.ByStatus[campaign.Rejected] > 1 {
		t.Errorf("WeChat rejected %d", rep.Counts.ByStatus[campaign.Rejected])
	}
	var inSegment int
	w.DB().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries d JOIN customers c ON c.customer_id = d.customer_id
		WHERE d.campaign = ? AND c.wechat_openid = ? AND d.status NOT IN ('excluded', 'holdout')`, DemoWeChatCampaign, gone).Scan(&inSegment)
	var suppressed int
	w.DB().QueryRowContext(ctx, `SELECT count(*) FROM mb_suppression WHERE kind = 'wechat_openid' AND value = ?`, gone).Scan(&suppressed)
	if suppressed != inSegment {
		t.Errorf("the lost follower: in the send %d, suppressed %d", inSegment, suppressed)
	}
	if n := rep.Counts.ByStatus[campaign.Excluded]; n == 0 || rep.Counts.Reasons["does not follow the Official Account"] == 0 {
		t.Errorf("no customer was left out for not following: %+v", rep.Counts)
	}
}
