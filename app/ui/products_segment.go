package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/segment"
)

// segmentButtons make a segment of a product's likely buyers; the result
// offers a campaign to it.
func (a *productActions) segmentButtons() []*widget.Button {
	return []*widget.Button{{Text: i18n.T("Make a segment of likely buyers…"), Icon: theme.AccountIcon(), OnTapped: func() {
		if id, name := a.selected(); id != "" {
			a.s.chooseBuyersSegment(id, name)
		}
	}}}
}

// chooseBuyersSegment asks how many customers and the segment's name.
func (s *productsScreen) chooseBuyersSegment(id, name string) {
	if s.rec == nil {
		dialog.ShowInformation(i18n.T("Make a segment of likely buyers"), i18n.T("Train a recommender first: press Train at the top of this screen."), s.p.win)
		return
	}
	label := productLabel(id, name)
	top := &widget.Entry{Text: "500"}
	top.ExtendBaseWidget(top)
	segName := &widget.Entry{Text: i18n.T("Likely buyers of %s", firstNonEmpty(name, id))}
	segName.ExtendBaseWidget(segName)
	msg := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	msg.Hide()
	about := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("The customers who have not bought %s yet and are most likely to, from what they bought. "+
		"The segment keeps exactly these customers until you make it again.", label)}
	items := []*widget.FormItem{
		{Text: i18n.T("Customers"), Widget: top},
		{Text: i18n.T("Segment name"), Widget: segName},
		{Text: "", Widget: about},
		{Text: "", Widget: msg},
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(i18n.T("Make a segment of likely buyers"), i18n.T("Make segment"), i18n.T("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(top.Text))
		nm := strings.TrimSpace(segName.Text)
		switch {
		case err != nil || n < 1:
			msg.SetText(i18n.T("Customers is how many to keep: a whole number of at least 1."))
		case nm == "":
			msg.SetText(i18n.T("Give the segment a name."))
		default:
			s.saveBuyersSegment(id, label, n, nm)
			return
		}
		msg.Show()
		d.Show()
	}, s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// saveBuyersSegment saves the segment and offers to use it.
func (s *productsScreen) saveBuyersSegment(id, label string, top int, name string) {
	var sg *segment.Segment
	s.p.run(i18n.T("Finding the likely buyers of %s…", label), func(ctx context.Context, progress core.Progress) error {
		var err error
		sg, err = s.p.ws.SaveBuyersSegment(ctx, core.DefaultRecommender, id, top, name)
		return err
	}, func(err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		s.lastSegment = sg
		s.p.setStatus(i18n.T("Saved segment %q: %s customers", sg.Name, i18n.Number(float64(sg.Size))))
		s.best.loadSegments() // offer the new segment there too
		if s.p.segments.loaded {
			s.p.segments.refresh()
		}
		body := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Saved the segment %q: the %s customers most likely to buy %s. "+
			"It is on the Segments screen, and a campaign can take it as its audience.", sg.Name, i18n.Number(float64(sg.Size)), label)}
		var d *dialog.CustomDialog
		use := &widget.Button{Text: i18n.T("Use in a campaign"), Importance: widget.HighImportance, OnTapped: func() {
			d.Hide()
			s.p.campaigns.startWith(sg.Name, "")
		}}
		d = dialog.NewCustomWithoutButtons(i18n.T("Segment saved"), body, s.p.win)
		d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), OnTapped: func() { d.Hide() }}, use})
		d.Resize(fyne.NewSize(560, 0))
		d.Show()
	})
}
