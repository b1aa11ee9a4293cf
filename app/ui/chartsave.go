package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// chartFormats are the files a chart can be saved as, by extension.
var chartFormats = []string{".png", ".svg", ".pdf"}

// saveAs asks for a name, format, folder and size, and writes the chart
// shown at that size as PNG, SVG or PDF.
func (v *chartView) saveAs() {
	p, spec := v.p, v.spec
	if p == nil {
		return
	}
	name := spec.Kind
	if spec.Column != "" {
		name = spec.Table + "-" + spec.Column
	}
	savePlot(p, name, func() (*plot.Plot, error) { return p.ws.Chart(p.ctx, spec) })
}

// savePlot is chartView.saveAs for a chart built in the UI.
func savePlot(p *project, base string, build func() (*plot.Plot, error)) {
	width := &widget.Entry{Text: "8"}
	height := &widget.Entry{Text: "5"}
	size := []*widget.FormItem{
		{Text: i18n.T("Width (inches)"), Widget: width, HintText: i18n.T("8 × 5 fits a slide; PNG is drawn at 192 dpi")},
		{Text: i18n.T("Height (inches)"), Widget: height},
	}
	p.w.chooseSaveFile(i18n.T("Save chart"), base, chartFormats, size, func(path string) {
		w, errW := strconv.ParseFloat(strings.TrimSpace(width.Text), 64)
		h, errH := strconv.ParseFloat(strings.TrimSpace(height.Text), 64)
		if errW != nil || errH != nil || w < 1 || h < 1 || w > 40 || h > 40 {
			dialog.ShowInformation(i18n.T("Save chart"), i18n.T("Width and height are inches between 1 and 40, e.g. 8 and 5."), p.win)
			return
		}
		p.run(i18n.T("Saving chart…"), func(ctx context.Context, progress core.Progress) error {
			progress(i18n.T("Drawing %s", filepath.Base(path)), -1)
			pl, err := build()
			if err != nil {
				return err
			}
			return chart.Save(pl, path, vg.Length(w)*vg.Inch, vg.Length(h)*vg.Inch)
		}, func(err error) {
			if err != nil {
				p.showError(err)
				return
			}
			p.setStatus(i18n.T("Saved the chart to %s", path))
		})
	})
}
