package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// tabRecord names the processing record's tab.
var tabRecord = i18n.Mark("Processing record")

func init() {
	registerPrivacyTab(privacyTab{order: 60, name: tabRecord,
		build: func(s *privacyScreen) fyne.CanvasObject { return newRecordTab(s).content },
		shown: func(s *privacyScreen) {
			if t := recordTabs[s]; t != nil {
				t.refresh()
			}
		}})
}

// recordTabs finds a screen's tab; an entry goes when its project closes.
var recordTabs = map[*privacyScreen]*recordTab{}

// recordTab shows the record of processing, section by section, and
// saves it as Markdown or HTML. It is gathered again on every visit, since
// campaigns, exports and erasures change it.
type recordTab struct {
	p       *project
	rec     *core.ProcessingRecord
	load    latest
	note    *widget.Label
	save    *widget.Button
	body    *fyne.Container
	content fyne.CanvasObject
}

func newRecordTab(s *privacyScreen) *recordTab {
	t := &recordTab{p: s.p, note: &widget.Label{Wrapping: fyne.TextWrapWord}, body: container.NewVBox()}
	t.save = &widget.Button{Text: i18n.T("Save the record…"), Icon: theme.DocumentSaveIcon(), OnTapped: t.saveAs}
	t.save.Disable()
	refresh := &widget.Button{Text: i18n.T("Refresh"), Icon: theme.ViewRefreshIcon(), OnTapped: t.refresh}
	intro := &widget.Label{Wrapping: fyne.TextWrapWord, Text: i18n.T("What this project does with personal data: the basis of a GDPR Article 30 record of processing or a PIPL impact assessment. It holds no personal values.")}
	top := container.NewBorder(nil, nil, nil, container.NewHBox(refresh, t.save), intro)
	t.content = container.NewBorder(container.NewVBox(top, t.note), nil, nil, nil, container.NewVScroll(t.body))
	recordTabs[s] = t
	context.AfterFunc(s.p.ctx, func() { do(func() { delete(recordTabs, s) }) })
	return t
}

// refresh gathers the record off the UI goroutine; the one shown stays
// until the new one is ready.
func (t *recordTab) refresh() {
	t.note.SetText(i18n.T("Gathering the record…"))
	ctx := t.load.start(t.p.ctx)
	async(t.p, ctx, t.p.ws.ProcessingRecord, func(rec *core.ProcessingRecord, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			t.note.SetText(i18n.T("The record could not be gathered: %v", err))
			return
		}
		t.rec = rec
		t.note.SetText(i18n.T("Generated at %s.", rec.GeneratedAt.Local().Format("2006-01-02 15:04")))
		t.show(rec)
		t.save.Enable()
	})
}

// show lays out each section: a heading, its note and its table as a grid
// whose cells wrap, so a wide table still fits the window.
func (t *recordTab) show(rec *core.ProcessingRecord) {
	var objs []fyne.CanvasObject
	for _, s := range rec.Sections() {
		objs = append(objs, &widget.Label{Text: s.Title, TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText})
		if s.Note != "" {
			objs = append(objs, &widget.Label{Text: s.Note, Wrapping: fyne.TextWrapWord})
		}
		if len(s.Header) == 0 {
			continue
		}
		grid := container.NewGridWithColumns(len(s.Header))
		for _, h := range s.Header {
			grid.Add(&widget.Label{Text: h, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
		}
		for _, row := range s.Rows {
			for _, c := range row {
				grid.Add(&widget.Label{Text: c, Wrapping: fyne.TextWrapWord})
			}
		}
		objs = append(objs, grid, widget.NewSeparator())
	}
	t.body.Objects = objs
	t.body.Refresh()
}

// saveAs writes the record shown as Markdown or HTML.
func (t *recordTab) saveAs() {
	rec := t.rec
	if rec == nil {
		return
	}
	t.p.w.chooseSaveFile(i18n.T("Save the record of processing"), "processing-record", core.RecordFormats, nil, func(path string) {
		async(t.p, t.p.ctx, func(context.Context) (struct{}, error) {
			return struct{}{}, core.SaveProcessingRecord(rec, path)
		}, func(_ struct{}, err error) {
			if err != nil {
				t.p.showError(err)
				return
			}
			t.p.setStatus(i18n.T("Saved the record of processing to %s", path))
		})
	})
}
