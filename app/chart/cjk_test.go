package chart

import (
	"bytes"
	"compress/zlib"
	"image"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets"
	"golang.org/x/image/font/gofont/goregular"
	"gonum.org/v1/plot"
)

// chineseBars is a bar chart whose title, value axis and first label are
// Chinese, with seg as the first segment's name.
func chineseBars(t *testing.T, seg string) *plot.Plot {
	t.Helper()
	p, err := Bars("重要价值客户", "金额", []Bar{{Label: seg, Value: 12}, {Label: "Loyal", Value: 7}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// differing counts the pixels where a and b differ.
func differing(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n
}

// Chinese labels are drawn with real glyphs: a font without them draws the
// same empty box for every character, so 上海 and 北京 would look alike.
func TestChineseLabelsPNG(t *testing.T) {
	img := func(seg string) image.Image {
		m, err := PNG(chineseBars(t, seg), 800, 500)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sh, bj, blank := img("上海冠军"), img("北京冠军"), img("    ")
	if n := differing(sh, bj); n < 40 {
		t.Errorf("上海冠军 and 北京冠军 differ in %d pixels: their glyphs are not drawn", n)
	}
	if n := differing(sh, blank); n < 80 {
		t.Errorf("上海冠军 differs from a blank label in %d pixels: the label is empty", n)
	}
	// The title is Chinese too: one with other characters must look different.
	p := chineseBars(t, "上海冠军")
	p.Title.Text = "一般挽留客户"
	other, err := PNG(p, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	if n := differing(sh, other); n < 40 {
		t.Errorf("titles 重要价值客户 and 一般挽留客户 differ in %d pixels", n)
	}
}

// Latin text keeps the theme's font.
func TestLatinKeepsThemeFont(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(chineseBars(t, "上海冠军"), "svg", DefaultWidth, DefaultHeight, &buf); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`font-family:Liberation Sans[^>]*>Loyal</text>`).Match(buf.Bytes()) {
		t.Error("the Latin label Loyal is not in Liberation Sans")
	}
}

func TestChineseLabelsSVG(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(chineseBars(t, "上海冠军"), "svg", DefaultWidth, DefaultHeight, &buf); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`font-family:([^;]*);[^>]*>上海冠军</text>`).FindSubmatch(buf.Bytes())
	if m == nil {
		t.Fatal("no text element holds 上海冠军 in UTF-8")
	}
	if fam := string(m[1]); strings.Contains(fam, "Liberation") {
		t.Errorf("上海冠军 is set in %q, which has no Chinese glyphs", fam)
	}
}

// pdfContent returns the PDF's streams, inflated.
func pdfContent(t *testing.T, pdf []byte) string {
	t.Helper()
	var all strings.Builder
	for _, m := range regexp.MustCompile(`(?s)/Filter /FlateDecode[^>]*>>\s*stream\r?\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(r)
		all.Write(b)
	}
	return all.String()
}

// PDFs draw Chinese (and other letters outside Windows-1252) as glyph
// outlines instead of "?".
func TestChineseLabelsPDF(t *testing.T) {
	render := func(seg string) string {
		var buf bytes.Buffer
		if err := Render(chineseBars(t, seg), "pdf", DefaultWidth, DefaultHeight, &buf); err != nil {
			t.Fatal(err)
		}
		return pdfContent(t, buf.Bytes())
	}
	sh, bj := render("上海冠军"), render("北京冠军")
	shown := func(content string) []string {
		var s []string
		for _, m := range regexp.MustCompile(`\((.*?)\)Tj`).FindAllStringSubmatch(content, -1) {
			s = append(s, m[1])
		}
		return s
	}
	texts := shown(sh)
	if !slices.Contains(texts, "Loyal") {
		t.Fatalf("cannot read the PDF's content stream: Loyal is not among its texts %q", texts)
	}
	for _, s := range texts {
		if strings.Contains(s, "?") {
			t.Errorf("the PDF shows %q: Chinese text became ?", s)
		}
	}
	if sh == bj {
		t.Error("上海冠军 and 北京冠军 give the same PDF: their glyphs are not drawn")
	}
	pl := render("Zażółć")
	for _, s := range shown(pl) {
		if strings.Contains(s, "?") {
			t.Errorf("the PDF shows %q: Polish letters became ?", s)
		}
	}
}

// A system font is used only if it is a readable font with Chinese glyphs.
func TestParseCJK(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if parseCJK(write("cjk.ttf", assets.CJKFont)) == nil {
		t.Error("a CJK font file was not taken")
	}
	if parseCJK(write("latin.ttf", goregular.TTF)) != nil {
		t.Error("a font without Chinese glyphs was taken")
	}
	if parseCJK(write("junk.ttc", []byte("not a font"))) != nil {
		t.Error("a file that is no font was taken")
	}
	if parseCJK(filepath.Join(dir, "missing.ttf")) != nil || parseCJK("") != nil {
		t.Error("a missing file was taken")
	}
	if cjk() == nil {
		t.Error("no CJK font, not even the built-in one")
	}
}
