package ui

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

func TestMain(m *testing.M) {
	// Tests must not add their temporary projects to the user's recent list.
	os.Setenv("MARKETBENCH_NO_RECENT", "1")
	// Plugin approvals made by tests stay out of the user's config folder
	// (a child test process keeps its parent's).
	if os.Getenv("MARKETBENCH_CONFIG_DIR") == "" {
		d, _ := os.MkdirTemp("", "mb-test-config-*")
		os.Setenv("MARKETBENCH_CONFIG_DIR", d)
	}
	if dir := os.Getenv("MB_SCREENSHOTS"); dir != "" {
		os.Exit(screenshots(dir))
	}
	do = func(f func()) { uiQueue <- f }
	code := m.Run()
	if demoFile != "" {
		os.RemoveAll(filepath.Dir(demoFile))
	}
	os.Exit(code)
}

// uiQueue holds UI updates from background work until the test goroutine
// runs them in idle, so widgets are only ever touched by one goroutine.
var uiQueue = make(chan func(), 10000)

// drain runs the queued UI updates and reports whether there were any.
func drain() bool {
	ran := false
	for {
		select {
		case f := <-uiQueue:
			f()
			ran = true
		default:
			return ran
		}
	}
}

// demo gives each test its own copy of the demo project. The demo is
// generated once per test run (it imports, scores RFM and trains a
// recommender) and copied, which is far faster than generating it again.
func demo(t *testing.T) *core.Workspace {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mb-ui-demo-*")
		if err != nil {
			demoErr = err
			return
		}
		demoFile = filepath.Join(dir, "demo"+storage.Ext)
		ws, err := core.CreateDemo(context.Background(), demoFile, core.DemoOptions{}, nil)
		if err != nil {
			demoErr = err
			return
		}
		demoErr = ws.Close()
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	b, err := os.ReadFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "demo"+storage.Ext)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := core.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

var (
	demoOnce sync.Once
	demoFile string
	demoErr  error
)

// open shows ws in a new window of the test app.
func open(t *testing.T, ws *core.Workspace) (*window, *project) {
	t.Helper()
	w := newWindow(test.NewTempApp(t))
	w.show(ws)
	t.Cleanup(func() {
		if err := w.closeProject(); err != nil {
			t.Error(err)
		}
		drain() // late updates of the closed project do nothing
	})
	idle(t, w.proj)
	return w, w.proj
}

// idle waits for the background work the last action started, and for
// the work its results start in turn, running their UI updates.
func idle(t *testing.T, p *project) {
	t.Helper()
	end := time.Now().Add(30 * time.Second)
	for {
		// Work enqueues its update before it stops counting as running, so
		// once nothing runs, one drain sees every update.
		running := p.jobs.Load()
		ran := drain()
		if running == 0 && !ran {
			return
		}
		if time.Now().After(end) {
			t.Fatal("background work did not finish within 30s")
		}
		if !ran {
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// find returns the first widget of type T under o for which ok is true.
func find[T fyne.CanvasObject](o fyne.CanvasObject, ok func(T) bool) (T, bool) {
	if w, is := o.(T); is && ok(w) {
		return w, true
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		if f, found := find(k, ok); found {
			return f, true
		}
	}
	var zero T
	return zero, false
}

// must is find for widgets a test cannot go on without.
func must[T fyne.CanvasObject](t *testing.T, o fyne.CanvasObject, what string, ok func(T) bool) T {
	t.Helper()
	w, found := find(o, ok)
	if !found {
		t.Fatalf("no %s", what)
	}
	return w
}

func button(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	return must(t, o, "button "+text, func(b *widget.Button) bool { return b.Text == text })
}

// tapDialogButton presses a button in the topmost dialog.
func tapDialogButton(t *testing.T, w *window, text string) {
	t.Helper()
	test.Tap(button(t, w.win.Canvas().Overlays().Top(), text))
}

// tableIndex is the Data list's row of a table.
func tableIndex(p *project, name string) int { return p.data.row(name) }

// TestFlow walks the main path of the product on the demo project: data,
// paging, sorting, filtering, SQL, RFM and a rule segment with a live count.
func TestFlow(t *testing.T) {
	w, p := open(t, demo(t))

	if got := len(p.screens); got != 11 || len(tourSteps) != got {
		t.Fatalf("navigation has %d entries and the tour %d steps, want 11", got, len(tourSteps))
	}
	p.goTo("Data")
	i := tableIndex(p, "orders")
	if i < 0 {
		t.Fatalf("no orders table in %v", p.tableNames())
	}
	p.data.list.Select(i)
	idle(t, p)
	rows := p.data.rows
	if got, want := rows.pageLabel.Text, "rows 1–200 of 200,000"; got != want {
		t.Fatalf("page label %q, want %q", got, want)
	}
	if len(rows.grid.rows) != pageSize || rows.grid.cols[0] != "order_id" {
		t.Fatalf("first page: %d rows, columns %v", len(rows.grid.rows), rows.grid.cols)
	}
	first := rows.grid.rows[0][0]

	test.Tap(rows.next)
	idle(t, p)
	if got, want := rows.pageLabel.Text, "rows 201–400 of 200,000"; got != want {
		t.Fatalf("after Next: %q, want %q", got, want)
	}
	if rows.grid.rows[0][0] == first {
		t.Fatal("Next showed the same rows")
	}
	test.Tap(rows.prev)
	idle(t, p)
	if rows.grid.rows[0][0] != first {
		t.Fatal("Previous did not return to the first page")
	}

	// Click the amount header twice: largest amounts first.
	amount := slices.Index(rows.grid.cols, "amount")
	rows.grid.onHeader(amount)
	idle(t, p)
	rows.grid.onHeader(amount)
	idle(t, p)
	if !rows.desc || rows.sortSel.Selected != "amount" || rows.dirSel.Selected != "descending" {
		t.Fatalf("sort state: %q desc=%v radio=%q", rows.sortSel.Selected, rows.desc, rows.dirSel.Selected)
	}
	if !strings.HasSuffix(rows.grid.header(amount), "▼") {
		t.Errorf("sorted header reads %q", rows.grid.header(amount))
	}

	test.Type(rows.filterIn, "channel = 'app' AND amount > 100")
	rows.filterIn.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	idle(t, p)
	if !regexp.MustCompile(`^rows 1–200 of [0-9,]+ matching the filter$`).MatchString(rows.pageLabel.Text) {
		t.Fatalf("filtered page label %q", rows.pageLabel.Text)
	}
	if rows.total >= 200000 || rows.total == 0 {
		t.Fatalf("filter kept %d rows", rows.total)
	}
	ch := slices.Index(rows.grid.cols, "channel")
	for _, r := range rows.grid.rows {
		if r[ch] != "app" {
			t.Fatalf("filtered row has channel %q", r[ch])
		}
	}
	rows.filterIn.SetText("amount >")
	rows.filterIn.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	idle(t, p)
	if !rows.filterErr.Visible() || !strings.Contains(rows.filterErr.Text, "expected a value") {
		t.Fatalf("bad filter: error label %q visible=%v", rows.filterErr.Text, rows.filterErr.Visible())
	}

	// SQL console: Ctrl+Enter runs, writes are refused inline.
	p.data.tabs.SelectIndex(4)
	sq := p.data.sql
	sq.query.SetText("SELECT channel, count(*) AS n FROM orders GROUP BY channel ORDER BY channel")
	sq.query.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierControl})
	idle(t, p)
	if sq.errLbl.Visible() || len(sq.grid.rows) == 0 || sq.grid.cols[1] != "n" {
		t.Fatalf("SQL result: err %q, %d rows, cols %v", sq.errLbl.Text, len(sq.grid.rows), sq.grid.cols)
	}
	// The result exports whole, through the same save form.
	test.Tap(sq.export)
	test.Tap(button(t, w.win.Canvas().Overlays().Top(), "Save"))
	idle(t, p)
	if st, err := os.Stat(filepath.Join(filepath.Dir(p.ws.Path), "query.csv")); err != nil || st.Size() == 0 {
		t.Fatalf("query export: %v", err)
	}
	sq.query.SetText("DELETE FROM orders")
	test.Tap(sq.run)
	idle(t, p)
	if !sq.errLbl.Visible() || !strings.Contains(sq.errLbl.Text, "read-only") || !sq.export.Disabled() {
		t.Fatalf("a write was not refused inline: %q", sq.errLbl.Text)
	}

	// Profile of orders with a histogram of amount.
	p.data.tabs.SelectIndex(1)
	idle(t, p)
	prof := p.data.profile
	if len(prof.profiles) != 8 {
		t.Fatalf("profile has %d columns", len(prof.profiles))
	}
	prof.colSel.SetSelected("amount")
	idle(t, p)
	if prof.chart.img.Image == nil {
		t.Fatalf("amount: no histogram (%q)", prof.chart.msg.Text)
	}
	must(t, prof.detail, "median of amount", func(l *widget.Label) bool { return l.Text == "p50" })

	// Segments: run RFM, then build a rule and watch the live count.
	p.goTo("Segments")
	idle(t, p)
	s := p.segments
	if s.tableSel.Selected != "orders" {
		t.Fatalf("RFM table %q, want orders", s.tableSel.Selected)
	}
	s.asOf.SetText("2027-01-01")
	test.Tap(s.runBtn)
	idle(t, p)
	if !strings.HasPrefix(s.rfmInfo.Text, "Scored ") {
		t.Fatalf("RFM info %q", s.rfmInfo.Text)
	}
	if len(s.summary.rows) < 10 || s.summary.rows[0][1] != "rfm" {
		t.Fatalf("summary: %v", s.summary.rows)
	}
	for k, c := range s.charts {
		if c.img.Image == nil {
			t.Errorf("chart %s not drawn: %q", k, c.msg.Text)
		}
		if c.save.Disabled() {
			t.Errorf("chart %s cannot be saved", k)
		}
	}
	// Save chart asks for a size first; a bad size is refused in words.
	test.Tap(s.charts[core.ChartRFMHeatmap].save)
	form := w.win.Canvas().Overlays().Top()
	if form == nil {
		t.Fatal("Save chart opened no dialog")
	}
	widthEntry := must(t, form, "width entry", func(e *widget.Entry) bool { return e.Text == "8" })
	widthEntry.SetText("0")
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	if top := w.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("a bad chart size was accepted silently")
	} else if _, ok := find(top, func(l *widget.Label) bool { return strings.Contains(l.Text, "inches between 1 and 40") }); !ok {
		t.Fatal("no message about the chart size")
	} else {
		w.win.Canvas().Overlays().Remove(top)
	}

	// Export a segment: name, format and folder in one form; the file lands
	// in the project's folder.
	p.chooseExport("segment:Champions", "Champions")
	form = w.win.Canvas().Overlays().Top()
	must(t, form, "format select", func(sel *widget.Select) bool { return sel.Selected == ".csv" }).SetSelected(".parquet")
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	out := filepath.Join(filepath.Dir(p.ws.Path), "Champions.parquet")
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("export: %v", err)
	}
	// Again: replacing asks first.
	p.chooseExport("segment:Champions", "Champions")
	must(t, w.win.Canvas().Overlays().Top(), "format select", func(sel *widget.Select) bool { return true }).SetSelected(".parquet")
	test.Tap(button(t, w.win.Canvas().Overlays().Top(), "Save"))
	if _, ok := find(w.win.Canvas().Overlays().Top(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Replace it?") }); !ok {
		t.Fatal("replacing a file did not ask")
	}
	w.win.Canvas().Overlays().Remove(w.win.Canvas().Overlays().Top())

	s.tabs.SelectIndex(1)
	e := s.rules
	if e.table != "customers" || len(e.fields) == 0 {
		t.Fatalf("rule builder on %q with fields %v", e.table, e.fields)
	}
	test.Tap(button(t, e.tree, "Add condition"))
	test.Tap(button(t, e.tree, "Choose a field"))
	pick(t, e.menu, "Country")
	value := must(t, e.tree, "value entry", func(en *widget.Entry) bool { return en.PlaceHolder == "value" })
	test.Type(value, "France")
	if e.count.Text != "Counting…" {
		t.Errorf("count while typing: %q", e.count.Text)
	}
	idle(t, p)
	france := countOf(t, e.count.Text)
	if got := e.text.Text; got != "country = 'France'" {
		t.Errorf("rule text %q", got)
	}

	// A nested OR group narrows nothing when it matches everyone, and the
	// text box round-trips into the tree.
	e.text.SetText("country = 'France' AND (monetary > 1000 OR frequency >= 5)")
	test.Tap(button(t, e.content, "Use text"))
	idle(t, p)
	narrowed := countOf(t, e.count.Text)
	if narrowed <= 0 || narrowed >= france {
		t.Fatalf("France: %d, with the group: %d", france, narrowed)
	}
	if len(e.root.Children) != 2 || !e.root.Children[1].IsGroup() {
		t.Fatalf("parsed tree %v", e.root)
	}

	e.name.SetText("French regulars")
	test.Tap(e.saveBtn)
	idle(t, p)
	if i := slices.IndexFunc(s.saved, func(sg segment.Segment) bool { return sg.Name == "French regulars" }); i < 0 || s.saved[i].Size != int64(narrowed) {
		t.Fatalf("saved segments %v", s.saved)
	}

	// A cleaning recipe: preview changes nothing, apply is audited.
	p.goTo("Data")
	p.data.selectTable("customers")
	p.data.tabs.SelectIndex(3)
	idle(t, p)
	cv := p.data.clean
	cv.addSel.SetSelected("case")
	must(t, cv.list, "column select", func(s *widget.Select) bool { return s.PlaceHolder == "Choose a column" }).SetSelected("country")
	must(t, cv.list, "method select", func(s *widget.Select) bool { return s.Selected == "lower" }).SetSelected("upper")
	cv.addSel.SetSelected("drop_missing")
	test.Tap(cv.previewB)
	idle(t, p)
	if len(cv.effects.rows) != 2 || cv.effects.rows[0][1] != "case country (upper)" || len(cv.sample.rows) == 0 {
		t.Fatalf("preview: %v (%q)", cv.effects.rows, cv.status.Text)
	}
	test.Tap(cv.applyB)
	tapDialogButton(t, w, "Apply")
	idle(t, p)
	if !strings.HasPrefix(cv.status.Text, "Applied") {
		t.Fatalf("apply: %q", cv.status.Text)
	}
	p.goTo("Settings")
	idle(t, p)
	if len(p.settings.audit.rows) == 0 || p.settings.audit.rows[0][2] != "customers" {
		t.Errorf("audit log after cleaning: %v", p.settings.audit.rows[:1])
	}
}

// countOf reads "1,234 customers match".
func countOf(t *testing.T, s string) int {
	t.Helper()
	m := regexp.MustCompile(`^([0-9,]+) customers match$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("count label %q", s)
	}
	n := 0
	for _, r := range m[1] {
		if r != ',' {
			n = n*10 + int(r-'0')
		}
	}
	return n
}

// TestNewProject creates a project from the start screen.
func TestNewProject(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	a := test.NewTempApp(t)
	button(t, NewStartWindow(a).Content(), "Open demo project")
	w := newWindow(a)
	w.showStart()
	for _, b := range []string{"Open project…", "Open demo project"} {
		button(t, w.win.Content(), b)
	}
	test.Tap(button(t, w.win.Content(), "New project…"))
	form := w.win.Canvas().Overlays().Top()
	must(t, form, "name entry", func(e *widget.Entry) bool { return e.Text == "Untitled" }).SetText("Shop")
	test.Tap(button(t, form, "Create"))
	for end := time.Now().Add(10 * time.Second); w.proj == nil; {
		if !drain() {
			time.Sleep(5 * time.Millisecond)
		}
		if time.Now().After(end) {
			t.Fatal("the new project did not open")
		}
	}
	t.Cleanup(func() { w.closeProject() })
	if want := filepath.Join(home, "Shop"+storage.Ext); w.proj.ws.Path != want {
		t.Fatalf("created %s, want %s", w.proj.ws.Path, want)
	}
	idle(t, w.proj)
	if w.win.Title() != "Marketbench — Shop" || !w.proj.data.listNote.Visible() {
		t.Errorf("title %q; import hint shown: %v", w.win.Title(), w.proj.data.listNote.Visible())
	}
}

// TestEmptyProject visits every screen of a new project: nothing to show
// yet must read as such, not as an error.
func TestEmptyProject(t *testing.T) {
	ws, err := core.Create(filepath.Join(t.TempDir(), "empty"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	if !p.data.listNote.Visible() {
		t.Error("no hint to import a file")
	}
	for _, s := range p.screens {
		p.goTo(s.name)
		idle(t, p)
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			l, _ := find(top, func(*widget.Label) bool { return true })
			t.Fatalf("%s: a dialog opened: %v", s.name, l.Text)
		}
	}
	for k, c := range p.segments.charts {
		t.Logf("%s: %q", k, c.msg.Text)
	}
	t.Logf("rfm info: %q, saved: %q", p.segments.rfmInfo.Text, p.segments.savedInfo.Text)
}
