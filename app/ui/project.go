package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// waitClose bounds how long closing a project waits for cancelled work.
const waitClose = 5 * time.Second

// project is one open project in the window: the navigation, its screens
// and the work running for them. Its context ends when the project closes,
// so a late result never lands on another project's screens.
type project struct {
	w      *window
	ws     *core.Workspace
	win    fyne.Window
	ctx    context.Context
	cancel context.CancelFunc
	jobs   atomic.Int64 // running background work, for closing and tests

	tables   []storage.Table // last listing; UI goroutine only
	currency string          // the project's currency code (read once, kept by Settings), for amounts
	onTables []func([]storage.Table)

	nav     *widget.List
	screens []*screen
	body    *fyne.Container
	status  *widget.Label
	content fyne.CanvasObject

	data      *dataScreen
	segments  *segmentsScreen
	products  *productsScreen
	models    *modelsScreen
	value     *valueScreen
	text      *textScreen
	campaigns *campaignsScreen
	journeys  *journeysScreen
	plugins   *pluginsScreen
	privacy   *privacyScreen
	settings  *settingsScreen

	automation *automation // runs the journeys every minute while open
	sealer     *sealer     // seals a sealed project again while open (privacy_seal.go)
}

// screen is one entry of the navigation; its content is built on first
// visit so opening a project does not query for screens nobody looks at.
type screen struct {
	name  string
	key   fyne.KeyName // of its Ctrl+key shortcut, "" for none
	icon  fyne.Resource
	build func() fyne.CanvasObject
	shown func() // called on every visit, to refresh
	obj   fyne.CanvasObject
}

func newProject(w *window, ws *core.Workspace) *project {
	p := &project{w: w, ws: ws, win: w.win}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.currency = ws.Currency(p.ctx)
	p.status = &widget.Label{Text: i18n.T("Opened %s", ws.FilePath()), Truncation: fyne.TextTruncateEllipsis}

	p.data = newDataScreen(p)
	p.segments = newSegmentsScreen(p)
	p.products = newProductsScreen(p)
	p.models = newModelsScreen(p)
	p.value = newValueScreen(p)
	p.text = newTextScreen(p)
	p.plugins = newPluginsScreen(p)
	p.campaigns = newCampaignsScreen(p)
	p.journeys = newJourneysScreen(p)
	p.privacy = newPrivacyScreen(p)
	p.settings = newSettingsScreen(p)
	// Journeys sit beside Campaigns but take the next free key, Ctrl+0, so
	// the shortcuts people know keep their screens.
	p.screens = []*screen{
		{name: i18n.Mark("Data"), key: fyne.Key1, icon: theme.StorageIcon(), build: func() fyne.CanvasObject { return p.data.content }},
		{name: i18n.Mark("Segments"), key: fyne.Key2, icon: theme.AccountIcon(), build: func() fyne.CanvasObject { return p.segments.content }, shown: p.segments.shown},
		{name: i18n.Mark("Products"), key: fyne.Key3, icon: theme.ListIcon(), build: func() fyne.CanvasObject { return p.products.content }, shown: p.products.shown},
		{name: i18n.Mark("Models"), key: fyne.Key4, icon: theme.ComputerIcon(), build: func() fyne.CanvasObject { return p.models.content }, shown: p.models.shown},
		{name: i18n.Mark("Customer value"), key: fyne.Key5, icon: theme.MoveUpIcon(), build: func() fyne.CanvasObject { return p.value.content }, shown: p.value.shown},
		{name: i18n.Mark("Campaigns"), key: fyne.Key6, icon: theme.MailSendIcon(), build: func() fyne.CanvasObject { return p.campaigns.content }, shown: p.campaigns.shown},
		{name: screenJourneys, key: fyne.Key0, icon: theme.MediaReplayIcon(), build: func() fyne.CanvasObject { return p.journeys.content }, shown: p.journeys.shown},
		{name: i18n.Mark("Text"), key: fyne.Key7, icon: theme.DocumentCreateIcon(), build: func() fyne.CanvasObject { return p.text.content }, shown: p.text.shown},
		{name: i18n.Mark("Plugins"), key: fyne.Key8, icon: theme.GridIcon(), build: func() fyne.CanvasObject { return p.plugins.content }, shown: p.plugins.shown},
		{name: screenPrivacy, icon: theme.VisibilityOffIcon(), build: p.privacy.build, shown: p.privacy.shown},
		{name: screenSettings, key: fyne.Key9, icon: theme.SettingsIcon(), build: func() fyne.CanvasObject { return p.settings.content }, shown: p.settings.visit},
	}
	p.body = container.NewStack()
	longest := ""
	for _, s := range p.screens {
		if n := i18n.T(s.name); width(n) > width(longest) {
			longest = n
		}
	}
	p.nav = &widget.List{
		Length: func() int { return len(p.screens) },
		CreateItem: func() fyne.CanvasObject {
			// The template holds the longest name, which sets the list's width.
			return container.NewHBox(widget.NewIcon(theme.StorageIcon()), widget.NewLabel(longest))
		},
		UpdateItem: func(id widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Icon).SetResource(p.screens[id].icon)
			box.Objects[1].(*widget.Label).SetText(i18n.T(p.screens[id].name))
		},
		OnSelected: func(id widget.ListItemID) { p.showScreen(id) },
	}
	p.nav.ExtendBaseWidget(p.nav)
	p.content = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), p.status), container.NewHBox(p.nav, widget.NewSeparator()), nil, p.body)
	p.nav.Select(0)
	p.refreshTables("")
	p.automation = startAutomation(p)
	p.sealer = startSealer(p)
	return p
}

// width is how wide a label's text is drawn.
func width(s string) float32 {
	return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width
}

// screenSettings and screenJourneys name screens (goTo takes the English
// names).
var (
	screenSettings = i18n.Mark("Settings")
	screenJourneys = i18n.Mark("Journeys")
)

// showScreen switches the body to a navigation entry.
func (p *project) showScreen(id int) {
	s := p.screens[id]
	if s.obj == nil {
		s.obj = s.build()
	}
	p.body.Objects = []fyne.CanvasObject{s.obj}
	p.body.Refresh()
	if s.shown != nil {
		s.shown()
	}
}

// goTo selects a screen by name.
func (p *project) goTo(name string) {
	for i, s := range p.screens {
		if s.name == name {
			p.nav.Select(i)
		}
	}
}

// money formats an amount in the project's currency.
func (p *project) money(decimals int, v float64) string {
	return i18n.Money(i18n.Symbol(p.currency), decimals, v)
}

// setStatus shows a one-line note at the bottom of the window.
func (p *project) setStatus(s string) { p.status.SetText(s) }

// refreshTables lists the tables again and tells every screen; selectName,
// when set, becomes the Data screen's selected table.
func (p *project) refreshTables(selectName string) {
	async(p, p.ctx, func(ctx context.Context) ([]storage.Table, error) {
		return p.ws.Tables(ctx)
	}, func(ts []storage.Table, err error) {
		if err != nil {
			p.showError(err)
			return
		}
		p.tables = ts
		for _, f := range p.onTables {
			f(ts)
		}
		if selectName != "" {
			p.data.selectTable(selectName)
		}
	})
}

// tableExists answers from the last listing, which is enough to decide which
// import modes make sense; the import itself checks again.
func (p *project) tableExists(name string) bool {
	for _, t := range p.tables {
		if strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}

func (p *project) tableNames() []string {
	var names []string
	for _, t := range p.tables {
		names = append(names, t.Name)
	}
	return names
}

func (p *project) showError(err error) {
	// A plugin the project enabled but you have not approved: ask.
	if need := (*core.ApprovalNeeded)(nil); errors.As(err, &need) {
		p.askApproval(need, nil)
		return
	}
	showError(p.win, err)
}

// do hands f to the UI goroutine. Tests swap it for a queue they drain on
// the test goroutine, because Fyne's test driver would run f right away on
// the worker goroutine, racing with the test.
var do = fyne.Do

// async runs work off the UI goroutine, then done on it with the result.
// done always runs, so buttons get re-enabled; callers that replace requests
// use latest and drop stale results by checking ctx.Err().
func async[T any](p *project, ctx context.Context, work func(context.Context) (T, error), done func(T, error)) {
	p.jobs.Add(1)
	go func() {
		defer p.jobs.Add(-1)
		v, err := work(ctx)
		do(func() {
			if p.ctx.Err() == nil { // the project is still open
				done(v, err)
			}
		})
	}()
}

// waitIdle waits until no background work is running or the timeout
// passes, and reports whether it went idle; closing a project uses it.
func (p *project) waitIdle(timeout time.Duration) bool {
	end := time.Now().Add(timeout)
	for p.jobs.Load() > 0 {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// latest keeps only the newest of a series of requests (pages, previews,
// counts): starting one cancels the one before it.
type latest struct{ cancel context.CancelFunc }

func (l *latest) start(parent context.Context) context.Context {
	l.stop()
	ctx, cancel := context.WithCancel(parent)
	l.cancel = cancel
	return ctx
}

func (l *latest) stop() {
	if l.cancel != nil {
		l.cancel()
	}
}

// debounce runs work once input has been quiet for delay, cancelling the
// previous run, so typing in the rule editor does not queue a count per key.
type debounce struct {
	delay time.Duration
	timer *time.Timer
	req   latest
}

func (d *debounce) call(p *project, work func(ctx context.Context)) {
	if d.timer != nil && d.timer.Stop() {
		p.jobs.Add(-1) // the stopped run never started
	}
	ctx := d.req.start(p.ctx)
	p.jobs.Add(1)
	d.timer = time.AfterFunc(d.delay, func() {
		defer p.jobs.Add(-1)
		work(ctx)
	})
}

// task is a modal, cancellable long operation with a progress bar.
type task struct {
	ctx    context.Context
	cancel context.CancelFunc
	d      *dialog.CustomDialog
	stage  *widget.Label
	bar    *widget.ProgressBar
	inf    *widget.ProgressBarInfinite
}

func newTask(parent context.Context, win fyne.Window, title string) *task {
	t := &task{stage: widget.NewLabel(title), bar: widget.NewProgressBar(), inf: widget.NewProgressBarInfinite()}
	t.ctx, t.cancel = context.WithCancel(parent)
	t.bar.Hide()
	cancel := widget.NewButtonWithIcon(i18n.T("Cancel"), theme.CancelIcon(), func() {
		t.cancel()
		t.stage.SetText(i18n.T("Cancelling…"))
	})
	box := container.NewVBox(t.stage, container.NewStack(t.bar, t.inf), container.NewCenter(cancel))
	t.d = dialog.NewCustomWithoutButtons(title, container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height), box), win)
	t.d.Show()
	onEscape(win, cancel.OnTapped)
	return t
}

// progress is a core.Progress: callable from any goroutine.
func (t *task) progress(stage string, frac float64) {
	do(func() {
		if stage != "" {
			t.stage.SetText(stage)
		}
		if frac < 0 {
			t.bar.Hide()
			t.inf.Show()
			return
		}
		t.inf.Hide()
		t.bar.Show()
		t.bar.SetValue(frac)
	})
}

func (t *task) done() {
	t.cancel()
	t.inf.Stop()
	t.d.Hide()
}

// run performs work under a task dialog and then calls done on the UI
// goroutine.
func (p *project) run(title string, work func(ctx context.Context, progress core.Progress) error, done func(error)) {
	t := newTask(p.ctx, p.win, title)
	async(p, t.ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, work(ctx, t.progress)
	}, func(_ struct{}, err error) {
		t.done()
		done(err)
		p.sealer.afterWork(err)
	})
}
