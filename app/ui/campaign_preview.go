package ui

import (
	"context"
	"math"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
)

// previewView is the Preview tab: who gets what, before anything is sent.
type previewView struct {
	s        *campaignsScreen
	btn      *widget.Button
	summary  *widget.Label
	split    *widget.Label // how the groups came out, and why
	warn     *widget.Label // too few customers to read the results
	excluded *grid
	groups   *grid
	samples  *fyne.Container
	last     *core.Preview
	content  fyne.CanvasObject
}

var previewHint = i18n.Mark("Press Preview to see who gets which variant, who is left out and why, and sample messages. " +
	"The preview uses the saved campaign: save your changes first.")

func newPreviewView(s *campaignsScreen) *previewView {
	v := &previewView{s: s, excluded: newGrid(), groups: newGrid()}
	v.btn = &widget.Button{Text: i18n.T("Preview"), Icon: theme.VisibilityIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	v.summary = &widget.Label{Text: i18n.T(previewHint), Wrapping: fyne.TextWrapWord}
	v.split = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	v.split.Hide()
	v.warn = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.warn.Hide()
	v.samples = container.NewVBox()
	grids := container.NewVSplit(
		container.NewBorder(&widget.Label{Text: i18n.T("Left out, by reason"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.excluded.table),
		container.NewBorder(&widget.Label{Text: i18n.T("Groups"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil, v.groups.table))
	right := container.NewBorder(&widget.Label{Text: i18n.T("Sample messages"), TextStyle: fyne.TextStyle{Bold: true}}, nil, nil, nil,
		container.NewVScroll(v.samples))
	split := container.NewHSplit(grids, right)
	split.Offset = 0.4
	v.content = container.NewBorder(container.NewVBox(container.NewHBox(v.btn), v.summary, v.split, v.warn), nil, nil, nil, split)
	return v
}

func (v *previewView) clear() {
	v.last = nil
	v.summary.SetText(i18n.T(previewHint))
	v.split.Hide()
	v.warn.Hide()
	v.excluded.clear()
	v.groups.clear()
	v.samples.RemoveAll()
}

func (v *previewView) run() {
	name := v.s.sel
	if name == "" {
		dialog.ShowInformation(i18n.T("Preview"), i18n.T("Save the campaign first: the preview shows what the saved campaign would do."), v.s.p.win)
		return
	}
	var pv *core.Preview
	v.btn.Disable()
	v.s.p.run(i18n.T("Previewing %s…", name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Resolving the audience and rendering every message"), -1)
		var err error
		pv, err = v.s.p.ws.PreviewCampaign(ctx, name, 3)
		return err
	}, func(err error) {
		v.btn.Enable()
		if err != nil {
			v.clear()
			v.summary.SetText(i18n.T("The preview failed and nothing was sent. Fix the campaign in the Set up tab, save it and preview again."))
			v.s.p.showError(err)
			return
		}
		v.show(name, pv)
	})
}

// contacted is how many customers a send would reach.
func contacted(pv *core.Preview) int {
	n := 0
	for g, k := range pv.Groups {
		if g != campaign.Holdout {
			n += k
		}
	}
	return n
}

func sum(m map[string]int) int {
	n := 0
	for _, k := range m {
		n += k
	}
	return n
}

func (v *previewView) show(name string, pv *core.Preview) {
	v.last = pv
	v.s.plan.audienceKnown(pv)
	fields := i18n.T("none")
	if len(pv.Fields) > 0 {
		fields = strings.Join(pv.Fields, ", ")
	}
	v.summary.SetText(i18n.T("%s: %s customers in the audience. %s would get a message, %s are in the holdout and %s are left out. "+
		"The channel receives the address, the rendered message and these customer fields: %s.",
		name, i18n.Number(float64(pv.Audience)), i18n.Number(float64(contacted(pv))), i18n.Number(float64(pv.Groups[campaign.Holdout])),
		i18n.Number(float64(sum(pv.Excluded))), fields))
	var rows [][]string
	for _, k := range sortedKeys(pv.Excluded) {
		rows = append(rows, []string{reasonWords(k), i18n.Number(float64(pv.Excluded[k]))})
	}
	v.excluded.set([]string{i18n.T("Reason"), i18n.T("Customers")}, []string{"", "BIGINT"}, rows)
	rows = nil
	total := sum(pv.Groups)
	for _, g := range pv.Split() {
		rows = append(rows, []string{groupWords(g.Group), i18n.Number(float64(g.Actual)), pct(float64(g.Actual) / math.Max(1, float64(total))),
			pct(g.Percent / 100), i18n.Number(math.Round(g.Expected)), i18n.T("%s to %s", i18n.Number(float64(g.Lo)), i18n.Number(float64(g.Hi)))})
	}
	v.groups.set([]string{i18n.T("Group"), i18n.T("Customers"), i18n.T("Share"), i18n.T("Planned"), i18n.T("Expected"), i18n.T("Normal by chance")},
		[]string{"", "BIGINT", "DOUBLE", "DOUBLE", "BIGINT", ""}, rows)
	v.split.SetText(splitWords(pv))
	setVisible([]fyne.CanvasObject{v.split}, v.split.Text != "")
	v.warn.SetText(strings.TrimSpace(v.s.plan.tooFew(pv) + "\n" + channelFindings(pv)))
	setVisible([]fyne.CanvasObject{v.warn}, v.warn.Text != "")
	v.samples.RemoveAll()
	if len(pv.Samples) == 0 {
		v.samples.Add(&widget.Label{Text: i18n.T("No customer of the audience can receive this campaign, so there is no message to show."), Wrapping: fyne.TextWrapWord})
	}
	for _, sm := range pv.Samples {
		body := sm.Text
		if body == "" {
			body = sm.HTML
		}
		box := container.NewVBox(&widget.Label{Text: sm.Subject, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord},
			&widget.Label{Text: body, Wrapping: fyne.TextWrapWord})
		for _, p := range sm.Problems {
			box.Add(&widget.Label{Text: "⚠ " + p, Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
		}
		for _, n := range sm.Notes {
			box.Add(&widget.Label{Text: "· " + n, Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance})
		}
		v.samples.Add(widget.NewCard("", i18n.T("Variant %s → %s (customer %s)", sm.Variant, sm.To, sm.CustomerID), box))
	}
}

func groupWords(g string) string {
	if g == campaign.Holdout {
		return i18n.T("holdout (gets nothing)")
	}
	return i18n.T("variant %s", g)
}

// reasonWords shows why a customer is left out or a delivery is in doubt.
// The reasons are written by storage/campaign, core or a channel plugin in
// English; those the catalogue has are shown translated.
func reasonWords(reason string) string { return campaign.ReasonWords(reason) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// splitWords explains how the groups came out: a hash per customer, like
// a coin toss, lands near the plan rather than on it. The example is the
// holdout (or the last variant) with its expected count and the range
// chance gives; a group outside its range is pointed out.
func splitWords(pv *core.Preview) string {
	sp := pv.Split()
	if len(sp) < 2 {
		return ""
	}
	ex := sp[len(sp)-1]
	who := func(g string) string {
		if g == campaign.Holdout {
			return i18n.T("the holdout")
		}
		return i18n.T("variant %s", g)
	}
	s := i18n.T("Who gets which variant is decided by a hash of the campaign name and the customer id: like a coin toss that always lands "+
		"the same way for the same customer, so a resume or a second run never moves anyone. Like coin tosses, the groups land near the plan "+
		"rather than on it: of %s customers, %s planned for %s means about %s, and anything from %s to %s is ordinary chance (it got %s).",
		i18n.Number(float64(sum(pv.Groups))), i18n.Number(ex.Percent)+"%", who(ex.Group), i18n.Number(math.Round(ex.Expected)),
		i18n.Number(float64(ex.Lo)), i18n.Number(float64(ex.Hi)), i18n.Number(float64(ex.Actual)))
	for _, g := range sp {
		if g.Actual < g.Lo || g.Actual > g.Hi {
			s += i18n.T(" %s got %s, outside that range for its share: something other than chance may decide who gets what; check the audience and the split.",
				sentence(who(g.Group)), i18n.Number(float64(g.Actual)))
		}
	}
	return s
}

// channelFindings sums up what the channel's plugin found in the rendered
// messages: the problems its provider would refuse, then its notes.
func channelFindings(pv *core.Preview) string {
	var lines []string
	for _, k := range sortedKeys(pv.Problems) {
		lines = append(lines, i18n.T("⚠ %s: %s messages", k, i18n.Number(float64(pv.Problems[k]))))
	}
	for _, k := range sortedKeys(pv.Notes) {
		lines = append(lines, i18n.T("· %s: %s messages", k, i18n.Number(float64(pv.Notes[k]))))
	}
	if pv.ChecksSkipped != "" {
		lines = append(lines, pv.ChecksSkipped)
	}
	return strings.Join(lines, "\n")
}
