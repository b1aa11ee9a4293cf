package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

var dark = ThemeFrom(rgb(0x171717), rgb(0xF3F3F3))

// Charts take the theme's background, in the margin and behind the data.
func TestDrawThemes(t *testing.T) {
	p, err := Bars("Customers", "Customers", []Bar{{Label: "Champions", Value: 120}, {Label: "Lost", Value: 30}})
	if err != nil {
		t.Fatal(err)
	}
	for name, th := range map[string]Theme{"light": Light, "dark": dark} {
		img, _, err := Draw(p, 600, 400, 1, th)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range []image.Point{{2, 2}, {598, 398}, {590, 200}} {
			if got := img.At(pt.X, pt.Y); !equal(got, th.Background) {
				t.Errorf("%s: pixel %v is %v, want the background %v", name, pt, got, th.Background)
			}
		}
		// Text is drawn in the theme's ink: some pixels are close to it.
		if n := count(img, func(c color.Color) bool { return near(c, th.Ink) }); n < 50 {
			t.Errorf("%s: %d pixels in the ink colour", name, n)
		}
	}
}

// At 100% the smallest text (tick and bar labels) is at least 12 px
// high: a capital H is at least 0.7 × 12 px tall.
func TestTextSize(t *testing.T) {
	p, err := Bars("", "", []Bar{{Label: "HHHH", Value: 0}})
	if err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1, 2} {
		w, h := int(500*scale), int(300*scale)
		img, _, err := Draw(p, w, h, scale, dark)
		if err != nil {
			t.Fatal(err)
		}
		// The category label is the only text left of the middle.
		top, bottom := h, -1
		for y := range h * 2 / 3 { // above the value axis's labels
			for x := range w / 3 {
				if luminance(img.At(x, y)) > 0.5 {
					top, bottom = min(top, y), max(bottom, y)
				}
			}
		}
		capH := float64(bottom-top+1) / scale
		if bottom < 0 || capH < 0.7*12 || capH > 14 {
			t.Errorf("scale %v: a capital letter is %.1f px high, want 12 px text (8.4–14 px capitals)", scale, capH)
		}
	}
}

// Pointing at a bar finds that bar: each bar's row is found on the image
// by its colour, independently of the layout code.
func TestHitBars(t *testing.T) {
	bars := []Bar{{Label: "Champions", Value: 120, Key: "c"}, {Label: "At Risk", Value: 30, Key: "a"}, {Label: "Lost", Value: 75, Key: "l"}}
	p, err := Bars("Customers", "Customers", bars)
	if err != nil {
		t.Fatal(err)
	}
	img, f, err := Draw(p, 640, 400, 1, Light)
	if err != nil {
		t.Fatal(err)
	}
	runs := colourRuns(img, Colors[0], true)
	if len(runs) != len(bars) {
		t.Fatalf("found %d bars on the image, want %d", len(runs), len(bars))
	}
	for i, r := range runs {
		e, ok := f.At(float64(r.across), float64(r.mid))
		if !ok || e.Kind != BarElement || e.Index != i || e.Key != bars[i].Key || e.Value != bars[i].Value {
			t.Errorf("bar %d at (%d, %d): got %+v, %v", i, r.across, r.mid, e, ok)
		}
		if !strings.Contains(e.Text, bars[i].Label) {
			t.Errorf("bar %d: tooltip %q", i, e.Text)
		}
	}
	if e, ok := f.At(3, 3); ok {
		t.Errorf("the margin hit %+v", e)
	}
}

// Pointing at a histogram's bin finds that bin.
func TestHitHistogram(t *testing.T) {
	bins := []Bin{{0, 10, 5}, {10, 20, 40}, {20, 30, 12}}
	p, err := Histogram("Amounts", "amount", bins)
	if err != nil {
		t.Fatal(err)
	}
	img, f, err := Draw(p, 600, 400, 1, dark)
	if err != nil {
		t.Fatal(err)
	}
	runs := colourRuns(img, Colors[0], false)
	if len(runs) != len(bins) {
		t.Fatalf("found %d bins on the image, want %d", len(runs), len(bins))
	}
	for i, r := range runs {
		e, ok := f.At(float64(r.mid), float64(r.across))
		if !ok || e.Kind != BinElement || e.Index != i || e.Lo != bins[i].Lo || e.Hi != bins[i].Hi || e.Last != (i == 2) {
			t.Errorf("bin %d: got %+v, %v", i, e, ok)
		}
	}
}

// Pointing at a heat map cell finds its scores; the darkest cell is the
// largest value.
func TestHitHeatmap(t *testing.T) {
	var cells [5][5]float64
	for i := range cells {
		for j := range cells[i] {
			cells[i][j] = float64(10 + i + j)
		}
	}
	cells[3][1] = 641 // R 4, F 2
	p, err := Heatmap("RF", cells, "R", "F")
	if err != nil {
		t.Fatal(err)
	}
	img, f, err := Draw(p, 600, 500, 1, dark)
	if err != nil {
		t.Fatal(err)
	}
	hm := &heat{lo: 0, hi: 641, scale: heatScale()}
	darkest := hm.color(641)
	var sx, sy, n int
	b := img.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			if equal(img.At(x, y), darkest) {
				sx, sy, n = sx+x, sy+y, n+1
			}
		}
	}
	if n < 100 {
		t.Fatalf("the darkest cell has %d pixels", n)
	}
	e, ok := f.At(float64(sx/n), float64(sy/n))
	if !ok || e.Kind != CellElement || e.X != 4 || e.Y != 2 || e.Value != 641 {
		t.Errorf("got %+v, %v; want the cell at 4, 2", e, ok)
	}
}

// A colour bar of counts is labelled with whole numbers.
func TestColourBarTicksWhole(t *testing.T) {
	for _, hi := range []float64{641, 7, 1, 3} {
		h := &heat{lo: 0, hi: hi, whole: true, format: Number}
		ticks := h.barTicks()
		if len(ticks) < 2 {
			t.Errorf("hi %v: ticks %v", hi, ticks)
		}
		for _, v := range ticks {
			if v != math.Trunc(v) || strings.ContainsAny(Number(v), ".") {
				t.Errorf("hi %v: tick %v is not a whole number", hi, v)
			}
		}
	}
	var cells [5][5]float64
	cells[0][0], cells[4][4] = 1, 641
	p, _ := Heatmap("t", cells, "R", "F")
	if _, _, err := Draw(p, 500, 400, 1, Light); err != nil {
		t.Fatal(err)
	}
}

// A histogram's note goes under its axis label.
func TestHistogramNote(t *testing.T) {
	p, err := Histogram("t", "amount", []Bin{{0, 1, 3}}, WithNote("12 values above $500 not shown"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p.X.Label.Text, "\n12 values above $500 not shown") {
		t.Errorf("x label %q", p.X.Label.Text)
	}
}

// Tall enough for every bar's label.
func TestMinHeight(t *testing.T) {
	few, _ := Bars("t", "v", []Bar{{Label: "a", Value: 1}})
	many, _ := Bars("t", "v", make([]Bar, 20))
	if a, b := MinHeight(few), MinHeight(many); !(b > a && b >= 20*2*14) {
		t.Errorf("min heights %d (1 bar), %d (20 bars)", a, b)
	}
}

func count(img image.Image, ok func(color.Color) bool) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if ok(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func near(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) bool { return x-y < 0x1800 || y-x < 0x1800 }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

// band is a run of pixels of one colour: rows (horizontal bars) or
// columns (vertical bars); mid is its middle, across a pixel inside it.
type band struct{ mid, across int }

// colourRuns finds the bands of c, top to bottom (rows) or left to right.
func colourRuns(img image.Image, c color.Color, rows bool) []band {
	b := img.Bounds()
	outer, inner := b.Dy(), b.Dx()
	if !rows {
		outer, inner = inner, outer
	}
	at := func(o, i int) color.Color {
		if rows {
			return img.At(i, o)
		}
		return img.At(o, i)
	}
	var out []band
	start, across := -1, 0
	for o := 0; o <= outer; o++ {
		hit := -1
		for i := 0; o < outer && i < inner; i++ {
			if equal(at(o, i), c) {
				hit = i
				break
			}
		}
		switch {
		case hit >= 0 && start < 0:
			start, across = o, hit+1
		case hit < 0 && start >= 0:
			out = append(out, band{mid: (start + o - 1) / 2, across: across})
			start = -1
		}
	}
	return out
}

// Pointing near a marked point of a curve finds it, with its values.
func TestHitPoints(t *testing.T) {
	ks, inertia := []int{1, 2, 3, 4}, []float64{900, 400, 250, 200}
	p, err := Elbow("Elbow", ks, inertia)
	if err != nil {
		t.Fatal(err)
	}
	_, f, err := Draw(p, 600, 400, 1, Light)
	if err != nil {
		t.Fatal(err)
	}
	found := map[int]Element{}
	for y := 0; y < 400; y += 2 {
		for x := 0; x < 600; x += 2 {
			if e, ok := f.At(float64(x), float64(y)); ok && e.Kind == PointElement {
				found[e.Index] = e
			}
		}
	}
	for i, k := range ks {
		e, ok := found[i]
		if !ok || e.X != float64(k) || e.Y != inertia[i] || e.Text == "" {
			t.Errorf("point %d: %+v, found %v", i, e, ok)
		}
	}
	if len(found) != len(ks) {
		t.Errorf("found %d points, want %d", len(found), len(ks))
	}
}

// Files are drawn light whatever the screen's theme: the theme is applied
// while drawing for the screen only, so the plot itself stays light.
func TestSavedChartsStayLight(t *testing.T) {
	p, err := Bars("t", "v", []Bar{{Label: "a", Value: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Draw(p, 300, 200, 1, dark); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(p, "png", DefaultWidth, DefaultHeight, &buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.At(3, 3); !equal(got, paper) {
		t.Errorf("saved chart background %v, want white", got)
	}
}
