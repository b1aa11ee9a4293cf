package core

import (
	"context"

	"github.com/marketbench/marketbench/app/demodata"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// The Chinese demo's SMS and WeChat channels and their drafts' names.
const (
	AliyunSMSPlugin      = "marketbench.org/aliyun-sms"
	WeChatTemplatePlugin = "marketbench.org/wechat-template"
	DemoSMSCampaign      = "短信 为您挑选"
	DemoWeChatCampaign   = "微信 会员礼遇"
	// The drafts' provider settings: a sign, templates and an Official
	// Account as a shop would have them approved. They are examples: the
	// shop puts its own in before a live send.
	DemoSMSTemplateCode = "SMS_465890123"
	DemoSMSTemplateText = "您好${name}，为您挑选的${product}正在优惠，详见店铺首页。拒收请回复R"
	DemoWeChatAppID     = "wx5f3a9c2e7b1d4086"
	DemoWeChatTemplate  = "Tpl_member_points_expire_0000000000000001"
)

// demoChannelCampaigns are the Chinese demo's drafts: an SMS through
// Alibaba Cloud and a WeChat template message to followers, to the best
// RFM segment. Their texts are the providers' template parameters, one
// "name: value" per line, filled in per customer.
func demoChannelCampaigns(best string) []*campaign.Campaign {
	return []*campaign.Campaign{
		{Name: DemoSMSCampaign, Segment: best, Table: "customers", Plugin: AliyunSMSPlugin, Component: "aliyun-sms", HoldoutPercent: 10,
			Config:   sdk.Config{"sign_name": "示例商城", "template_code": DemoSMSTemplateCode, "template_text": DemoSMSTemplateText, "region": "CN"},
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Text: "name: {{.last_name}}{{.first_name}}\nproduct: {{.rec1_name}}"}}},
		{Name: DemoWeChatCampaign, Segment: best, Table: "customers", Plugin: WeChatTemplatePlugin, Component: "wechat-template", HoldoutPercent: 10,
			Config: sdk.Config{"app_id": DemoWeChatAppID, "template_id": DemoWeChatTemplate, "template_keys": "thing1,time2,character_string3"},
			Variants: []campaign.Variant{{Name: "A", Percent: 100,
				Text: "thing1: {{.last_name}}{{.first_name}}的会员专享礼遇\ntime2: 2026-12-31 23:59\ncharacter_string3: {{.customer_id}}"}}},
	}
}

// addDemoChannelCampaigns saves the Chinese demo's SMS and WeChat drafts
// with their plugins enabled. Nothing is sent: a live send needs the shop's
// own credentials. Without the bundled plugins it adds nothing and says
// false.
func (w *Workspace) addDemoChannelCampaigns(ctx context.Context, loc demodata.Locale, best string) (bool, error) {
	if loc != demodata.Chinese {
		return false, nil
	}
	for _, id := range []string{AliyunSMSPlugin, WeChatTemplatePlugin} {
		if _, err := w.find(id, ""); err != nil {
			return false, nil
		}
	}
	for _, c := range demoChannelCampaigns(best) {
		if _, err := w.EnablePlugin(ctx, c.Plugin); err != nil {
			return false, err
		}
		if err := w.SaveCampaign(ctx, c, true); err != nil {
			return false, i18n.Errorf("demo campaign %q: %w", c.Name, err)
		}
	}
	return true, nil
}
