package ui

import (
	"context"
	"errors"
	"image"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// chartView shows a chart, or a message where there is none. The chart is
// drawn for the pane it is in, at the screen's scale and in the window's
// theme, so its text is as large as the interface's; it is drawn again,
// off the UI goroutine, once a resize settles. Pointing at a bar, bin,
// cell or point shows its value; clicking one of a chart that selects
// (core.ChartSelects) offers the customers behind it.
type chartView struct {
	widget.BaseWidget
	img     *canvas.Image
	msg     *widget.Label
	tipBg   *canvas.Rectangle
	tip     *canvas.Text
	hint    *widget.Label // under the chart: the value pointed at, or how to use it
	save    *widget.Button
	scroll  *container.Scroll
	content fyne.CanvasObject
	minH    float32 // for the chart's labels not to overlap; see chart.MinHeight

	p       *project       // set by load and showPlot
	spec    core.ChartSpec // the chart shown by load, for saving and selecting
	selects bool
	plot    *plot.Plot
	frame   *chart.Frame
	want    drawKey // what is drawn, or being drawn
	redraw  debounce
}

// drawKey is what a drawing depends on besides the plot.
type drawKey struct {
	w, h  int // pixels
	scale float32
	theme chart.Theme
}

const (
	// resizeDelay lets a dragged split or window settle before redrawing.
	resizeDelay = 150 * time.Millisecond
	// Until it is laid out (a tab not yet shown), a chart is drawn at this
	// size, so it is there at once when shown.
	fallbackW, fallbackH = 640, 400
)

func newChartView() *chartView {
	v := &chartView{
		img: &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth},
		// No wrapping: a centred wrapping label gets one word per line.
		msg:   &widget.Label{Alignment: fyne.TextAlignCenter, TextStyle: fyne.TextStyle{Italic: true}},
		tipBg: &canvas.Rectangle{CornerRadius: 4, StrokeWidth: 1},
		tip:   &canvas.Text{},
		hint:  &widget.Label{Truncation: fyne.TextTruncateEllipsis},
	}
	v.ExtendBaseWidget(v)
	v.hideTip()
	v.save = widget.NewButtonWithIcon(i18n.T("Save chart…"), theme.DocumentSaveIcon(), v.saveAs)
	v.save.Disable()
	// A chart of many bars scrolls rather than squash its labels together.
	v.scroll = container.NewVScroll(v)
	v.content = container.NewBorder(nil, container.NewBorder(nil, nil, nil, v.save, v.hint), nil, nil, v.scroll)
	return v
}

func (v *chartView) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{v: v, objs: []fyne.CanvasObject{v.img, v.msg, v.tipBg, v.tip}}
}

type chartRenderer struct {
	v    *chartView
	objs []fyne.CanvasObject
}

func (r *chartRenderer) Layout(s fyne.Size) {
	v := r.v
	v.img.Move(fyne.NewPos(0, 0))
	v.img.Resize(s)
	m := v.msg.MinSize()
	v.msg.Resize(fyne.NewSize(min(m.Width, s.Width), m.Height))
	v.msg.Move(fyne.NewPos(max(0, (s.Width-m.Width)/2), (s.Height-m.Height)/2))
	v.redrawLater(resizeDelay)
}

func (r *chartRenderer) MinSize() fyne.Size           { return fyne.NewSize(320, 220) }
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) Destroy()                     {}

// Refresh follows a change of theme at once.
func (r *chartRenderer) Refresh() {
	r.v.tip.Color = theme.Color(theme.ColorNameForeground)
	r.v.tipBg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	r.v.tipBg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.v.redrawLater(0)
	canvas.Refresh(r.v.img)
}

func (v *chartView) message(s string) {
	v.save.Disable()
	v.plot, v.frame, v.want, v.minH = nil, nil, drawKey{}, 0
	v.img.Image = nil
	v.img.Refresh()
	v.hideTip()
	v.hint.SetText("")
	v.msg.SetText(s)
	v.msg.Show()
	v.Refresh()
}

// setPlot shows pl, drawn for the pane as soon as possible.
func (v *chartView) setPlot(pl *plot.Plot) {
	v.plot, v.frame, v.want = pl, nil, drawKey{}
	v.minH = float32(chart.MinHeight(pl))
	v.scroll.Refresh()
	v.save.Enable()
	v.hint.SetText("")
	if v.selects {
		v.hint.SetText(i18n.T("Point at a bar or cell to see its value; click it to see, save or export its customers."))
	}
	v.redrawLater(0)
}

// chartTheme is the window's theme as chart colours.
func (v *chartView) chartTheme() chart.Theme {
	variant := fyne.CurrentApp().Settings().ThemeVariant()
	th := v.Theme()
	return chart.ThemeFrom(th.Color(theme.ColorNameBackground, variant), th.Color(theme.ColorNameForeground, variant))
}

// scale is the screen's pixels per Fyne unit.
func (v *chartView) scale() float32 {
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil && c.Scale() > 0 {
		return c.Scale()
	}
	return 1
}

// redrawLater draws the chart for the pane's current size, scale and
// theme after delay, unless that drawing is already there or on its way.
func (v *chartView) redrawLater(delay time.Duration) {
	if v.p == nil || v.plot == nil {
		return
	}
	s, sc := v.Size(), v.scale()
	k := drawKey{w: int(s.Width * sc), h: int(s.Height * sc), scale: sc, theme: v.chartTheme()}
	if k.w < 1 || k.h < 1 {
		k.w, k.h, k.scale = fallbackW, fallbackH, 1
	}
	if k == v.want {
		return
	}
	v.want = k
	pl := v.plot
	v.redraw.delay = delay
	v.redraw.call(v.p, func(ctx context.Context) {
		img, frame, err := chart.Draw(pl, k.w, k.h, float64(k.scale), k.theme)
		do(func() {
			if ctx.Err() != nil || v.plot != pl {
				return // a newer chart or size took over
			}
			if err != nil {
				v.message(sentence(i18n.Error(err)))
				return
			}
			v.msg.Hide()
			v.img.Image, v.frame = img, frame
			v.img.Refresh()
		})
	})
}

// at returns the chart element under a position in the widget. The image
// is shown scaled to fit (while a redraw for a new size is on its way), so
// the position is mapped through that scaling.
func (v *chartView) at(pos fyne.Position) (chart.Element, bool) {
	if v.frame == nil || v.img.Image == nil {
		return chart.Element{}, false
	}
	b := v.img.Image.Bounds()
	s := v.Size()
	k := min(s.Width/float32(b.Dx()), s.Height/float32(b.Dy())) // units per pixel
	if k <= 0 {
		return chart.Element{}, false
	}
	x0, y0 := (s.Width-float32(b.Dx())*k)/2, (s.Height-float32(b.Dy())*k)/2
	return v.frame.At(float64((pos.X-x0)/k), float64((pos.Y-y0)/k))
}

// MouseIn, MouseMoved and MouseOut show the value pointed at.
func (v *chartView) MouseIn(e *desktop.MouseEvent) { v.MouseMoved(e) }

func (v *chartView) MouseMoved(e *desktop.MouseEvent) {
	el, ok := v.at(e.Position)
	if !ok {
		v.hideTip()
		return
	}
	v.showTip(el.Text, e.Position)
}

func (v *chartView) MouseOut() { v.hideTip() }

// showTip shows text in a box beside the pointer, kept inside the chart.
func (v *chartView) showTip(text string, at fyne.Position) {
	v.tip.Text = text
	v.tip.TextSize = theme.TextSize()
	v.tip.Color = theme.Color(theme.ColorNameForeground)
	v.tipBg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	v.tipBg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	pad := theme.Padding()
	ts := v.tip.MinSize()
	box := fyne.NewSize(ts.Width+2*pad, ts.Height+pad)
	s := v.Size()
	pos := fyne.NewPos(at.X+14, at.Y+14)
	if pos.X+box.Width > s.Width {
		pos.X = max(0, at.X-box.Width-6)
	}
	if pos.Y+box.Height > s.Height {
		pos.Y = max(0, at.Y-box.Height-6)
	}
	v.tipBg.Move(pos)
	v.tipBg.Resize(box)
	v.tip.Move(pos.AddXY(pad, pad/2))
	v.tip.Resize(ts)
	v.tipBg.Show()
	v.tip.Show()
	// The whole widget: moving and showing its parts alone does not
	// always get them painted.
	canvas.Refresh(v)
}

func (v *chartView) hideTip() {
	if !v.tip.Visible() {
		return
	}
	v.tip.Text = ""
	v.tip.Hide()
	v.tipBg.Hide()
	canvas.Refresh(v)
}

// Tapped selects the customers behind the element clicked.
func (v *chartView) Tapped(e *fyne.PointEvent) {
	el, ok := v.at(e.Position)
	if !ok || !v.selects || v.p == nil {
		return
	}
	v.selectElement(el)
}

// load builds and shows one of core's charts off the UI goroutine.
func (v *chartView) load(p *project, req *latest, spec core.ChartSpec) {
	ctx := req.start(p.ctx)
	v.p, v.spec, v.selects = p, spec, core.ChartSelects(spec.Kind)
	v.message(i18n.T("Drawing…"))
	async(p, ctx, func(ctx context.Context) (*plot.Plot, error) {
		return p.ws.Chart(ctx, spec)
	}, func(pl *plot.Plot, err error) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(err, chart.ErrNoData):
			v.message(i18n.T("No values to draw."))
		case err != nil:
			v.message(sentence(i18n.Error(err)))
		default:
			v.setPlot(pl)
		}
	})
}

// showPlot shows a chart built in the UI (from numbers already at hand),
// building it off the UI goroutine; its Save button saves it.
func showPlot(p *project, v *chartView, req *latest, base string, build func() (*plot.Plot, error)) {
	ctx := req.start(p.ctx)
	v.p, v.spec, v.selects = p, core.ChartSpec{}, false
	v.save.OnTapped = func() { savePlot(p, base, build) }
	v.message(i18n.T("Drawing…"))
	async(p, ctx, func(ctx context.Context) (*plot.Plot, error) {
		return build()
	}, func(pl *plot.Plot, err error) {
		if ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(err, chart.ErrNoData):
			v.message(i18n.T("Nothing to draw for this model."))
		case err != nil:
			v.message(sentence(i18n.Error(err)))
		default:
			v.setPlot(pl)
		}
	})
}

// image is the chart as last drawn, for tests and screenshots.
func (v *chartView) image() image.Image { return v.img.Image }
