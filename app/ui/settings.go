package ui

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// auditRows is how much of the audit log the screen shows.
const auditRows = 500

// settingsScreen shows where the project lives and its audit log: every
// change to user data, newest first.
type settingsScreen struct {
	p       *project
	req     latest
	audit   *grid
	policy  *policyPanel
	creds   *credentialsPanel
	info    *widget.Label
	content fyne.CanvasObject
}

func newSettingsScreen(p *project) *settingsScreen {
	s := &settingsScreen{p: p, audit: newGrid()}
	config := i18n.T("(unknown)")
	if dir, err := os.UserConfigDir(); err == nil {
		config = filepath.Join(dir, "marketbench")
	}
	value := func(t string) *widget.Label {
		return &widget.Label{Text: t, Selectable: true, Truncation: fyne.TextTruncateEllipsis}
	}
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("Project"), value(p.ws.Name())),
		widget.NewFormItem(i18n.T("Project file"), value(p.ws.FilePath())),
		widget.NewFormItem(i18n.T("Data folder"), value(filepath.Dir(p.ws.FilePath()))),
		widget.NewFormItem(i18n.T("Format version"), value(strconv.Itoa(storage.Version()))),
		widget.NewFormItem(i18n.T("App settings"), value(config)),
		widget.NewFormItem(i18n.T("Language"), p.w.languageSelect()),
		widget.NewFormItem(i18n.T("Currency"), s.currencySelect()),
	)
	s.info = &widget.Label{Text: i18n.T("Audit log: every change to your data, newest first."), TextStyle: fyne.TextStyle{Bold: true}}
	refresh := &widget.Button{Text: i18n.T("Refresh"), Icon: theme.ViewRefreshIcon(), OnTapped: s.refresh}
	// The settings scroll and share the height with the audit log, so a
	// 700-pixel window shows both.
	s.policy = newPolicyPanel(s)
	s.creds = newCredentialsPanel(s)
	top := container.NewVScroll(container.NewVBox(form, widget.NewSeparator(), s.policy.content, widget.NewSeparator(), s.creds.content,
		widget.NewSeparator(), s.llmForm()))
	audit := container.NewBorder(container.NewBorder(nil, nil, nil, refresh, s.info), nil, nil, nil, s.audit.table)
	split := container.NewVSplit(top, audit)
	split.Offset = 0.6
	s.content = split
	return s
}

// visit reloads what may have changed since the last visit: the contact
// policy and the saved credentials (the CLI can set them) and the audit
// log.
func (s *settingsScreen) visit() {
	s.policy.load()
	s.creds.load()
	s.refresh()
}

// refresh reloads the audit log; it runs on every visit because imports,
// cleaning and RFM add entries.
func (s *settingsScreen) refresh() {
	ctx := s.req.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]storage.AuditEntry, error) {
		return s.p.ws.AuditLog(ctx, auditRows)
	}, func(log []storage.AuditEntry, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.p.showError(err)
			return
		}
		count := func(n sql.NullInt64) string {
			if !n.Valid {
				return ""
			}
			return chart.Number(float64(n.Int64))
		}
		var rows [][]string
		for _, e := range log {
			rows = append(rows, []string{e.At.Local().Format("2006-01-02 15:04:05"), i18n.T(e.Action), e.Target,
				count(e.RowsBefore), count(e.RowsAfter), e.Who, e.Detail})
		}
		s.audit.set([]string{i18n.T("When"), i18n.T("Action"), i18n.T("Target"), i18n.T("Rows before"), i18n.T("Rows after"), i18n.T("Who"), i18n.T("Detail")},
			[]string{"", "", "", "BIGINT", "BIGINT", "", ""}, rows)
		if len(log) == 0 {
			s.info.SetText(i18n.T("Audit log: no changes yet."))
		}
	})
}

// llmForm holds the copywriting settings: the local Ollama server and
// model, with a connection test that lists the installed models.
func (s *settingsScreen) llmForm() fyne.CanvasObject {
	cur, _ := core.LoadLLMSettings()
	url := &widget.Entry{Text: cur.URL, PlaceHolder: i18n.T("http://localhost:11434 (or $OLLAMA_HOST)")}
	mdl := &widget.Entry{Text: cur.Model, PlaceHolder: "llama3.2"} // i18n:keep
	status := &widget.Label{Wrapping: fyne.TextWrapWord}
	save := &widget.Button{Text: i18n.T("Save"), Icon: theme.DocumentSaveIcon(), OnTapped: func() {
		if err := core.SaveLLMSettings(core.LLMSettings{URL: url.Text, Model: mdl.Text}); err != nil {
			s.p.showError(err)
			return
		}
		status.SetText(i18n.T("Saved."))
	}}
	test := &widget.Button{Text: i18n.T("Test connection"), Icon: theme.SearchIcon()}
	test.OnTapped = func() {
		test.Disable()
		status.SetText(i18n.T("Asking the language model server…"))
		u := url.Text
		ctx, cancel := context.WithTimeout(s.p.ctx, 10*time.Second)
		async(s.p, ctx, func(ctx context.Context) (*core.ModelList, error) {
			return core.CopyModels(ctx, u)
		}, func(list *core.ModelList, err error) {
			cancel()
			test.Enable()
			if err != nil {
				status.SetText(i18n.Error(err))
				return
			}
			var names []string
			for _, m := range list.Models {
				names = append(names, m.Name)
			}
			if len(names) == 0 {
				status.SetText(i18n.T("Connected to %s, but no model is installed: run  ollama pull llama3.2", list.URL))
				return
			}
			status.SetText(i18n.T("Connected to %s. Installed models: %s", list.URL, strings.Join(names, ", ")))
		})
	}
	title := &widget.Label{Text: i18n.T("Copywriting with a local language model (Ollama)"), TextStyle: fyne.TextStyle{Bold: true}}
	f := widget.NewForm(widget.NewFormItem(i18n.T("Server"), url), widget.NewFormItem(i18n.T("Model"), mdl))
	return container.NewVBox(title, f, container.NewHBox(test, save), status)
}

// currencySelect chooses the project's currency, used for amounts in charts
// and tables.
func (s *settingsScreen) currencySelect() *widget.Select {
	var labels []string
	for _, c := range i18n.Currencies {
		labels = append(labels, c.Code+"  "+c.Symbol)
	}
	sel := widget.NewSelect(labels, nil)
	// The project's currency was read when it opened; no query here, on
	// the UI goroutine.
	for i, c := range i18n.Currencies {
		if c.Code == s.p.currency {
			sel.SetSelectedIndex(i)
		}
	}
	sel.OnChanged = func(string) {
		i := sel.SelectedIndex()
		if i < 0 || i18n.Currencies[i].Code == s.p.currency {
			return
		}
		code := i18n.Currencies[i].Code
		async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.p.ws.SetCurrency(ctx, code)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.p.showError(err)
				return
			}
			s.p.currency = code
			s.p.setStatus(i18n.T("Amounts are now shown in %s.", code))
			s.refresh()
		})
	}
	return sel
}
