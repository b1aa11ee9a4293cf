package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

var themesAuto = i18n.Mark("Automatic")

// themesView is the Text screen's Themes tab: texts grouped by meaning,
// each theme with its size, sentiment and keywords; a theme's row shows
// its typical texts.
type themesView struct {
	s         *textScreen
	k         *widget.Select
	allowText *widget.Check
	offline   *widget.Check
	save      *widget.Check
	btn       *widget.Button
	info      *widget.Label
	grid      *grid
	chart     *chartView
	chartReq  latest
	examples  *widget.Label
	res       *core.ThemesResult
}

func (s *textScreen) themesTab() fyne.CanvasObject {
	v := &themesView{s: s, grid: newGrid(), chart: newChartView()}
	s.themes = v
	ks := []string{i18n.T(themesAuto)}
	for k := 2; k <= 12; k++ {
		ks = append(ks, strconv.Itoa(k))
	}
	v.k = widget.NewSelect(ks, nil)
	v.k.SetSelected(ks[0])
	v.allowText = widget.NewCheck(i18n.T("Let the model read typical texts to name the themes (this run only)"), nil)
	v.offline = widget.NewCheck(i18n.T("Offline (keywords, no Ollama)"), func(on bool) {
		if on {
			v.allowText.Disable()
		} else {
			v.allowText.Enable()
		}
	})
	v.save = widget.NewCheck(i18n.T("Save each row's theme"), nil)
	v.btn = &widget.Button{Text: i18n.T("Find themes"), Icon: theme.SearchIcon(), Importance: widget.HighImportance, OnTapped: v.run}
	form := newFlow(captioned(i18n.T("Themes"), fixedWidth(130, v.k)), v.offline, v.save, v.btn)
	v.info = &widget.Label{Text: i18n.T(themesNote), Wrapping: fyne.TextWrapWord}
	v.examples = &widget.Label{Text: i18n.T("Choose a theme to read its typical texts."), Wrapping: fyne.TextWrapWord}
	v.grid.onSelect = v.showExamples
	v.chart.message(i18n.T("Find themes to draw their sizes."))
	right := container.NewVSplit(v.chart.content, container.NewVScroll(v.examples))
	right.Offset = 0.55
	split := container.NewHSplit(v.grid.table, right)
	split.Offset = 0.6
	return container.NewBorder(container.NewVBox(form, v.allowText, v.info, widget.NewSeparator()), nil, nil, nil, split)
}

var themesNote = i18n.Mark("Groups the texts by meaning. With Ollama, the local embedding model reads the texts (they stay on this computer) " +
	"and the chat model names each theme from its keywords; without Ollama the themes come from keywords (TF-IDF). " +
	"Sentiment is the built-in model's mean probability of positive (0 to 1).")

// clear forgets the themes of another column.
func (v *themesView) clear() {
	v.res = nil
	v.grid.clear()
	v.info.SetText(i18n.T(themesNote))
	v.examples.SetText(i18n.T("Choose a theme to read its typical texts."))
	v.chart.message(i18n.T("Find themes to draw their sizes."))
}

func (v *themesView) run() {
	r := core.ThemesRequest{Table: v.s.tableSel.Selected, Column: v.s.colSel.Selected,
		Offline: v.offline.Checked, AllowText: v.allowText.Checked && !v.offline.Checked, Save: v.save.Checked}
	if r.Table == "" || r.Column == "" {
		return
	}
	if v.k.Selected != i18n.T(themesAuto) {
		r.K, _ = strconv.Atoi(v.k.Selected)
	}
	var res *core.ThemesResult
	v.btn.Disable()
	v.s.p.run(i18n.T("Finding themes…"), func(ctx context.Context, progress core.Progress) error {
		var err error
		res, err = v.s.p.ws.Themes(ctx, r, progress)
		return err
	}, func(err error) {
		v.s.setEnabled()
		if err != nil {
			v.s.p.showError(err)
			return
		}
		v.show(res)
		if r.Save {
			v.s.p.setStatus(i18n.T("Themes of %s.%s stored in %s and %s", r.Table, r.Column, res.Saved[0], res.Saved[1]))
			v.s.p.refreshTables("")
		}
	})
}

func (v *themesView) show(res *core.ThemesResult) {
	v.res = res
	method := i18n.T("offline keywords (TF-IDF) and k-means")
	if res.Method == core.ThemesEmbeddings {
		method = i18n.T("embeddings by %s (local Ollama) and k-means", res.EmbedModel)
	}
	lines := []string{i18n.T("%d themes in %s texts; method: %s.", res.K, i18n.Number(float64(res.Rows)), method)}
	if res.NameModel != "" {
		if res.TextSent {
			lines = append(lines, i18n.T("Named by %s from keywords and typical texts (allowed for this run).", res.NameModel))
		} else {
			lines = append(lines, i18n.T("Named by %s from keywords only; no text was sent to it.", res.NameModel))
		}
	}
	lines = append(lines, res.Notes...)
	v.info.SetText(strings.Join(lines, "\n"))
	var rows [][]string
	var bars []chart.Bar
	for _, th := range res.Themes {
		rows = append(rows, []string{strconv.Itoa(th.ID), th.Name, i18n.Number(float64(th.Size)), i18n.Percent(1, th.Share),
			fmt.Sprintf("%.2f", th.Sentiment), strings.Join(th.Keywords, ", ")})
		bars = append(bars, chart.Bar{Label: th.Name, Value: float64(th.Size), Note: i18n.Percent(1, th.Share)})
	}
	v.grid.set([]string{"#", i18n.T("Theme"), i18n.T("Texts"), i18n.T("Share"), i18n.T("Sentiment"), i18n.T("Keywords")},
		[]string{"BIGINT", "", "BIGINT", "DOUBLE", "DOUBLE", ""}, rows)
	v.examples.SetText(i18n.T("Choose a theme to read its typical texts."))
	title := i18n.T("Themes of %s", res.Column)
	showPlot(v.s.p, v.chart, &v.chartReq, res.Table+"-"+res.Column+"-themes", func() (*plot.Plot, error) {
		return chart.Bars(title, i18n.T("texts"), bars)
	})
}

// showExamples shows the typical texts of the theme in row.
func (v *themesView) showExamples(row int) {
	if v.res == nil || row >= len(v.res.Themes) {
		return
	}
	th := v.res.Themes[row]
	var b strings.Builder
	b.WriteString(i18n.T("%s — %s texts, sentiment %.2f (%s positive, %s negative). Typical texts:",
		th.Name, i18n.Number(float64(th.Size)), th.Sentiment, i18n.Percent(1, th.Positive), i18n.Percent(1, th.Negative)))
	for i, t := range th.ExampleTexts {
		fmt.Fprintf(&b, "\n\n%s %d: %s", i18n.T("Row"), th.Examples[i], t)
	}
	v.examples.SetText(b.String())
}
