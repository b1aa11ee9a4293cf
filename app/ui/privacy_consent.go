package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
)

// tabConsent names the Consent tab (selectTab takes the English names).
var tabConsent = i18n.Mark("Consent")

// consentTabs are the screens' Consent tabs (UI goroutine only): the
// screen has no field for each capability's tab.
var consentTabs = map[*privacyScreen]*consentTab{}

func init() {
	registerPrivacyTab(privacyTab{order: 50, name: tabConsent,
		build: func(s *privacyScreen) fyne.CanvasObject {
			for k, v := range consentTabs {
				if v.p.ctx.Err() != nil { // its project is closed
					delete(consentTabs, k)
				}
			}
			t := newConsentTab(s.p)
			consentTabs[s] = t
			return t.content
		},
		shown: func(s *privacyScreen) {
			if t := consentTabs[s]; t != nil {
				t.loadTotals()
			}
		}})
}

// consentTab looks up a customer's consent history, imports consent
// records with their provenance and counts the changes per channel and
// source.
type consentTab struct {
	p       *project
	who     *widget.Entry
	summary *widget.Label
	history *grid
	totals  *grid
	empty   *widget.Label
	content fyne.CanvasObject
}

func newConsentTab(p *project) *consentTab {
	t := &consentTab{p: p, history: newGrid(), totals: newGrid()}
	t.who = &widget.Entry{PlaceHolder: i18n.T("Customer id, e-mail or phone")}
	t.who.OnSubmitted = func(string) { t.lookUp() }
	t.summary = &widget.Label{Text: i18n.T("Look up a customer to see each consent change with its time, source and proof."), Wrapping: fyne.TextWrapWord}
	t.empty = &widget.Label{Text: i18n.T("No consent changes are recorded yet. Importing a customer table with a consent column records them, and so does importing consent records."),
		Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true}}
	look := &widget.Button{Text: i18n.T("Look up"), Icon: theme.SearchIcon(), OnTapped: t.lookUp}
	imp := &widget.Button{Text: i18n.T("Import consent records…"), Icon: theme.UploadIcon(), Importance: widget.HighImportance, OnTapped: func() { t.chooseImport() }}
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel(i18n.T("Customer")), look, t.who), t.summary)
	upper := container.NewBorder(top, nil, nil, nil, t.history.table)
	head := container.NewBorder(nil, nil, &widget.Label{Text: i18n.T("Changes per channel and source"), TextStyle: fyne.TextStyle{Bold: true}}, imp)
	lower := container.NewBorder(container.NewVBox(head, t.empty), nil, nil, nil, t.totals.table)
	split := container.NewVSplit(upper, lower)
	split.SetOffset(0.55)
	t.content = container.NewPadded(split)
	return t
}

func consentWord(g bool) string {
	if g {
		return i18n.T("given")
	}
	return i18n.T("withdrawn")
}

func when(e consent.Event) string { return e.At.Local().Format("2006-01-02 15:04") }

// lookUp shows the customer's history: a customer id, else an e-mail
// (with @), else a phone.
func (t *consentTab) lookUp() {
	q := strings.TrimSpace(t.who.Text)
	if q == "" {
		t.summary.SetText(i18n.T("Type a customer id, an e-mail or a phone."))
		return
	}
	type found struct {
		ids    []string
		events []consent.Event
	}
	async(t.p, t.p.ctx, func(ctx context.Context) (found, error) {
		ws := t.p.ws
		ids, ev, err := ws.ConsentHistory(ctx, q, "", "")
		if err == nil && len(ev) > 0 {
			return found{ids, ev}, nil
		}
		if strings.Contains(q, "@") {
			ids, ev, err = ws.ConsentHistory(ctx, "", q, "")
		} else if consent.NormPhone(q) != "" && len(consent.NormPhone(q)) >= 6 {
			if ids2, ev2, err2 := ws.ConsentHistory(ctx, "", "", q); err2 == nil && len(ev2) > 0 {
				ids, ev, err = ids2, ev2, nil
			}
		}
		return found{ids, ev}, err
	}, func(f found, err error) {
		if err != nil {
			t.summary.SetText(i18n.Error(err))
			t.history.clear()
			return
		}
		t.showHistory(f.ids, f.events)
	})
}

func (t *consentTab) showHistory(ids []string, events []consent.Event) {
	if len(events) == 0 {
		t.summary.SetText(i18n.T("No consent changes are recorded for %s.", strings.Join(ids, ", ")))
		t.history.clear()
		return
	}
	var now []string
	for _, id := range ids {
		var mine []consent.Event
		for _, e := range events {
			if e.CustomerID == id {
				mine = append(mine, e)
			}
		}
		cur := consent.Current(mine)
		for _, ch := range consent.Channels {
			if e, ok := cur[ch]; ok {
				now = append(now, i18n.T("%s %s (%s, %s)", core.ConsentChannelName(ch), consentWord(e.Granted), when(e), e.Source))
			}
		}
		if len(now) > 0 {
			now[0] = id + ": " + now[0]
		}
	}
	t.summary.SetText(i18n.T("Consent now — %s", strings.Join(now, "; ")))
	var rows [][]string
	for _, e := range events {
		rows = append(rows, []string{e.CustomerID, core.ConsentChannelName(e.Channel), consentWord(e.Granted), when(e), e.Source, e.Proof,
			e.RecordedAt.Local().Format("2006-01-02 15:04")})
	}
	t.history.set([]string{i18n.T("Customer"), i18n.T("Channel"), i18n.T("Consent"), i18n.T("When"), i18n.T("Source"), i18n.T("Proof"), i18n.T("Recorded")}, nil, rows)
}

// loadTotals counts the changes per channel and source.
func (t *consentTab) loadTotals() {
	async(t.p, t.p.ctx, t.p.ws.ConsentTotals, func(tot []consent.Total, err error) {
		if err != nil {
			t.p.showError(err)
			return
		}
		t.empty.Hidden = len(tot) > 0
		t.empty.Refresh()
		var rows [][]string
		for _, x := range tot {
			rows = append(rows, []string{core.ConsentChannelName(x.Channel), x.Source, strconv.FormatInt(x.Events, 10), strconv.FormatInt(x.Granted, 10),
				strconv.FormatInt(x.Withdrawn, 10), strconv.FormatInt(x.Customers, 10), x.Last.Local().Format("2006-01-02")})
		}
		t.totals.set([]string{i18n.T("Channel"), i18n.T("Source"), i18n.T("Changes"), i18n.T("Given"), i18n.T("Withdrawn"), i18n.T("Customers"), i18n.T("Latest")},
			[]string{"VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "DATE"}, rows)
	})
}

// consentImport is the dialog that checks a consent file and imports it.
type consentImport struct {
	t       *consentTab
	path    *escapeEntry
	source  *widget.Entry
	channel *widget.Select
	report  *widget.Label
	bad     *grid
	badBox  fyne.CanvasObject
	confirm *widget.Button
	d       *dialog.CustomDialog
	req     latest
}

// consentChannels are the channel select's options: the file's own column
// first.
var consentChannels = []storage.Role{"", storage.EmailConsent, storage.SMSConsent, storage.WeChatFollower, storage.PushOptIn}

func consentChannelChoice(r storage.Role) string {
	if r == "" {
		return i18n.T("From the file")
	}
	return core.ConsentChannelName(r)
}

func (t *consentTab) chooseImport() *consentImport {
	ci := &consentImport{t: t, path: newEscapeEntry(t.p.win), source: &widget.Entry{}, bad: newGrid()}
	ci.path.PlaceHolder = i18n.T("Type or paste the path of a CSV or Excel file")
	ci.path.OnSubmitted = func(string) { ci.check() }
	ci.source.PlaceHolder = i18n.T("Where these records come from, e.g. web form, signup-2026-11.csv")
	var names []string
	for _, r := range consentChannels {
		names = append(names, consentChannelChoice(r))
	}
	ci.channel = widget.NewSelect(names, nil)
	ci.channel.SetSelectedIndex(0)
	ci.channel.OnChanged = func(string) { ci.check() }
	ci.report = &widget.Label{Text: i18n.T("Choose a file: its rows are checked before anything is recorded."), Wrapping: fyne.TextWrapWord}
	browse := &widget.Button{Text: i18n.T("Browse…"), Icon: theme.FolderOpenIcon(), OnTapped: func() {
		t.p.pickFile(suffixFilter([]string{".csv", ".tsv", ".txt", ".xlsx"}), func(f string) {
			ci.path.SetText(f)
			ci.check()
		})
	}}
	ci.confirm = &widget.Button{Text: i18n.T("Import"), Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: ci.run}
	ci.confirm.Disable()
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("File"), container.NewBorder(nil, nil, nil, browse, ci.path)),
		widget.NewFormItem(i18n.T("Source"), ci.source),
		widget.NewFormItem(i18n.T("Channel"), ci.channel))
	ci.badBox = container.NewGridWrap(fyne.NewSize(600, 160), ci.bad.table)
	ci.badBox.Hide()
	body := container.NewVBox(form, widget.NewSeparator(), ci.report, ci.badBox)
	ci.d = dialog.NewCustomWithoutButtons(i18n.T("Import consent records"), body, t.p.win)
	ci.d.SetButtons([]fyne.CanvasObject{
		&widget.Button{Text: i18n.T("Check file"), Icon: theme.ViewRefreshIcon(), OnTapped: ci.check},
		&widget.Button{Text: i18n.T("Cancel"), Icon: theme.CancelIcon(), OnTapped: ci.d.Hide}, ci.confirm})
	ci.d.Resize(fyne.NewSize(660, 0))
	ci.d.Show()
	onEscape(t.p.win, ci.d.Hide)
	return ci
}

func (ci *consentImport) options() (string, core.ConsentFileOptions) {
	path := strings.TrimSpace(ci.path.Text)
	opt := core.ConsentFileOptions{Source: strings.TrimSpace(ci.source.Text)}
	if i := ci.channel.SelectedIndex(); i > 0 {
		opt.Channel = consentChannels[i]
	}
	return path, opt
}

// check previews the file: what importing it would record, or its bad rows.
func (ci *consentImport) check() {
	path, opt := ci.options()
	ci.confirm.Disable()
	if path == "" {
		return
	}
	if ci.source.Text == "" {
		ci.source.SetText(core.DefaultConsentSource(path))
	}
	ci.report.SetText(i18n.T("Checking %s…", filepath.Base(path)))
	ctx := ci.req.start(ci.t.p.ctx)
	async(ci.t.p, ctx, func(ctx context.Context) (*core.ConsentImport, error) {
		return ci.t.p.ws.PreviewConsentImport(ctx, path, opt)
	}, func(pv *core.ConsentImport, err error) {
		if ctx.Err() != nil {
			return
		}
		ci.badBox.Hide()
		if err != nil {
			ci.report.SetText(i18n.Error(err))
			return
		}
		c := pv.Columns
		head := i18n.T("%d row(s); customer by %s (column %q), consent from column %q.", pv.Rows, consent.KindWord(c.KeyKind), c.Key, c.Granted)
		if len(pv.Bad) > 0 {
			ci.report.SetText(head + "\n" + i18n.T("%d row(s) cannot be recorded; fix them and check again. Nothing is recorded until every row is good.", len(pv.Bad)))
			var rows [][]string
			for _, b := range pv.Bad {
				rows = append(rows, []string{strconv.Itoa(b.Row), b.Reason})
			}
			ci.bad.set([]string{i18n.T("Row"), i18n.T("Problem")}, []string{"BIGINT", "VARCHAR"}, rows)
			ci.badBox.Show()
			return
		}
		r := pv.Result
		msg := head + "\n" + i18n.T("Importing records %d change(s): %d given, %d withdrawn; %d already recorded; %d customer row(s) updated.",
			r.Added, r.Granted, r.Withdrawn, r.Duplicates, r.Updated)
		if r.Superseded > 0 {
			msg += "\n" + i18n.T("%d of them are older than a change already recorded for that customer and channel: they are kept in the history, and the later change stays the consent.", r.Superseded)
		}
		ci.report.SetText(msg)
		if r.Added > 0 {
			ci.confirm.Enable()
		}
	})
}

func (ci *consentImport) run() {
	path, opt := ci.options()
	var res *core.ConsentImport
	ci.d.Hide()
	ci.t.p.run(i18n.T("Importing consent records"), func(ctx context.Context, _ core.Progress) error {
		var err error
		res, err = ci.t.p.ws.ImportConsent(ctx, path, opt)
		return err
	}, func(err error) {
		if err != nil {
			ci.t.p.showError(err)
			return
		}
		r := res.Result
		ci.t.p.setStatus(i18n.T("Recorded %d consent change(s) from %s: %d given, %d withdrawn.", r.Added, filepath.Base(path), r.Granted, r.Withdrawn))
		ci.t.loadTotals()
		if strings.TrimSpace(ci.t.who.Text) != "" {
			ci.t.lookUp()
		}
	})
}
