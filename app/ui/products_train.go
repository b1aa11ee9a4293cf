package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// The screen trains and uses one recommender, core.DefaultRecommender;
// the CLI can keep others under their own names.

// trainMethods are the methods the Train dialog offers (English; shown
// translated through methodName).
var trainMethods = []string{core.MethodItemKNN, core.MethodALS}

// loadRecommender reads the trained recommender's description, if any.
func (s *productsScreen) loadRecommender() {
	ctx := s.recRq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]core.RecommenderInfo, error) {
		return s.p.ws.Recommenders(ctx)
	}, func(list []core.RecommenderInfo, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.p.showError(err)
			return
		}
		s.rec = nil
		for i := range list {
			if list[i].Name == core.DefaultRecommender {
				s.rec = &list[i]
			}
		}
		s.showRecommender()
	})
}

// showRecommender says which recommender the tabs use.
func (s *productsScreen) showRecommender() {
	r := s.rec
	switch {
	case r == nil:
		s.recInfo.SetText(i18n.T("No recommender yet: press Train to learn from the orders which products go together."))
	case s.table() != "" && r.Orders != s.table():
		s.recInfo.SetText(i18n.T("The recommender learned from %s, not %s; press Train to learn from %s.", r.Orders, s.table(), s.table()))
	default:
		s.recInfo.SetText(i18n.T("Recommender: %s, trained on %s (%s customers, %s products) on %s.", methodName(r.Method), r.Orders,
			i18n.Number(float64(r.Customers)), i18n.Number(float64(r.Products)), i18n.DateTime(r.TrainedAt.Local())))
	}
}

// needRecommender says what to do when nothing is trained yet; it returns
// true then.
func (s *productsScreen) needRecommender(info *widget.Label) bool {
	if s.rec != nil {
		return false
	}
	info.SetText(i18n.T("Train a recommender first: press Train at the top of this screen."))
	return true
}

// chooseTrain asks for the method and trains the recommender on the chosen
// order table.
func (s *productsScreen) chooseTrain() {
	if s.needTable(s.recInfo) {
		return
	}
	var labels []string
	for _, m := range trainMethods {
		labels = append(labels, methodName(m))
	}
	method := widget.NewRadioGroup(labels, nil)
	method.SetSelected(labels[0])
	about := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Item-kNN recommends products bought by the customers who bought the same products, " +
		"and says which of them led to each; it did best on Online Retail and is quick. ALS finds hidden tastes and suits very large catalogues, but is slower and its reasons are general.")}
	items := []*widget.FormItem{{Text: i18n.T("Method"), Widget: method}, {Text: "", Widget: about}}
	d := dialog.NewForm(i18n.T("Train a recommender on %s", s.table()), i18n.T("Train"), i18n.T("Cancel"), items, func(ok bool) {
		if ok {
			m := trainMethods[max(0, indexOf(labels, method.Selected))]
			s.train(m)
		}
	}, s.p.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// train trains and keeps the recommender, with progress and Cancel.
func (s *productsScreen) train(method string) {
	table := s.table()
	var info *core.RecommenderInfo
	s.trainBtn.Disable()
	s.p.run(i18n.T("Training the recommender…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		info, err = s.p.ws.TrainRecommender(ctx, table, method, core.DefaultRecommender, progress)
		return err
	}, func(err error) {
		s.trainBtn.Enable()
		if err != nil {
			s.p.showError(err)
			return
		}
		s.rec = info
		s.showRecommender()
		s.p.setStatus(i18n.T("Trained the recommender on %s: %s customers, %s products, %s purchases.", info.Orders,
			i18n.Number(float64(info.Customers)), i18n.Number(float64(info.Products)), i18n.Number(float64(info.Purchases))))
		s.similar.clear()
		s.customer.clear()
	})
}

// chooseScore asks how to fill the recommendations table, then fills it.
func (s *productsScreen) chooseScore() {
	if s.rec == nil {
		dialog.ShowInformation(i18n.T("Score all customers"), i18n.T("Train a recommender first: press Train at the top of this screen."), s.p.win)
		return
	}
	top := &widget.Entry{Text: "10"}
	top.ExtendBaseWidget(top)
	keep := widget.NewCheck(i18n.T("Also offer products the customer already bought (consumables)"), nil)
	link := &widget.Entry{PlaceHolder: i18n.T("optional, e.g. https://shop.example/p/{product_id}")}
	link.ExtendBaseWidget(link)
	msg := &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	msg.Hide()
	about := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Writes the table %s: each customer's top products with a reason in words. "+
		"Campaign templates use them as {{.rec1_name}}, {{.rec1_link}} and {{.rec1_reason}} (and rec2, rec3); segment rules as top_recommendation.", "recommendations")}
	items := []*widget.FormItem{
		{Text: i18n.T("Products per customer"), Widget: top},
		{Text: "", Widget: keep},
		{Text: i18n.T("Link pattern"), Widget: link, HintText: i18n.T("{product_id} is replaced by the product's id")},
		{Text: "", Widget: about},
		{Text: "", Widget: msg},
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(i18n.T("Score all customers"), i18n.T("Score"), i18n.T("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(top.Text))
		if err != nil || n < 1 || n > 1000 {
			msg.SetText(i18n.T("Products per customer is a whole number from 1 to 1,000."))
			msg.Show()
			d.Show()
			return
		}
		s.score(core.ScoreOptions{Name: core.DefaultRecommender, Top: n, KeepBought: keep.Checked, Link: strings.TrimSpace(link.Text)})
	}, s.p.win)
	d.Resize(fyne.NewSize(620, 0))
	d.Show()
}

// score writes the recommendations table and reports it in words.
func (s *productsScreen) score(opt core.ScoreOptions) {
	var rep *core.ScoreReport
	s.scoreBtn.Disable()
	s.p.run(i18n.T("Scoring all customers…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = s.p.ws.ScoreRecommendations(ctx, opt, progress)
		return err
	}, func(err error) {
		s.scoreBtn.Enable()
		if err != nil {
			s.p.showError(err)
			return
		}
		s.scored = rep
		text := i18n.T("Wrote %s recommendations for %s customers into the table %s.", i18n.Number(float64(rep.Rows)),
			i18n.Number(float64(rep.Customers)), rep.Table)
		if rep.Filled > 0 {
			text += " " + i18n.T("%s customers with too little history were topped up with best sellers.", i18n.Number(float64(rep.Filled)))
		}
		if rep.OnlyReturns > 0 {
			text += " " + i18n.T("%s customers with only returns or cancelled orders got none.", i18n.Number(float64(rep.OnlyReturns)))
		}
		s.p.setStatus(text)
		s.p.refreshTables("")
		body := &widget.Label{Wrapping: fyne.TextWrapWord, Text: text + "\n\n" +
			i18n.T("Use them in a campaign: its message can list each customer's top three products with {{.rec1_name}}, {{.rec2_name}} and {{.rec3_name}}.")}
		var d *dialog.CustomDialog
		use := &widget.Button{Text: i18n.T("Use in a campaign"), Importance: widget.HighImportance, OnTapped: func() {
			d.Hide()
			s.p.campaigns.startWith("", recSnippet())
		}}
		d = dialog.NewCustomWithoutButtons(i18n.T("Recommendations written"), body, s.p.win)
		d.SetButtons([]fyne.CanvasObject{&widget.Button{Text: i18n.T("Close"), OnTapped: func() { d.Hide() }}, use})
		d.Resize(fyne.NewSize(560, 0))
		d.Show()
	})
}

// recSnippet is a message part that lists a customer's top three
// recommendations with links and reasons (fields of the recommendations
// table that campaign templates know).
func recSnippet() string {
	return i18n.T("Picked for you:\n"+
		"• {{.rec1_name}} ({{.rec1_reason}}) {{.rec1_link}}\n"+
		"• {{.rec2_name}} {{.rec2_link}}\n"+
		"• {{.rec3_name}} {{.rec3_link}}") + "\n"
}
