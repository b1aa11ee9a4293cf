package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// shortcutAsk opens the Ask panel from every screen.
var shortcutAsk = &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierShortcutDefault}

// askPanel asks the data a question in words: the local model writes the
// SQL (shown, editable, runnable), the answer is a table, a chart and a
// sentence whose numbers were checked against the table.
type askPanel struct {
	p        *project
	question *widget.Entry
	allow    *widget.Check
	askBtn   *widget.Button
	stop     *widget.Button
	status   *widget.Label
	sql      *sqlEntry
	runBtn   *widget.Button
	words    *widget.Label
	grid     *grid
	chart    *canvas.Image
	tabs     *container.AppTabs
	cancel   context.CancelFunc
	content  fyne.CanvasObject
}

func newAskPanel(p *project) *askPanel {
	a := &askPanel{p: p, grid: newGrid()}
	a.question = &widget.Entry{PlaceHolder: i18n.T("Ask about your data, e.g. Which city's customers spend the most? / 上个月各渠道的销售额是多少？"),
		OnSubmitted: func(string) { a.ask() }}
	a.allow = widget.NewCheck(i18n.T("Let the model see personal values of the result for this question (names, e-mails…)"), nil)
	a.askBtn = &widget.Button{Text: i18n.T("Ask"), Icon: theme.SearchIcon(), Importance: widget.HighImportance, OnTapped: a.ask}
	a.stop = &widget.Button{Text: i18n.T("Cancel"), Icon: theme.CancelIcon(), OnTapped: func() {
		if a.cancel != nil {
			a.cancel()
		}
	}}
	a.stop.Disable()
	a.status = &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("A local model (Ollama) writes one read-only query from your tables' names, roles and a few totals; no customer's data is sent.")}
	a.sql = newSQLEntry(a.run)
	a.sql.SetMinRowsVisible(3)
	a.sql.PlaceHolder = i18n.T("The model's SQL appears here; edit it and run it")
	a.runBtn = &widget.Button{Text: i18n.T("Run (Ctrl+Enter)"), Icon: theme.MediaPlayIcon(), OnTapped: a.run}
	a.words = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	a.chart = &canvas.Image{FillMode: canvas.ImageFillContain}
	a.chart.SetMinSize(fyne.NewSize(480, 260))
	a.tabs = container.NewAppTabs(
		container.NewTabItem(i18n.T("Table"), a.grid.table),
		container.NewTabItem(i18n.T("Chart"), a.chart))
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(a.askBtn, a.stop), a.question),
		a.allow, a.status,
		container.NewBorder(nil, nil, nil, container.NewVBox(a.runBtn), a.sql),
		a.words)
	a.content = container.NewBorder(top, nil, nil, nil, a.tabs)
	return a
}

// openAsk shows the Ask panel over the current screen.
func (p *project) openAsk() *askPanel {
	a := newAskPanel(p)
	d := dialog.NewCustom(i18n.T("Ask the data"), i18n.T("Close"), a.content, p.win)
	d.SetOnClosed(func() {
		if a.cancel != nil {
			a.cancel()
		}
	})
	size := p.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(900, size.Width-40), min(640, size.Height-40)))
	d.Show()
	onEscape(p.win, d.Hide)
	p.win.Canvas().Focus(a.question)
	return a
}

// askResult is an answer with its chart drawn off the UI goroutine.
type askResult struct {
	a   *core.AskAnswer
	img image.Image
}

func (a *askPanel) ask() {
	q := strings.TrimSpace(a.question.Text)
	if q == "" {
		return
	}
	allow := a.allow.Checked
	a.start(i18n.T("Asking the model…"), func(ctx context.Context) (*core.AskAnswer, error) {
		return a.p.ws.Ask(ctx, core.AskRequest{Question: q, AllowValues: allow})
	})
	a.allow.SetChecked(false) // allowed for this request only
}

func (a *askPanel) run() {
	q := strings.TrimSpace(a.sql.Text)
	if q == "" {
		return
	}
	question := strings.TrimSpace(a.question.Text)
	a.start(i18n.T("Running…"), func(ctx context.Context) (*core.AskAnswer, error) {
		ans, err := a.p.ws.AskSQL(ctx, q)
		if ans != nil {
			ans.Question = question // the chart's title
		}
		return ans, err
	})
}

// start runs work in the background with Cancel enabled, then shows what
// came back.
func (a *askPanel) start(msg string, work func(context.Context) (*core.AskAnswer, error)) {
	if a.cancel != nil {
		a.cancel()
	}
	ctx, cancel := context.WithCancel(a.p.ctx)
	a.cancel = cancel
	a.status.SetText(msg)
	a.status.Importance = widget.MediumImportance
	a.askBtn.Disable()
	a.runBtn.Disable()
	a.stop.Enable()
	async(a.p, ctx, func(ctx context.Context) (askResult, error) {
		ans, err := work(ctx)
		r := askResult{a: ans}
		if err == nil && ans != nil && ans.Chart != "" {
			if pl, cerr := core.AskChart(ans); cerr == nil && pl != nil {
				r.img, _ = chart.PNG(pl, 960, 480)
			}
		}
		return r, err
	}, func(r askResult, err error) {
		a.askBtn.Enable()
		a.runBtn.Enable()
		a.stop.Disable()
		switch {
		case ctx.Err() != nil:
			a.say(i18n.T("Cancelled."), widget.MediumImportance)
		case err != nil:
			var fe *core.AskFailedError
			if errors.As(err, &fe) {
				a.sql.SetText(fe.SQL)
			}
			a.say(i18n.Error(err), widget.DangerImportance)
		default:
			a.show(r)
		}
		cancel()
	})
}

func (a *askPanel) say(s string, imp widget.Importance) {
	a.status.Importance = imp
	a.status.SetText(s)
}

// show puts an answer in the panel: a question back, or the SQL, words,
// table and chart.
func (a *askPanel) show(r askResult) {
	ans := r.a
	if ans.Clarify != "" {
		a.say(i18n.T("The model asks: %s", ans.Clarify), widget.WarningImportance)
		a.words.SetText("")
		return
	}
	a.sql.SetText(ans.SQL)
	info := i18n.T("%s rows.", i18n.Number(float64(len(ans.Rows))))
	if ans.Truncated {
		info = i18n.T("First %s rows; the query returned more. Export the result to get every row.", i18n.Number(float64(len(ans.Rows))))
	}
	if len(ans.Unverified) > 0 {
		info += " " + i18n.T("Numbers marked [?] are not in the result: %s", strings.Join(ans.Unverified, ", "))
	}
	a.say(info, widget.MediumImportance)
	a.words.SetText(ans.Words)
	a.grid.setResult(askTable(ans))
	a.chart.Image = r.img
	a.chart.Refresh()
	if r.img != nil {
		a.tabs.EnableIndex(1)
	} else {
		a.tabs.SelectIndex(0)
		a.tabs.DisableIndex(1)
	}
}

// askTable is an answer as the grid shows results.
func askTable(ans *core.AskAnswer) *storage.Result {
	res := &storage.Result{Columns: ans.Columns, Types: make([]string, len(ans.Columns)), Truncated: ans.Truncated}
	for j := range ans.Columns {
		res.Types[j] = "VARCHAR"
		if len(ans.Rows) > 0 {
			switch ans.Rows[0][j].(type) {
			case int64:
				res.Types[j] = "BIGINT"
			case float64:
				res.Types[j] = "DOUBLE"
			}
		}
	}
	for _, row := range ans.Rows {
		cells := make([]string, len(row))
		for j, v := range row {
			switch x := v.(type) {
			case nil:
			case float64:
				cells[j] = storage.Format(x)
			default:
				cells[j] = fmt.Sprint(x)
			}
		}
		res.Rows = append(res.Rows, cells)
	}
	return res
}
