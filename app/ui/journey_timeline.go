package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// timelineDays is how far ahead the timeline looks.
const timelineDays = 7

// weekdayShort are the days' short names, from Sunday (time.Weekday).
var weekdayShort = []string{i18n.Mark("Sun"), i18n.Mark("Mon"), i18n.Mark("Tue"), i18n.Mark("Wed"), i18n.Mark("Thu"), i18n.Mark("Fri"), i18n.Mark("Sat")}

// timelineView shows what the active journeys have scheduled for the next
// days: one row per day, a bar of how many customers' next step falls due
// then, and which journeys and steps they are.
type timelineView struct {
	p       *project
	info    *widget.Label
	rows    *fyne.Container
	req     latest
	last    []core.Upcoming
	content fyne.CanvasObject
}

func newTimelineView(p *project) *timelineView {
	v := &timelineView{p: p, rows: container.NewVBox()}
	v.info = &widget.Label{Wrapping: fyne.TextWrapWord}
	refresh := &widget.Button{Text: i18n.T("Refresh"), Icon: theme.ViewRefreshIcon(), Importance: widget.LowImportance, OnTapped: v.refresh}
	top := container.NewBorder(nil, nil, nil, refresh, v.info)
	v.content = container.NewPadded(container.NewBorder(top, nil, nil, nil, container.NewVScroll(v.rows)))
	return v
}

// refresh asks for the next days' schedule.
func (v *timelineView) refresh() {
	v.info.SetText(i18n.T("Loading what is scheduled…"))
	ctx := v.req.start(v.p.ctx)
	from := time.Now()
	async(v.p, ctx, func(ctx context.Context) ([]core.Upcoming, error) {
		return v.p.ws.JourneyTimeline(ctx, from, timelineDays)
	}, func(up []core.Upcoming, err error) {
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			v.info.SetText(i18n.Error(err))
			return
		}
		v.show(from, up)
	})
}

// show draws a row per day from the day of from.
func (v *timelineView) show(from time.Time, up []core.Upcoming) {
	v.last = up
	loc := from.Location()
	day0 := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	totals := make([]int64, timelineDays)
	details := make([][]string, timelineDays)
	var all, most int64
	for _, u := range up {
		d := int(u.Day.In(loc).Sub(day0).Hours() / 24)
		if d < 0 || d >= timelineDays {
			continue
		}
		totals[d] += u.Customers
		all += u.Customers
		details[d] = append(details[d], fmt.Sprintf("%s › %s: %s", u.Journey, stepName(u.Step), i18n.Number(float64(u.Customers))))
	}
	for _, t := range totals {
		most = max(most, t)
	}
	if all == 0 {
		v.info.SetText(i18n.T("Nothing is scheduled for the next %d days: no customer waits in an active journey.", timelineDays))
	} else {
		v.info.SetText(i18n.T("%s customers have a step falling due in the next %d days, by the day it falls due (overdue steps run at the next run).",
			i18n.Number(float64(all)), timelineDays))
	}
	v.rows.RemoveAll()
	const barMax = 240
	for d := range timelineDays {
		day := day0.AddDate(0, 0, d)
		name := i18n.T(weekdayShort[day.Weekday()]) + " " + i18n.Date(day)
		if d == 0 {
			name = i18n.T("Today") + " " + i18n.Date(day)
		}
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		w := float32(0)
		if most > 0 {
			w = barMax * float32(totals[d]) / float32(most)
		}
		bar.SetMinSize(fyne.NewSize(max(w, 1), theme.TextSize()))
		if totals[d] == 0 {
			bar.FillColor = color.Transparent
		}
		count := widget.NewLabel(i18n.Number(float64(totals[d])))
		barBox := container.NewGridWrap(fyne.NewSize(barMax, theme.TextSize()+2*theme.InnerPadding()), container.NewHBox(container.NewCenter(bar)))
		head := container.NewHBox(fixedWidth(170, &widget.Label{Text: name, TextStyle: fyne.TextStyle{Bold: true}}), barBox, count)
		row := container.NewVBox(head)
		if len(details[d]) > 0 {
			row.Add(indented(&widget.Label{Text: strings.Join(details[d], " · "), Wrapping: fyne.TextWrapWord}))
		}
		v.rows.Add(row)
		v.rows.Add(widget.NewSeparator())
	}
	v.rows.Refresh()
}
