package ui

import (
	"context"
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
)

// variantTheme is the default theme held to one variant.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// segmentCharts opens the RFM workspace scored as of 2024-04-01 on the
// Segments screen and returns its customers chart.
func segmentCharts(t *testing.T) (*window, *project, *chartView) {
	t.Helper()
	ws := rfmWorkspace(t)
	if _, err := ws.RFM(context.Background(), "orders", "", time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	w, p := open(t, ws)
	p.goTo("Segments")
	idle(t, p)
	c := p.segments.charts[core.ChartSegmentSize]
	if c.image() == nil {
		t.Fatalf("no chart: %q", c.msg.Text)
	}
	return w, p, c
}

// A chart fills its pane pixel for pixel (text keeps its size rather than
// shrink with the image), is drawn again for a new size, and takes the
// window's theme, dark or light.
func TestChartViewFillsPaneInTheme(t *testing.T) {
	w, p, c := segmentCharts(t)
	wantSize := func() {
		t.Helper()
		b, s := c.image().Bounds(), c.Size()
		if b.Dx() != int(s.Width) || b.Dy() != int(s.Height) {
			t.Errorf("chart image %v for a pane of %v", b.Size(), s)
		}
	}
	wantSize()
	c.Resize(fyne.NewSize(c.Size().Width+120, c.Size().Height+60))
	idle(t, p)
	wantSize()

	a := fyne.CurrentApp()
	var backgrounds []color.Color
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		th := variantTheme{theme.DefaultTheme(), v}
		a.Settings().SetTheme(th)
		w.win.Content().Refresh()
		c.Refresh()
		idle(t, p)
		want := chart.ThemeFrom(th.Color(theme.ColorNameBackground, v), th.Color(theme.ColorNameForeground, v)).Background
		got := c.image().At(1, 1)
		if !sameColor(got, want) {
			t.Errorf("variant %v: chart background %v, want the window's %v", v, got, want)
		}
		backgrounds = append(backgrounds, got)
	}
	if sameColor(backgrounds[0], backgrounds[1]) {
		t.Error("dark and light charts have the same background")
	}
}

func sameColor(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return ar>>8 == br>>8 && ag>>8 == bg>>8 && ab>>8 == bb>>8
}

// barAt finds a position over the n-th bar (from the top) of a chart.
func barAt(t *testing.T, c *chartView, n int) (fyne.Position, chart.Element) {
	t.Helper()
	s := c.Size()
	seen := -1
	last := -1
	for y := float32(0); y < s.Height; y++ {
		pos := fyne.NewPos(s.Width/2, y)
		if e, ok := c.at(pos); ok && e.Index != last {
			last, seen = e.Index, seen+1
			if seen == n {
				return pos.AddXY(0, 4), e
			}
		}
	}
	t.Fatalf("no bar %d on the chart", n)
	return fyne.Position{}, chart.Element{}
}

// Pointing at a bar shows its value; clicking it offers its customers,
// which can be saved as a segment of the same size.
func TestChartViewHoverAndSelect(t *testing.T) {
	w, p, c := segmentCharts(t)
	pos, el := barAt(t, c, 0)
	c.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: pos}})
	if !c.tip.Visible() || !strings.HasPrefix(c.tip.Text, el.Label+": ") {
		t.Errorf("tooltip %q (shown: %v) over bar %q", c.tip.Text, c.tip.Visible(), el.Label)
	}
	c.MouseOut()
	if c.tip.Visible() {
		t.Error("the tooltip stays after the pointer left")
	}

	c.Tapped(&fyne.PointEvent{Position: pos})
	idle(t, p)
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("clicking a bar opened nothing")
	}
	want := int64(el.Value)
	if _, ok := find(top, func(l *widget.Label) bool {
		return strings.HasPrefix(l.Text, chart.Number(el.Value)+" customers in rfm_scores where rfm_segment = ")
	}); !ok {
		t.Error("the selection does not say how many customers it holds")
	}
	test.Tap(button(t, top, "Save as segment…"))
	form := w.win.Canvas().Overlays().Top()
	must(t, form, "name entry", func(e *widget.Entry) bool { return e.Text == el.Label }).SetText("from the chart")
	test.Tap(button(t, form, "Save"))
	idle(t, p)
	sums, err := p.ws.Segments(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range sums {
		if s.Name == "from the chart" {
			found = true
			if s.Size != want {
				t.Errorf("saved segment of %d customers, bar of %d", s.Size, want)
			}
		}
	}
	if !found {
		t.Errorf("no segment saved: %v (status %q)", sums, p.status.Text)
	}
	// The rule segments chart, redrawn after the save, shows it.
	rules := p.segments.charts[core.ChartRuleSegments]
	if rules.image() == nil {
		t.Errorf("rule segments chart: %q", rules.msg.Text)
	}
}
