package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/numcheck"
	"github.com/marketbench/marketbench/assets/i18n"
)

// explainShots takes the explanation dialog of the demo's first segment.
// No model runs during screenshots, so the facts are the app's and the
// text is a sample quoting two of them and one number they lack, which
// the checker marks as it would a model's.
func explainShots(p *project, step func(string, func()), closeDialogs func()) {
	name := "Champions"
	if p.ws != nil {
		if sums, err := p.ws.Segments(context.Background()); err == nil && len(sums) > 0 {
			name = sums[0].Name
		}
	}
	x, _ := p.ws.ExplainResults(context.Background(), core.ExplainRequest{Kind: core.ExplainSegment, Name: name, URL: "http://127.0.0.1:1"})
	if x == nil || len(x.Facts) < 2 {
		return
	}
	text := x.Facts[0].Text + " customers (" + x.Facts[1].Text + ") are in " + name + ". They buy often and recently; " +
		"thank them first, with early access rather than discounts. About 4,321 of them opened last month's e-mail."
	if i18n.IsChinese() {
		text = "“" + name + "”共有" + x.Facts[0].Text + "位客户，占全部客户的" + x.Facts[1].Text + "。他们购买频繁且最近刚下过单；" +
			"建议优先感谢他们，提供新品抢先体验而不是折扣。上个月约有4,321位打开了邮件。"
	}
	var facts []numcheck.Fact
	for _, f := range x.Facts {
		if f.Value != nil {
			facts = append(facts, numcheck.Fact{Name: f.Label, Value: *f.Value, Share: f.Share})
		}
	}
	nums := numcheck.Check(text, facts, name)
	x.Text, x.Numbers, x.Model = numcheck.Marked(text, nums), nums, "llama3.2"
	for _, n := range numcheck.Unverified(nums) {
		x.Unverified = append(x.Unverified, n.Text)
	}
	step("explain-segment.png", func() {
		p.goTo("Segments")
		showExplanation(p.win, x, nil)
	})
	fyne.DoAndWait(closeDialogs)
}
