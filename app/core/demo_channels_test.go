package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/demodata"
	"github.com/marketbench/marketbench/plugins/fakes/aliyun"
	"github.com/marketbench/marketbench/plugins/fakes/fcm"
	"github.com/marketbench/marketbench/plugins/fakes/tencent"
	"github.com/marketbench/marketbench/plugins/fakes/twilio"
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

// The other three channels send a campaign of the Chinese demo too, each
// against its strict fake: Twilio and Tencent Cloud SMS to the customers
// with SMS consent, Firebase push to those with the app and push consent.
// Each goes dry run (no problem found), test send, live; the provider gets
// exactly the messages the delivery log says were delivered.
func TestDemoCampaignThroughEveryChannel(t *testing.T) {
	withChannels(t)
	ctx := context.Background()
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Locale: "zh-CN", Customers: 2000, Orders: 20000, Products: 120}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	best := demoLocales[demodata.Chinese].best
	tw := twilio.New(t)
	const tplID, tpl = "1234567", "您好{1}，为您挑选的{2}正在优惠。拒收请回复R"
	tc := tencent.New(t, tencent.WithSign("示例商城"), tencent.WithTemplate(tplID, tpl))
	fc := fcm.New(t)
	var token string
	if err := w.DB().QueryRowContext(ctx, `SELECT min(push_token) FROM customers WHERE push_opt_in`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		c       *campaign.Campaign
		secrets sdk.Secrets
		testTo  string
		sent    func() int
	}{
		{&campaign.Campaign{Name: "短信 Twilio", Plugin: "marketbench.org/twilio-sms", Component: "twilio-sms",
			Config:   sdk.Config{"account_sid": twilio.AccountSID, "from": twilio.Sender, "region": "CN", "endpoint": tw.URL},
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Text: "{{.last_name}}{{.first_name}}您好，为您挑选的{{.rec1_name}}正在优惠。回T退订"}}},
			sdk.Secrets{"auth_token": twilio.AuthToken}, "13800138000", func() int { return len(tw.Sent()) }},
		{&campaign.Campaign{Name: "短信 腾讯云", Plugin: "marketbench.org/tencent-sms", Component: "tencent-sms",
			Config: sdk.Config{"sdk_app_id": tencent.DefaultSdkAppID, "sign_name": "示例商城", "template_id": tplID, "template_text": tpl,
				"region": "CN", "endpoint": tc.URL},
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Text: "1: {{.last_name}}{{.first_name}}\n2: {{.rec1_name}}"}}},
			sdk.Secrets{"secret_id": tencent.DefaultSecretID, "secret_key": tencent.DefaultSecretKey}, "13800138000", func() int { return len(tc.Sent()) }},
		{&campaign.Campaign{Name: "推送 App", Plugin: "marketbench.org/fcm-push", Component: "fcm-push",
			Config:   sdk.Config{"endpoint": fc.URL},
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "{{.first_name}}，为您挑选", Text: "{{.rec1_name}} 正在优惠"}}},
			sdk.Secrets{"service_account_json": fc.ServiceAccountJSON()}, token, func() int { return len(fc.Sent()) }},
	}
	for _, k := range cases {
		k.c.Segment, k.c.Table, k.c.HoldoutPercent = best, "customers", 10
		if _, err := w.EnablePlugin(ctx, k.c.Plugin); err != nil {
			t.Fatal(err)
		}
		if err := w.SaveCampaign(ctx, k.c, false); err != nil {
			t.Fatalf("%s: %v", k.c.Name, err)
		}
		rep, err := w.SendCampaign(ctx, k.c.Name, SendOptions{Mode: campaign.DryRun}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pv := rep.Preview; pv.ChecksSkipped != "" || sumCounts(pv.Problems) != 0 || pv.Groups["A"] < 30 {
			t.Fatalf("%s dry run: groups %v problems %v skipped %q excluded %v", k.c.Name, pv.Groups, pv.Problems, pv.ChecksSkipped, pv.Excluded)
		}
		if _, err := w.SendCampaign(ctx, k.c.Name, SendOptions{Mode: campaign.TestSend, TestTo: k.testTo, Secrets: k.secrets}, nil); err != nil {
			t.Fatalf("%s test send: %v", k.c.Name, err)
		}
		if n := k.sent(); n != 1 {
			t.Fatalf("%s: the test send reached the provider %d times", k.c.Name, n)
		}
		rep, err = w.SendCampaign(ctx, k.c.Name, SendOptions{Mode: campaign.Live, Secrets: k.secrets}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sent < 30 || k.sent() != rep.Sent+1 || rep.Counts.ByStatus[campaign.Delivered] != rep.Sent {
			t.Errorf("%s live: sent %d, the provider has %d (with the test), counts %+v", k.c.Name, rep.Sent, k.sent(), rep.Counts)
		}
	}
	for _, s := range tc.Sent()[1:] {
		if len(s.Params) != 2 || s.Params[0] == "" || !strings.HasPrefix(s.Text, "【示例商城】您好") || strings.Contains(s.Text, "{") {
			t.Errorf("Tencent SMS %+v", s)
			break
		}
	}
	for _, s := range fc.Sent()[1:] {
		if s.Title == "" || !strings.HasSuffix(s.Body, " 正在优惠") || len(s.Token) < 100 {
			t.Errorf("push %+v", s)
			break
		}
	}
}
