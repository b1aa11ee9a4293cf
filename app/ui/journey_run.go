package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// Run now and Dry run: the same engine as the minute timer and `automate
// run`, under a progress dialog that can cancel it.

// runNow processes everything due in every active journey now and says
// what it did.
func (s *journeysScreen) runNow() {
	s.runAutomation(false)
}

// dryRun works out who would receive what, keeps nothing, and lists it.
func (s *journeysScreen) dryRun() {
	s.runAutomation(true)
}

func (s *journeysScreen) runAutomation(dry bool) {
	title := i18n.T("Running the journeys…")
	if dry {
		title = i18n.T("Dry run of the journeys…")
	}
	var rep *core.AutomateReport
	enable(s.runBtn, false)
	enable(s.dryBtn, false)
	s.p.run(title, func(ctx context.Context, progress core.Progress) error {
		var err error
		rep, err = s.p.ws.RunAutomation(ctx, core.AutomateOptions{DryRun: dry}, progress)
		return err
	}, func(err error) {
		enable(s.runBtn, true)
		enable(s.dryBtn, true)
		if err != nil {
			s.p.showError(err)
			return
		}
		s.showReport(rep)
		if !dry {
			s.p.automation.ran(rep)
			s.refresh("")
			s.editor.refreshStats()
		}
	})
}

// showReport says what a run did, and for a dry run lists who would
// receive what.
func (s *journeysScreen) showReport(rep *core.AutomateReport) {
	lines := runWords(rep)
	s.runNote.SetText(sentences(lines))
	words := &widget.Label{Text: strings.Join(lines, "\n"), Wrapping: fyne.TextWrapWord}
	title := i18n.T("Run finished")
	var body fyne.CanvasObject = words
	size := fyne.NewSize(560, 0)
	if rep.DryRun {
		title = i18n.T("Dry run: who would receive what")
		g := newGrid()
		var rows [][]string
		for _, m := range rep.WouldSend {
			rows = append(rows, []string{m.Journey, m.Step, m.CustomerID, m.Variant})
		}
		g.set([]string{i18n.T("Journey"), i18n.T("Step"), i18n.T("Customer"), i18n.T("Variant")}, nil, rows)
		if len(rows) == 0 {
			body = words
		} else {
			body = container.NewBorder(words, nil, nil, nil, g.table)
			size = fyne.NewSize(720, 460)
		}
	}
	d := dialog.NewCustom(title, i18n.T("Close"), body, s.p.win)
	d.Resize(size)
	d.Show()
	onEscape(s.p.win, d.Hide)
}
