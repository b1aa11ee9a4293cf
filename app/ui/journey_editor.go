package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

// journeyEditor is the Editor tab: the journey as a vertical flow of cards
// on the left (journey_flow.go), the selected card's fields on the right
// (journey_trigger.go for the journey's own settings, journey_step.go and
// journey_send.go for a step), Save under both. A JSON view edits the
// whole definition as text.
type journeyEditor struct {
	s *journeysScreen
	p *project

	j      *journey.Journey // what the form shows, changed as the user types
	loaded string           // the stored journey being edited, "" for a new one
	sel    int              // the selected card: -1 the journey itself, else a step
	// problem is why the last save was refused, shown above the fields
	// until the next save.
	problem string
	// bad holds what the user typed that is not a number or a time, by
	// field, until they correct it; Save refuses while there is any.
	bad map[string]error

	// Live counts of the stored journey, by step id.
	stats    map[string]core.StepStats
	summary  *core.JourneySummary
	holdout  string
	statsReq latest

	// Choices for the fields, loaded off the UI goroutine.
	segments     []string
	campaigns    []string
	channels     []channelChoice
	defaultTable string
	choiceNote   string
	choiceReq    latest

	flow     *fyne.Container
	flowBox  *container.Scroll
	panel    *fyne.Container
	addSel   *widget.Select
	saveBtn  *widget.Button
	jsonBtn  *widget.Button
	note     *widget.Label
	jsonText *widget.Entry
	jsonMode bool
	split    *container.Split
	body     *fyne.Container
	content  fyne.CanvasObject
}

func newJourneyEditor(s *journeysScreen) *journeyEditor {
	e := &journeyEditor{s: s, p: s.p, bad: map[string]error{}}
	e.flow = container.NewVBox()
	e.panel = container.NewVBox()
	e.addSel = widget.NewSelect(choiceLabels(stepKinds), nil)
	e.addSel.PlaceHolder = i18n.T("Add a step…")
	e.addSel.OnChanged = func(label string) {
		if label == "" {
			return
		}
		e.addStep(kindOf(stepKinds, label))
		e.addSel.Selected = ""
		e.addSel.Refresh()
	}
	e.saveBtn = &widget.Button{Text: i18n.T("Save"), Icon: theme.DocumentSaveIcon(), Importance: widget.HighImportance, OnTapped: e.save}
	e.jsonBtn = &widget.Button{Text: i18n.T("JSON"), Icon: theme.FileTextIcon(), OnTapped: e.toggleJSON}
	e.note = &widget.Label{Wrapping: fyne.TextWrapWord}
	e.jsonText = widget.NewMultiLineEntry()
	e.jsonText.TextStyle = fyne.TextStyle{Monospace: true}
	e.jsonText.Wrapping = fyne.TextWrapOff
	e.flowBox = container.NewVScroll(container.NewPadded(e.flow))
	e.split = container.NewHSplit(e.flowBox, container.NewVScroll(container.NewPadded(e.panel)))
	e.split.Offset = 0.45
	e.body = container.NewStack(e.split)
	bar := container.NewVBox(widget.NewSeparator(), newFlow(e.saveBtn, e.addSel, e.jsonBtn), e.note)
	e.content = container.NewBorder(nil, container.NewPadded(bar), nil, nil, e.body)
	return e
}

// newJourney is what New journey starts from: first-time buyers get one
// message.
func newJourney() *journey.Journey {
	return &journey.Journey{
		Trigger: journey.Trigger{Kind: journey.NewRow, FirstOnly: true},
		Reentry: journey.Reentry{Policy: journey.Once},
		Steps:   []journey.Step{defaultStep(journey.Send, "send1")},
	}
}

// load shows a stored journey with its counts, or a new one (j nil).
func (e *journeyEditor) load(j *journey.Journey, st *core.JourneyStats) {
	e.statsReq.stop()
	e.loaded, e.stats, e.summary, e.holdout = "", nil, nil, ""
	if j == nil {
		j = newJourney()
		if len(e.channels) == 1 {
			e.useChannel(&j.Steps[0], e.channels[0])
		}
	} else {
		e.loaded = j.Name
		j = cloneJourney(j)
	}
	e.j, e.sel = j, -1
	e.bad = map[string]error{}
	e.setStats(st)
	e.setNote("", false)
	e.problem = ""
	if e.jsonMode {
		e.jsonText.SetText(e.jsonOf())
	}
	e.rebuild()
}

// cloneJourney copies a journey deeply, so the form never changes what
// the list or the stats hold.
func cloneJourney(j *journey.Journey) *journey.Journey {
	b, _ := json.Marshal(j)
	var c journey.Journey
	json.Unmarshal(b, &c)
	return &c
}

// setStats keeps a journey's live counts for the cards.
func (e *journeyEditor) setStats(st *core.JourneyStats) {
	if st == nil {
		return
	}
	e.stats = map[string]core.StepStats{}
	for _, s := range st.Steps {
		e.stats[s.ID] = s
	}
	sum := st.Summary
	e.summary = &sum
	e.holdout = holdoutWords(st)
}

// refreshStats reloads the live counts of the journey being edited.
func (e *journeyEditor) refreshStats() {
	if e.loaded == "" {
		return
	}
	name := e.loaded
	ctx := e.statsReq.start(e.p.ctx)
	async(e.p, ctx, func(ctx context.Context) (*core.JourneyStats, error) {
		return e.p.ws.JourneyStats(ctx, name)
	}, func(st *core.JourneyStats, err error) {
		if ctx.Err() != nil || err != nil || e.loaded != name {
			return // deleted or renamed meanwhile: the counts stay as they were
		}
		e.setStats(st)
		e.rebuildFlow()
	})
}

// loadChoices loads the segments, saved campaigns, channels and the
// default customer table the fields offer.
func (e *journeyEditor) loadChoices() {
	ctx := e.choiceReq.start(e.p.ctx)
	type choices struct {
		segments, campaigns []string
		channels            []channelChoice
		table, note         string
	}
	async(e.p, ctx, func(ctx context.Context) (choices, error) {
		var out choices
		sums, err := e.p.ws.Segments(ctx)
		if err != nil {
			return out, err
		}
		for _, x := range sums {
			out.segments = append(out.segments, x.Name)
		}
		cs, err := e.p.ws.Campaigns(ctx)
		if err != nil {
			return out, err
		}
		for _, c := range cs {
			out.campaigns = append(out.campaigns, c.Name)
		}
		var problems []string
		out.channels, problems, err = enabledChannels(ctx, e.p.ws)
		if err != nil {
			return out, err
		}
		switch {
		case len(problems) > 0:
			out.note = i18n.T("Some channels are unavailable: %s", strings.Join(problems, "; "))
		case len(out.channels) == 0:
			out.note = i18n.T("No channel yet: install and enable a channel plugin (e-mail, SMS) on the Plugins screen.")
		}
		out.table, _ = e.p.ws.DefaultRuleTable(ctx)
		return out, nil
	}, func(ch choices, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			e.p.showError(err)
			return
		}
		e.segments, e.campaigns, e.channels, e.defaultTable, e.choiceNote = ch.segments, ch.campaigns, ch.channels, ch.table, ch.note
		// A new journey's send steps take the only channel there is.
		if e.j != nil && e.loaded == "" && len(e.channels) == 1 {
			for i := range e.j.Steps {
				if s := &e.j.Steps[i]; s.Kind == journey.Send && s.Plugin == "" && s.Campaign == "" {
					e.useChannel(s, e.channels[0])
				}
			}
			e.rebuildFlow()
		}
		e.showPanel()
	})
}

// changed is called by every field: the cards follow what is typed.
func (e *journeyEditor) changed() {
	e.rebuildFlow()
}

// rebuild shows the flow and the selected card's fields again.
func (e *journeyEditor) rebuild() {
	e.rebuildFlow()
	e.showPanel()
}

// showPanel shows the fields of the selected card.
func (e *journeyEditor) showPanel() {
	if e.j == nil {
		return
	}
	e.panel.RemoveAll()
	if e.problem != "" {
		e.panel.Add(&widget.Label{Text: e.problem, Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance})
	}
	if e.sel < 0 || e.sel >= len(e.j.Steps) {
		e.sel = -1
		e.panel.Add(e.journeyPanel())
	} else {
		e.panel.Add(e.stepPanel(e.sel))
	}
	e.panel.Refresh()
}

// selectCard selects a card of the flow, scrolls the flow to it and
// shows its fields.
func (e *journeyEditor) selectCard(i int) {
	e.sel = i
	e.rebuild()
	// The flow holds the journey's card, then an arrow and a card per step.
	if k := 2 + 2*i; i >= 0 && k < len(e.flow.Objects) {
		e.reveal(e.flow.Objects[k])
	} else if i < 0 {
		e.flowBox.ScrollToTop()
	}
}

// reveal scrolls the flow so that card is in view, if it is not.
func (e *journeyEditor) reveal(card fyne.CanvasObject) {
	y := card.Position().Y + e.flow.Position().Y
	off, view := e.flowBox.Offset.Y, e.flowBox.Size().Height
	if y < off || y+card.Size().Height > off+view {
		e.flowBox.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding())))
	}
}

// defaultStep is a new step of kind with its usual first settings.
func defaultStep(kind, id string) journey.Step {
	s := journey.Step{ID: id, Kind: kind}
	switch kind {
	case journey.Wait:
		s.Duration = "1d"
	case journey.Split:
		s.Branches = []journey.Branch{{Name: "A", Percent: 90}, {Name: "holdout", Percent: 10, Holdout: true}}
	case journey.Send:
		s.Variants = []campaign.Variant{{Name: "A", Percent: 100}}
	}
	return s
}

// addStep adds a step of kind after the selected card.
func (e *journeyEditor) addStep(kind string) {
	n := 1
	for e.j.Step(fmt.Sprintf("%s%d", kind, n)) != nil {
		n++
	}
	s := defaultStep(kind, fmt.Sprintf("%s%d", kind, n))
	if kind == journey.Send && len(e.channels) == 1 {
		e.useChannel(&s, e.channels[0])
	}
	at := e.sel + 1
	e.j.Steps = slices.Insert(e.j.Steps, at, s)
	e.selectCard(at)
}

// moveStep moves step i up (-1) or down (+1); steps that name no next step
// go on to the one below them, so the flow changes with the order.
func (e *journeyEditor) moveStep(i, by int) {
	k := i + by
	if k < 0 || k >= len(e.j.Steps) {
		return
	}
	e.j.Steps[i], e.j.Steps[k] = e.j.Steps[k], e.j.Steps[i]
	e.selectCard(k)
}

// removeStep removes step i; links to it go on to the next step instead.
func (e *journeyEditor) removeStep(i int) {
	id := e.j.Steps[i].ID
	e.j.Steps = slices.Delete(e.j.Steps, i, i+1)
	e.relink(id, "")
	for k := range e.bad {
		if strings.HasPrefix(k, id+"/") {
			delete(e.bad, k)
		}
	}
	e.selectCard(min(i, len(e.j.Steps)-1))
}

// relink points every link to step from at step to instead ("" is the
// next step in the list).
func (e *journeyEditor) relink(from, to string) {
	for i := range e.j.Steps {
		s := &e.j.Steps[i]
		for _, l := range []*string{&s.Next, &s.Yes, &s.No} {
			if *l == from {
				*l = to
			}
		}
		for b := range s.Branches {
			if s.Branches[b].Next == from {
				s.Branches[b].Next = to
			}
		}
	}
}

// setBad records (err non-nil) or clears a field the user mistyped.
func (e *journeyEditor) setBad(key string, err error) {
	if err != nil {
		e.bad[key] = err
	} else {
		delete(e.bad, key)
	}
}

// setNote shows a note under the form: a problem in red.
func (e *journeyEditor) setNote(s string, problem bool) {
	e.note.Importance = widget.MediumImportance
	if problem {
		e.note.Importance = widget.DangerImportance
	}
	e.note.SetText(s)
	showIf(e.note, s != "")
}

var stepInError = regexp.MustCompile(`step "([^"]+)"`)

// save stores the journey after core checked it; a problem is shown under
// the form and its step is selected.
func (e *journeyEditor) save() {
	if e.jsonMode && !e.fromJSON() {
		return
	}
	if len(e.bad) > 0 {
		keys := slices.Sorted(maps.Keys(e.bad))
		e.refuse(e.bad[keys[0]])
		return
	}
	j := cloneJourney(e.j)
	j.Name = strings.TrimSpace(j.Name)
	replace := e.loaded != "" && e.loaded == j.Name
	e.saveBtn.Disable()
	e.p.run(i18n.T("Saving journey %s…", j.Name), func(ctx context.Context, progress core.Progress) error {
		progress(i18n.T("Checking the steps, the trigger and the channels"), -1)
		return e.p.ws.SaveJourney(ctx, j, replace, time.Now())
	}, func(err error) {
		e.saveBtn.Enable()
		if err != nil {
			e.refuse(err)
			return
		}
		e.problem = ""
		e.loaded, e.j.Name = j.Name, j.Name
		e.setNote(i18n.T("Saved journey %q. It runs every minute while Marketbench is open, and with 'marketbench automate run'.", j.Name), false)
		e.p.setStatus(i18n.T("Saved journey %q.", j.Name))
		e.s.refresh(j.Name)
		e.refreshStats()
		e.rebuildFlow()
	})
}

// refuse says why the journey was not saved: in the JSON view under the
// text; in the flow above the fields of the card it is about (the step it
// names, else the journey's own settings), which is selected.
func (e *journeyEditor) refuse(err error) {
	msg := i18n.T("Not saved: %s", i18n.Error(err))
	if e.jsonMode {
		e.setNote(msg, true)
		return
	}
	e.problem = msg
	sel := -1
	if m := stepInError.FindStringSubmatch(err.Error()); m != nil {
		sel = slices.IndexFunc(e.j.Steps, func(s journey.Step) bool { return s.ID == m[1] })
	}
	e.setNote(i18n.T("Not saved: the problem is shown in red above the fields."), true)
	e.selectCard(sel)
}

// jsonOf is the journey as the JSON `journey create --file` reads.
func (e *journeyEditor) jsonOf() string {
	b, _ := json.MarshalIndent(e.j, "", "  ")
	return string(b)
}

// toggleJSON switches between the flow and the JSON text of the whole
// journey; leaving the text reads it back, and stays when it is not valid.
func (e *journeyEditor) toggleJSON() {
	if e.jsonMode {
		if !e.fromJSON() {
			return
		}
		e.jsonMode = false
		e.body.Objects = []fyne.CanvasObject{e.split}
		e.jsonBtn.SetText(i18n.T("JSON"))
		e.addSel.Enable()
		e.setNote("", false)
		e.problem = ""
		e.rebuild()
	} else {
		e.jsonMode = true
		e.jsonText.SetText(e.jsonOf())
		e.body.Objects = []fyne.CanvasObject{e.jsonText}
		e.jsonBtn.SetText(i18n.T("Flow"))
		e.addSel.Disable()
		e.setNote(i18n.T("The whole journey as JSON, as 'journey create --file' reads it (see docs/JOURNEYS.md)."), false)
	}
	e.body.Refresh()
}

// fromJSON reads the JSON text into the form, or says what is wrong.
func (e *journeyEditor) fromJSON() bool {
	var j journey.Journey
	dec := json.NewDecoder(strings.NewReader(e.jsonText.Text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		e.setNote(i18n.T("The JSON is not a journey: %v", err), true)
		return false
	}
	e.j = &j
	e.bad = map[string]error{}
	if e.sel >= len(j.Steps) {
		e.sel = -1
	}
	return true
}
