package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/journey"
)

// journeysScreen lists the journeys with their status and counts, edits
// them (journey_editor.go), runs them now or as a dry run (journey_run.go)
// and shows what is scheduled for the next days (journey_timeline.go).
type journeysScreen struct {
	p      *project
	loaded bool

	list     []journeyRow
	grid     *grid
	listInfo *widget.Label
	listReq  latest
	sel      string // the journey selected in the list

	editBtn, pauseBtn, deleteBtn *widget.Button
	runBtn, dryBtn               *widget.Button
	runNote                      *widget.Label

	tabs               *container.AppTabs
	listTab, editorTab *container.TabItem
	timelineTab        *container.TabItem
	editor             *journeyEditor
	timeline           *timelineView
	content            fyne.CanvasObject
}

// journeyRow is a journey in the list: its counts and its trigger.
type journeyRow struct {
	sum     core.JourneySummary
	trigger journey.Trigger
}

func newJourneysScreen(p *project) *journeysScreen {
	s := &journeysScreen{p: p, grid: newGrid()}
	s.editor = newJourneyEditor(s)
	s.timeline = newTimelineView(p)
	s.listInfo = &widget.Label{Text: i18n.T("Loading journeys…"), Wrapping: fyne.TextWrapWord}
	s.runNote = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
		Text: i18n.T("While Marketbench is open, it runs the active journeys every minute by itself.")}
	newBtn := &widget.Button{Text: i18n.T("New journey"), Icon: theme.ContentAddIcon(), OnTapped: func() {
		s.editor.load(nil, nil)
		s.tabs.Select(s.editorTab)
	}}
	s.editBtn = &widget.Button{Text: i18n.T("Edit"), Icon: theme.DocumentCreateIcon(), OnTapped: func() { s.edit(s.sel) }}
	s.pauseBtn = &widget.Button{Text: i18n.T("Pause"), Icon: theme.MediaPauseIcon(), OnTapped: s.pauseResume}
	s.deleteBtn = &widget.Button{Text: i18n.T("Delete…"), Icon: theme.DeleteIcon(), OnTapped: s.confirmDelete}
	s.runBtn = &widget.Button{Text: i18n.T("Run now"), Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: s.runNow}
	s.dryBtn = &widget.Button{Text: i18n.T("Dry run"), Icon: theme.VisibilityIcon(), OnTapped: s.dryRun}
	s.grid.onSelect = func(row int) {
		if row < len(s.list) {
			s.sel = s.list[row].sum.Name
			s.selected()
		}
	}
	s.selected()
	bar := newFlow(newBtn, s.editBtn, s.pauseBtn, s.deleteBtn, widget.NewSeparator(), s.runBtn, s.dryBtn,
		explainButton(p, core.ExplainJourney, func() string { return s.sel }))
	top := container.NewVBox(s.listInfo)
	bottom := container.NewVBox(bar, s.runNote)
	listBox := container.NewBorder(top, bottom, nil, nil, s.grid.table)

	s.listTab = container.NewTabItemWithIcon(i18n.T("Journeys"), theme.ListIcon(), container.NewPadded(listBox))
	s.editorTab = container.NewTabItemWithIcon(i18n.T("Editor"), theme.DocumentCreateIcon(), s.editor.content)
	s.timelineTab = container.NewTabItemWithIcon(i18n.T("Next 7 days"), theme.HistoryIcon(), s.timeline.content)
	s.tabs = container.NewAppTabs(s.listTab, s.editorTab, s.timelineTab)
	s.tabs.OnSelected = func(t *container.TabItem) {
		if t == s.timelineTab {
			s.timeline.refresh()
		}
	}
	s.content = s.tabs
	return s
}

// shown refreshes the list and the editor's choices on every visit:
// segments, tables and channels may have changed on other screens.
func (s *journeysScreen) shown() {
	first := !s.loaded
	s.loaded = true
	s.refresh("")
	s.editor.loadChoices()
	if first {
		s.editor.load(nil, nil)
	}
	if s.tabs.Selected() == s.timelineTab {
		s.timeline.refresh()
	}
}

// refresh lists the journeys with their counts; selectName, when set,
// becomes the selected one.
func (s *journeysScreen) refresh(selectName string) {
	ctx := s.listReq.start(s.p.ctx)
	async(s.p, ctx, func(ctx context.Context) ([]journeyRow, error) {
		sums, err := s.p.ws.Journeys(ctx)
		if err != nil {
			return nil, err
		}
		rows := make([]journeyRow, 0, len(sums))
		for _, sum := range sums {
			in, err := s.p.ws.Journey(ctx, sum.Name)
			if err != nil {
				return nil, err
			}
			rows = append(rows, journeyRow{sum: sum, trigger: in.Trigger})
		}
		return rows, nil
	}, func(rows []journeyRow, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.listInfo.SetText("")
			s.p.showError(err)
			return
		}
		s.setList(rows)
		if selectName == "" {
			selectName = s.sel
		}
		s.sel = ""
		if i := slices.IndexFunc(rows, func(r journeyRow) bool { return r.sum.Name == selectName }); i >= 0 {
			s.grid.table.Select(widget.TableCellID{Row: i, Col: 0})
		}
		s.selected()
	})
}

func (s *journeysScreen) setList(rows []journeyRow) {
	s.list = rows
	if len(rows) == 0 {
		s.listInfo.SetText(i18n.T("No journeys yet. A journey sends messages by itself when something happens: a first order, a customer slipping into a segment, a birthday. Press New journey to make one."))
	} else {
		s.listInfo.SetText(i18n.T("Select a journey to edit, pause or delete it."))
	}
	n := func(v int64) string { return i18n.Number(float64(v)) }
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.sum.Name, journeyStatusWords(r.sum.Status), n(r.sum.Entered), n(r.sum.Active), n(r.sum.Converted),
			n(r.sum.Sent), triggerWords(r.trigger)})
	}
	// The trigger in words goes last, where a long one has the room.
	s.grid.set([]string{i18n.T("Journey"), i18n.T("Status"), i18n.T("Entered"), i18n.T("In it now"), i18n.T("Converted"), i18n.T("Sent"),
		i18n.T("Who enters")}, []string{"", "", "BIGINT", "BIGINT", "BIGINT", "BIGINT", ""}, out)
}

func (s *journeysScreen) row(name string) *journeyRow {
	for i := range s.list {
		if s.list[i].sum.Name == name {
			return &s.list[i]
		}
	}
	return nil
}

// selected enables the buttons that act on the selected journey.
func (s *journeysScreen) selected() {
	r := s.row(s.sel)
	for _, b := range []*widget.Button{s.editBtn, s.pauseBtn, s.deleteBtn} {
		setEnabled(b, r != nil)
	}
	if r != nil && r.sum.Status == journey.Paused {
		s.pauseBtn.SetText(i18n.T("Resume"))
		s.pauseBtn.SetIcon(theme.MediaPlayIcon())
	} else {
		s.pauseBtn.SetText(i18n.T("Pause"))
		s.pauseBtn.SetIcon(theme.MediaPauseIcon())
	}
}

// edit opens a stored journey in the editor, with its live counts.
func (s *journeysScreen) edit(name string) {
	if name == "" {
		return
	}
	async(s.p, s.p.ctx, func(ctx context.Context) (*core.JourneyStats, error) {
		return s.p.ws.JourneyStats(ctx, name)
	}, func(st *core.JourneyStats, err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		j := st.Journey
		s.editor.load(&j, st)
		s.tabs.Select(s.editorTab)
	})
}

// pauseResume pauses the selected journey, or resumes a paused one.
func (s *journeysScreen) pauseResume() {
	r := s.row(s.sel)
	if r == nil {
		return
	}
	name, paused := r.sum.Name, r.sum.Status == journey.Paused
	async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
		if paused {
			return struct{}{}, s.p.ws.ResumeJourney(ctx, name)
		}
		return struct{}{}, s.p.ws.PauseJourney(ctx, name)
	}, func(_ struct{}, err error) {
		if err != nil {
			s.p.showError(err)
			return
		}
		if paused {
			s.p.setStatus(i18n.T("Resumed journey %q: its customers go on where they wait.", name))
		} else {
			s.p.setStatus(i18n.T("Paused journey %q: nobody enters or moves on, and its messages wait, until you resume it.", name))
		}
		s.refresh(name)
	})
}

// confirmDelete asks before deleting the selected journey.
func (s *journeysScreen) confirmDelete() {
	r := s.row(s.sel)
	if r == nil {
		return
	}
	name := r.sum.Name
	msg := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("Delete journey %q? The %s customers in it now leave it, and where everyone stood is forgotten. "+
		"The messages it sent stay in the delivery log.", name, i18n.Number(float64(r.sum.Active)))}
	d := dialog.NewCustomConfirm(i18n.T("Delete journey"), i18n.T("Delete"), i18n.T("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		async(s.p, s.p.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, s.p.ws.DeleteJourney(ctx, name)
		}, func(_ struct{}, err error) {
			if err != nil {
				s.p.showError(err)
				return
			}
			s.p.setStatus(i18n.T("Deleted journey %q.", name))
			if s.editor.loaded == name {
				s.editor.load(nil, nil)
			}
			s.sel = ""
			s.refresh("")
		})
	}, s.p.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	onEscape(s.p.win, d.Hide)
}
