package ui

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

const webhookID = "marketbench.org/webhook"

// receiver is a local webhook endpoint counting the messages each
// customer gets.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string]int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m struct{ ID string }
		json.Unmarshal(b, &m)
		r.mu.Lock()
		r.got[m.ID]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

// counts returns how many customers got a message and the most any got.
func (r *receiver) counts() (customers, most int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.got {
		most = max(most, n)
	}
	return len(r.got), most
}

// webhookShop is shop(t) with the bundled webhook plugin enabled and set
// to send to r.
func webhookShop(t *testing.T, r *receiver) *core.Workspace {
	t.Helper()
	withBundled(t, "webhook")
	ws := shop(t)
	ctx := context.Background()
	if _, err := ws.EnablePlugin(ctx, webhookID); err != nil {
		t.Fatal(err)
	}
	if err := ws.SaveChannelSettings(ctx, webhookID, "webhook", sdk.Config{"url": r.URL}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// The shop's customers who may be sent an e-mail: 40 with consent, less
// one on the suppression list.
const shopSendable = 39

func entryWith(t *testing.T, o fyne.CanvasObject, placeholder string) *widget.Entry {
	t.Helper()
	return must(t, o, "entry "+placeholder, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder })
}

func selectWith(t *testing.T, o fyne.CanvasObject, option string) *widget.Select {
	t.Helper()
	return must(t, o, "select with "+option, func(s *widget.Select) bool { return slices.Contains(s.Options, option) })
}

func checkWith(t *testing.T, o fyne.CanvasObject, text string) *widget.Check {
	t.Helper()
	return must(t, o, "check "+text, func(c *widget.Check) bool { return c.Text == text })
}

// A journey made in the editor: everyone in a segment gets a message,
// then waits a day. It is listed as active with its trigger in words; a
// dry run lists who would get what and sends nothing; paused, Run now
// sends nothing; resumed, Run now sends each customer who may be sent
// one message, once; the cards then show the counts, and the timeline
// the customers waiting for tomorrow.
func TestJourneyEditorCreatesAndRuns(t *testing.T) {
	r := newReceiver(t)
	w, p := open(t, webhookShop(t, r))
	shortcutItem(t, w, &desktop.CustomShortcut{KeyName: fyne.Key0, Modifier: fyne.KeyModifierShortcutDefault}).Action()
	idle(t, p)
	if p.body.Objects[0] != p.journeys.content {
		t.Fatal("Ctrl+0 did not show Journeys")
	}
	s, e := p.journeys, p.journeys.editor
	test.Tap(button(t, s.content, "New journey"))
	idle(t, p)
	entryWith(t, e.panel, "e.g. Welcome series").SetText("Hello everyone")
	selectWith(t, e.panel, "A customer enters a segment").SetSelected("A customer enters a segment")
	selectWith(t, e.panel, "Everyone").SetSelected("Everyone")
	checkWith(t, e.panel, "Members at the start enter too").SetChecked(true)
	test.Tap(button(t, e.flow, "1 · Send · send1"))
	if got := selectWith(t, e.panel, "Webhook — Webhook (webhook)").Selected; got == "" {
		t.Fatal("the only channel was not chosen for the new send step")
	}
	entryWith(t, e.panel, "e.g. {{.first_name}}, welcome").SetText("Hello {{.first_name}}")
	entryWith(t, e.panel, "e.g. Hi {{.first_name}}, …").SetText("Hi {{.first_name}}, good to see you.")
	e.addSel.SetSelected("Wait")
	if len(e.j.Steps) != 2 || e.j.Steps[1].Kind != journey.Wait || e.sel != 1 {
		t.Fatalf("Add a step › Wait: steps %+v, selected %d", e.j.Steps, e.sel)
	}
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "saving")
	if !strings.Contains(e.note.Text, "Saved journey") {
		t.Fatalf("after Save: %q %q", e.note.Text, e.problem)
	}
	row := func() []string {
		if len(s.grid.rows) != 1 {
			t.Fatalf("the list: %v", s.grid.rows)
		}
		return s.grid.rows[0]
	}
	if got := row(); got[0] != "Hello everyone" || got[1] != "active" || !strings.Contains(got[6], `segment "Everyone"`) {
		t.Fatalf("listed as %q", got)
	}

	test.Tap(s.dryBtn)
	idle(t, p)
	if got := topText(t, w); !strings.Contains(got, "39 messages would be sent") || !strings.Contains(got, "C002") {
		t.Errorf("dry run says %q", got)
	}
	tapDialogButton(t, w, "Close")
	if n, _ := r.counts(); n != 0 {
		t.Fatalf("the dry run sent %d messages", n)
	}

	s.grid.table.Select(widget.TableCellID{Row: 0, Col: 0})
	test.Tap(s.pauseBtn)
	idle(t, p)
	if got := row()[1]; got != "paused" || s.pauseBtn.Text != "Resume" {
		t.Fatalf("after Pause: %q, button %q", got, s.pauseBtn.Text)
	}
	test.Tap(s.runBtn)
	idle(t, p)
	tapDialogButton(t, w, "Close")
	if n, _ := r.counts(); n != 0 {
		t.Fatalf("a paused journey sent %d messages", n)
	}
	test.Tap(s.pauseBtn)
	idle(t, p)
	if got := row()[1]; got != "active" {
		t.Fatalf("after Resume: %q", got)
	}

	test.Tap(s.runBtn)
	idle(t, p)
	if got := topText(t, w); !strings.Contains(got, "60 entered") || !strings.Contains(got, "39 messages sent, 0 failed") {
		t.Errorf("Run now says %q", got)
	}
	tapDialogButton(t, w, "Close")
	if n, most := r.counts(); n != shopSendable || most != 1 {
		t.Fatalf("%d customers got messages (at most %d each); want %d, once each", n, most, shopSendable)
	}
	if got := row(); got[2] != "60" || got[5] != "39" {
		t.Errorf("the list after the run: %q", got)
	}
	cards := strings.Join(labels(e.flow), "\n")
	if !strings.Contains(cards, "60 passed · 39 sent · 21 left out") || !strings.Contains(cards, "60 waiting to finish") {
		t.Errorf("the cards after the run:\n%s", cards)
	}

	s.tabs.Select(s.timelineTab)
	idle(t, p)
	var due int64
	for _, u := range s.timeline.last {
		due += u.Customers
	}
	if due != 60 || !strings.Contains(s.timeline.info.Text, "60 customers") {
		t.Errorf("timeline: %d due, %q", due, s.timeline.info.Text)
	}

	// Delete asks first.
	s.tabs.Select(s.listTab)
	test.Tap(s.deleteBtn)
	tapDialogButton(t, w, "Delete")
	idle(t, p)
	if len(s.list) != 0 || e.loaded != "" {
		t.Fatalf("after Delete: %d journeys, editing %q", len(s.list), e.loaded)
	}
}

// A journey the project cannot run is refused when saved: the problem
// names the step, is shown above its fields and its card is selected; a
// mistyped wait is refused before core is asked; the JSON view edits the
// whole definition and keeps text that is not a journey.
func TestJourneyEditorRefusesBadStep(t *testing.T) {
	w, p := open(t, shop(t))
	p.goTo("Journeys")
	idle(t, p)
	e := p.journeys.editor
	entryWith(t, e.panel, "e.g. Welcome series").SetText("Checks")
	must(t, e.panel, "the trigger's table", func(s *widget.Select) bool { return s.PlaceHolder == "Choose the table" }).SetSelected("customers")
	e.selectCard(0)
	test.Tap(button(t, e.panel, "Remove"))
	if len(e.j.Steps) != 0 {
		t.Fatalf("Remove left %d steps", len(e.j.Steps))
	}
	e.addSel.SetSelected("Condition (yes or no)")
	entryWith(t, e.panel, "e.g. vip = 'gold' AND orders >= 2").SetText("no_such_field = 1")
	e.addSel.SetSelected("Exit")
	test.Tap(e.saveBtn)
	idle(t, p)
	noDialog(t, w, "a refused save")
	if !strings.Contains(e.problem, `step "condition1"`) || !strings.Contains(e.problem, "no_such_field") || e.sel != 0 {
		t.Fatalf("problem %q, selected card %d", e.problem, e.sel)
	}
	if first := e.panel.Objects[0].(*widget.Label); first.Text != e.problem {
		t.Fatalf("the panel starts with %q, not the problem", first.Text)
	}
	if list, _ := p.ws.Journeys(context.Background()); len(list) != 0 {
		t.Fatalf("a refused journey was stored: %v", list)
	}

	e.addSel.SetSelected("Wait")
	entryWith(t, e.panel, "e.g. 3d, 12h, 1w2d or 90m").SetText("three days")
	test.Tap(e.saveBtn)
	idle(t, p)
	if !strings.Contains(e.problem, `Step "wait1": the wait "three days"`) {
		t.Fatalf("a mistyped wait: %q", e.problem)
	}

	test.Tap(e.jsonBtn)
	var j journey.Journey
	if err := json.Unmarshal([]byte(e.jsonText.Text), &j); err != nil || len(j.Steps) != 3 {
		t.Fatalf("the JSON view: %v, %q", err, e.jsonText.Text)
	}
	e.jsonText.SetText(strings.Replace(e.jsonText.Text, `"Checks"`, `"Checked"`, 1))
	test.Tap(e.jsonBtn)
	if e.jsonMode || e.j.Name != "Checked" {
		t.Fatalf("back from JSON: json %v, name %q", e.jsonMode, e.j.Name)
	}
	test.Tap(e.jsonBtn)
	e.jsonText.SetText(`{"name": "x", "stepz": []}`)
	test.Tap(e.jsonBtn)
	if !e.jsonMode || !strings.Contains(e.note.Text, "not a journey") {
		t.Fatalf("bad JSON: json %v, note %q", e.jsonMode, e.note.Text)
	}
}

// The minute timer runs the active journeys while the project is open:
// a tick sends what is due, once, and says so in the status line; a tick
// with nothing active runs nothing; closing the project stops it.
func TestAutomationTimer(t *testing.T) {
	r := newReceiver(t)
	ws := webhookShop(t, r)
	ctx := context.Background()
	j := &journey.Journey{Name: "Everyone", Table: "customers",
		Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Everyone", IncludeExisting: true},
		Steps: []journey.Step{{ID: "hello", Kind: journey.Send, Plugin: webhookID, Component: "webhook",
			Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: "Hi", Text: "Hello {{.first_name}}"}}}}}
	if err := ws.SaveJourney(ctx, j, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	a := p.automation
	a.tick()
	idle(t, p)
	if n, most := r.counts(); n != shopSendable || most != 1 {
		t.Fatalf("the timer's run: %d customers got %d messages at most; want %d, once each", n, most, shopSendable)
	}
	if !strings.Contains(p.status.Text, "Journeys at") || !strings.Contains(p.status.Text, "39 messages sent") {
		t.Errorf("status line: %q", p.status.Text)
	}
	a.tick()
	idle(t, p)
	if n, most := r.counts(); n != shopSendable || most != 1 {
		t.Fatalf("a second tick sent again: %d customers, %d at most", n, most)
	}
	if err := ws.PauseJourney(ctx, j.Name); err != nil {
		t.Fatal(err)
	}
	p.setStatus("")
	last := a.last
	a.tick()
	idle(t, p)
	if p.status.Text != "" || a.last != last {
		t.Errorf("a tick with no active journey ran (status %q)", p.status.Text)
	}
	if err := w.closeProject(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer goes on after the project closed")
	}
}
