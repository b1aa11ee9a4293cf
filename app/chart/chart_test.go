package chart

import (
	"bytes"
	"errors"
	"flag"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// go test ./app/chart -samples /tmp/chartcheck writes one PNG per sample
// chart, to look at after changing the theme.
var samples = flag.String("samples", "", "directory to write sample charts to for a visual check")

var segmentBars = []Bar{
	{Label: "Champions", Value: 1_254_300},
	{Label: "Loyal Customers", Value: 982_450.5},
	{Label: "Potential Loyalist", Value: 310_200},
	{Label: "New Customers", Value: 45_120},
	{Label: "Promising", Value: 22_800},
	{Label: "Need Attention", Value: 130_400},
	{Label: "About To Sleep", Value: 61_000},
	{Label: "At Risk", Value: 402_700},
	{Label: "Can't Lose Them", Value: 512_900},
	{Label: "Lost", Value: 18_300},
	{Label: "Others", Value: 7_250},
}

var rfCells = [5][5]float64{
	{412, 96, 41, 12, 3},
	{380, 150, 77, 30, 9},
	{290, 210, 132, 64, 22},
	{185, 240, 198, 120, 61},
	{120, 260, 230, 205, 180},
}

var orderBins = []Bin{
	{0, 25, 1_820}, {25, 50, 3_410}, {50, 75, 2_905}, {75, 100, 1_730},
	{100, 150, 1_210}, {150, 200, 604}, {200, 300, 351}, {300, 500, 122}, {500, 1000, 31},
}

// sampleCharts are the charts every render test runs over.
func sampleCharts(t *testing.T) map[string]*plot.Plot {
	t.Helper()
	must := func(p *plot.Plot, err error) *plot.Plot {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var share [5][5]float64
	total := 0.0
	for _, col := range rfCells {
		for _, v := range col {
			total += v
		}
	}
	for i, col := range rfCells {
		for j, v := range col {
			share[i][j] = v / total
		}
	}
	many := make([]Bin, 40)
	for i := range many {
		many[i] = Bin{Lo: float64(i * 50), Hi: float64(i*50 + 50), Count: int64(10_000 / (i + 1))}
	}
	return map[string]*plot.Plot{
		"bars":         must(Bars("Revenue by segment", "Revenue", segmentBars, WithFormat(Money("$", 0)))),
		"bars-counts":  must(Bars("Customers by segment", "Customers", []Bar{{Label: "Champions", Value: 1204}, {Label: "A rather long product category name that goes on", Value: 87}, {Label: "Lost", Value: 3}})),
		"bars-neg":     must(Bars("Change vs last month", "Customers", []Bar{{Label: "Champions", Value: 120}, {Label: "At Risk", Value: -45}, {Label: "Lost", Value: -210}, {Label: "New Customers", Value: 35}})),
		"bars-one":     must(Bars("One", "Value", []Bar{{Label: "Only", Value: 0}})),
		"heatmap":      must(Heatmap("Customers by recency and frequency", rfCells, "Recency score (5 = most recent)", "Frequency score (5 = most orders)")),
		"heatmap-pct":  must(Heatmap("Share of customers", share, "Recency score", "Frequency score", WithFormat(Percent(1)))),
		"histogram":    must(Histogram("Order value", "Order value", orderBins, WithFormat(Money("$", 0)))),
		"histogram-40": must(Histogram("Days since last order", "Days", many)),
		"histogram-1":  must(Histogram("Orders per customer", "Orders", []Bin{{1, 2, 3}})),
	}
}

func TestRenderFormats(t *testing.T) {
	magic := map[string]func([]byte) bool{
		"png": func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) },
		"svg": func(b []byte) bool {
			return bytes.HasPrefix(b, []byte("<?xml")) && bytes.Contains(b[:min(len(b), 300)], []byte("<svg"))
		},
		"pdf": func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF")) },
	}
	for name, p := range sampleCharts(t) {
		for format, ok := range magic {
			var buf bytes.Buffer
			if err := Render(p, format, DefaultWidth, DefaultHeight, &buf); err != nil {
				t.Fatalf("%s as %s: %v", name, format, err)
			}
			if !ok(buf.Bytes()) {
				t.Errorf("%s as %s: wrong file signature %q", name, format, buf.Bytes()[:min(buf.Len(), 16)])
			}
		}
	}
}

func TestRenderPNGSize(t *testing.T) {
	p, err := Bars("t", "v", segmentBars)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(p, ".PNG", 4*vg.Inch, 3*vg.Inch, &buf); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 4*DPI || cfg.Height != 3*DPI {
		t.Errorf("4×3 in at %d dpi: got %d×%d px", DPI, cfg.Width, cfg.Height)
	}
}

func TestPNGSize(t *testing.T) {
	charts := sampleCharts(t)
	for _, size := range [][2]int{{800, 500}, {1001, 333}, {640, 640}, {1600, 1000}} {
		img, err := PNG(charts["heatmap"], size[0], size[1])
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		if b.Dx() != size[0] || b.Dy() != size[1] {
			t.Errorf("PNG(%d, %d) is %d×%d", size[0], size[1], b.Dx(), b.Dy())
		}
		// Something was drawn: the centre is not background white.
		if c := color.RGBAModel.Convert(img.At(b.Dx()/2, b.Dy()/2)); c == color.RGBAModel.Convert(color.White) {
			t.Errorf("PNG(%d, %d): blank centre", size[0], size[1])
		}
	}
	for _, size := range [][2]int{{0, 100}, {100, -1}, {100_000, 100_000}} {
		if _, err := PNG(charts["bars"], size[0], size[1]); err == nil {
			t.Errorf("PNG(%d, %d): no error", size[0], size[1])
		}
	}
}

func TestSave(t *testing.T) {
	p, err := Histogram("h", "x", orderBins)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.svg", "c.pdf", "D.PDF"} {
		path := filepath.Join(dir, name)
		if err := Save(p, path, DefaultWidth, DefaultHeight); err != nil {
			t.Fatalf("Save(%s): %v", name, err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() < 100 {
			t.Errorf("Save(%s) wrote %v, %v", name, fi, err)
		}
	}
	for _, name := range []string{"a.jpg", "a.eps", "noext", "a.png.txt"} {
		path := filepath.Join(dir, name)
		err := Save(p, path, DefaultWidth, DefaultHeight)
		if err == nil || !strings.Contains(err.Error(), "use .png, .svg or .pdf") {
			t.Errorf("Save(%s) = %v, want an unsupported-type error", name, err)
		}
		if _, statErr := os.Stat(path); statErr == nil {
			t.Errorf("Save(%s) left a file behind", name)
		}
	}
	if err := Save(p, filepath.Join(dir, "missing", "x.png"), DefaultWidth, DefaultHeight); err == nil {
		t.Error("Save into a missing directory: no error")
	}
}

func TestRenderErrors(t *testing.T) {
	p, err := Bars("t", "v", segmentBars)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(p, "gif", DefaultWidth, DefaultHeight, &buf); err == nil || !strings.Contains(err.Error(), "use png, svg or pdf") {
		t.Errorf("Render(gif) = %v", err)
	}
	if err := Render(p, "png", 0, DefaultHeight, &buf); err == nil {
		t.Error("Render with zero width: no error")
	}
	if err := Render(nil, "png", DefaultWidth, DefaultHeight, &buf); err == nil {
		t.Error("Render(nil): no error")
	}
	if buf.Len() != 0 {
		t.Errorf("failed renders wrote %d bytes", buf.Len())
	}
}

func TestEmptyInput(t *testing.T) {
	_, err := Bars("t", "v", nil)
	if !errors.Is(err, ErrNoData) {
		t.Errorf("Bars(nil) = %v, want ErrNoData", err)
	}
	_, err = Histogram("t", "x", []Bin{})
	if !errors.Is(err, ErrNoData) {
		t.Errorf("Histogram(empty) = %v, want ErrNoData", err)
	}
	_, err = Heatmap("t", [5][5]float64{}, "x", "y")
	if !errors.Is(err, ErrNoData) {
		t.Errorf("Heatmap(zeros) = %v, want ErrNoData", err)
	}
}

func TestBadInput(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	if _, err := Bars("t", "v", []Bar{{Label: "x", Value: nan}}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("Bars(NaN) = %v, want an error naming the bar", err)
	}
	var cells [5][5]float64
	cells[2][3] = nan
	if _, err := Heatmap("t", cells, "x", "y"); err == nil || !strings.Contains(err.Error(), "3,4") {
		t.Errorf("Heatmap(NaN) = %v, want an error naming the cell", err)
	}
	for name, bins := range map[string][]Bin{
		"reversed": {{5, 1, 3}},
		"negative": {{0, 1, -1}},
		"overlap":  {{0, 10, 1}, {5, 15, 1}},
		"unsorted": {{10, 20, 1}, {0, 10, 1}},
		"nan edge": {{nan, 1, 1}},
	} {
		if _, err := Histogram("t", "x", bins); err == nil {
			t.Errorf("Histogram(%s): no error", name)
		}
	}
	// Gaps between bins are fine.
	if _, err := Histogram("t", "x", []Bin{{0, 1, 1}, {2, 3, 1}}); err != nil {
		t.Errorf("Histogram(gap) = %v", err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		f    func(float64) string
		v    float64
		want string
	}{
		{Number, 0, "0"},
		{Number, 999, "999"},
		{Number, 1000, "1,000"},
		{Number, 1234567, "1,234,567"},
		{Number, -1234567.891, "-1,234,567.89"},
		{Number, 0.5, "0.5"},
		{Number, -0.001, "0"},
		{Number, 100000, "100,000"},
		{Money("$", 0), 1234.51, "$1,235"},
		{Money("$", 2), -1234.5, "-$1,234.50"},
		{Money("€", 2), 0, "€0.00"},
		{Percent(1), 0.1234, "12.3%"},
		{Percent(0), 1, "100%"},
	}
	for _, tc := range tests {
		if got := tc.f(tc.v); got != tc.want {
			t.Errorf("format(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// Cell text must stay readable on every colour of the heat map's scale:
// WCAG asks for a contrast ratio of at least 4.5 for normal text.
func TestHeatTextContrast(t *testing.T) {
	h := &heat{lo: 0, hi: 1, scale: heatScale()}
	for i := 0; i <= 100; i++ {
		bg := h.color(float64(i) / 100)
		fg := textOn(bg)
		l1, l2 := luminance(bg), luminance(fg)
		ratio := (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
		if ratio < 4.5 {
			t.Errorf("value %.2f: contrast %.2f between %v and %v", float64(i)/100, ratio, fg, bg)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("Can't Lose Them"); got != "Can't Lose Them" {
		t.Errorf("shorten cut a short label: %q", got)
	}
	long := strings.Repeat("é", 50)
	if got := shorten(long); len([]rune(got)) != maxLabelRs || !strings.HasSuffix(got, "…") {
		t.Errorf("shorten(%d runes) = %q", 50, got)
	}
}

func TestWriteSamples(t *testing.T) {
	if *samples == "" {
		t.Skip("pass -samples DIR to write sample charts")
	}
	if err := os.MkdirAll(*samples, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, p := range sampleCharts(t) {
		if err := Save(p, filepath.Join(*samples, name+".png"), DefaultWidth, DefaultHeight); err != nil {
			t.Fatal(err)
		}
		img, err := PNG(p, 800, 500)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(*samples, name+"-screen.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"svg", "pdf"} {
		if err := Save(sampleCharts(t)["heatmap"], filepath.Join(*samples, "heatmap."+f), DefaultWidth, DefaultHeight); err != nil {
			t.Fatal(err)
		}
	}
}

func TestValueTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		ticks  valueTicks
		want   []string
	}{
		{0, 1_254_300, valueTicks{format: Money("$", 0)}, []string{"$0", "$250,000", "$500,000", "$750,000", "$1,000,000", "$1,250,000"}},
		{0, 3, valueTicks{format: Number, whole: true}, []string{"0", "1", "2", "3"}},
		{0, 2, valueTicks{format: Money("$", 0)}, []string{"0", "0.5", "1", "1.5", "2"}},
		{-210, 120, valueTicks{format: Number}, []string{"-200", "-100", "0", "100"}},
		{0, 0.001, valueTicks{format: Number}, []string{"0", "0.0002", "0.0004", "0.0006", "0.0008", "0.001"}},
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range tc.ticks.Ticks(tc.lo, tc.hi) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("Ticks(%v, %v) = %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

// Rendering fits the axis ticks to the size on a copy: the plot itself
// must not change, so the GUI can draw it at several sizes at once.
func TestRenderLeavesPlotAlone(t *testing.T) {
	p, err := Bars("t", "v", segmentBars, WithFormat(Money("$", 0)))
	if err != nil {
		t.Fatal(err)
	}
	before := p.X.Tick.Marker.(valueTicks).width
	done := make(chan error)
	for _, w := range []int{300, 800, 1600} {
		go func() { _, err := PNG(p, w, 400); done <- err }()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if after := p.X.Tick.Marker.(valueTicks).width; after != before {
		t.Errorf("axis width changed from %v to %v", before, after)
	}
}

func TestToCP1252(t *testing.T) {
	if got, ok := toCP1252("Fidèles €5 …"); !ok || got != "Fid\xe8les \x805 \x85" {
		t.Errorf("toCP1252 = %q, %v, want %q, true", got, ok, "Fid\xe8les \x805 \x85")
	}
	if _, ok := toCP1252("Zażółć"); ok {
		t.Error("toCP1252 encoded Polish letters Windows-1252 lacks")
	}
}

func TestNonLatinLabels(t *testing.T) {
	p, err := Bars("Ventes par segment", "Montant", []Bar{{Label: "Zażółć gęślą jaźń", Value: 12}, {Label: "Fidèles", Value: 7}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"png", "svg", "pdf"} {
		if err := Render(p, f, DefaultWidth, DefaultHeight, new(bytes.Buffer)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
