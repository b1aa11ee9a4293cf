package chart

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/marketbench/marketbench/assets"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Chinese (and any other) text the theme's Liberation Sans lacks is drawn
// with a CJK font: a system one when one of the usual files is present,
// otherwise the Droid Sans Fallback built into the binary (assets.CJKFont).
// "Segment 上海冠军" is drawn in two runs: "Segment " in Liberation Sans,
// "上海冠军" in the CJK font.

// cjkTypeface names the CJK font in font.Font values; only this package
// reads it.
const cjkTypeface font.Typeface = "MarketbenchCJK"

// systemCJKFonts are common places of CJK fonts on Linux, macOS and
// Windows, tried in order. A TrueType collection's first font is used.
var systemCJKFonts = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/System/Library/Fonts/STHeiti Medium.ttc",
	"/System/Library/Fonts/STHeiti Light.ttc",
	"/System/Library/Fonts/Hiragino Sans GB.ttc",
	"/Library/Fonts/Arial Unicode.ttf",
	filepath.Join(os.Getenv("WINDIR"), "Fonts", "msyh.ttc"),
	filepath.Join(os.Getenv("WINDIR"), "Fonts", "simhei.ttf"),
	filepath.Join(os.Getenv("WINDIR"), "Fonts", "simsun.ttc"),
}

var (
	cjkOnce sync.Once
	cjkFont *opentype.Font
)

// cjk returns the CJK font, loading it on first use; nil only if even the
// built-in font cannot be read.
func cjk() *opentype.Font {
	cjkOnce.Do(func() {
		for _, path := range systemCJKFonts {
			if f := parseCJK(path); f != nil {
				cjkFont = f
				return
			}
		}
		cjkFont, _ = opentype.Parse(assets.CJKFont)
	})
	return cjkFont
}

// SystemCJKFont reports whether the system has one of the usual CJK fonts;
// without one, the GUI draws Chinese with the built-in font.
func SystemCJKFont() bool {
	for _, path := range systemCJKFonts {
		if parseCJK(path) != nil {
			return true
		}
	}
	return false
}

// parseCJK reads a font file, keeping it only if it has Chinese glyphs.
func parseCJK(path string) *opentype.Font {
	if path == "" || !filepath.IsAbs(path) {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var f *opentype.Font
	if strings.EqualFold(filepath.Ext(path), ".ttc") {
		c, err := opentype.ParseCollection(b)
		if err != nil {
			return nil
		}
		if f, err = c.Font(0); err != nil {
			return nil
		}
	} else if f, err = opentype.Parse(b); err != nil {
		return nil
	}
	if !covers(f, "上海冠军重要价值客户") {
		return nil
	}
	return f
}

// covers reports whether f has a glyph for every printed rune of s.
func covers(f *opentype.Font, s string) bool {
	var buf sfnt.Buffer
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			continue
		}
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			return false
		}
	}
	return true
}

// textHandler is gonum/plot's plain text handler, except that characters
// the theme font lacks are measured and drawn with the CJK font: a line is
// cut into runs of one font each. Heights stay the theme font's, so lines
// keep their places whichever font draws them.
type textHandler struct{ text.Plain }

var handler text.Handler = textHandler{text.Plain{Fonts: font.DefaultCache}}

// run is a piece of a line drawn in one face.
type run struct {
	face font.Face
	text string
}

// runs cuts line into runs: characters the theme font has (and spaces)
// stay in it, the others go to the CJK font when it has them.
func (h textHandler) runs(fnt font.Font, line string) []run {
	base := h.Fonts.Lookup(fnt, fnt.Size)
	if covers(base.Face, line) {
		return []run{{base, line}}
	}
	cf := cjk()
	if cf == nil {
		return []run{{base, line}}
	}
	alt := fnt
	alt.Typeface, alt.Variant = cjkTypeface, ""
	other := font.Face{Font: alt, Face: cf}

	var (
		out   []run
		buf   sfnt.Buffer
		start int
		cur   = -1 // 0 base, 1 other
	)
	for i, r := range line {
		which := cur
		if !unicode.IsSpace(r) || cur < 0 {
			which = 0
			if gi, err := base.Face.GlyphIndex(&buf, r); (err != nil || gi == 0) && !unicode.IsSpace(r) {
				if gi, err := cf.GlyphIndex(&buf, r); err == nil && gi != 0 {
					which = 1
				}
			}
		}
		if which != cur && i > 0 {
			out = append(out, run{[]font.Face{base, other}[cur], line[start:i]})
			start = i
		}
		cur = which
	}
	return append(out, run{[]font.Face{base, other}[cur], line[start:]})
}

// width is the advance of a line drawn as runs.
func width(runs []run) vg.Length {
	var w vg.Length
	for _, r := range runs {
		w += r.face.Width(r.text)
	}
	return w
}

func (h textHandler) Box(txt string, fnt font.Font) (w, height, depth vg.Length) {
	ext := h.Extents(fnt)
	return width(h.runs(fnt, txt)), ext.Ascent, ext.Descent
}

// Draw is text.Plain's Draw, with each line drawn run by run.
func (h textHandler) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if len(txt) == 0 {
		return
	}
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	cos, sin := vg.Length(cos64), vg.Length(sin64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin

	lines := h.Lines(txt)
	pt.Y += sty.Height(txt)*vg.Length(sty.YAlign) - h.Extents(sty.Font).Ascent
	for i, line := range lines {
		runs := h.runs(sty.Font, line)
		at := pt.Add(vg.Point{X: vg.Length(sty.XAlign) * width(runs), Y: vg.Length(len(lines)-i) * sty.Font.Size})
		for _, r := range runs {
			c.FillString(r.face, at, r.text)
			at.X += r.face.Width(r.text)
		}
	}
	if sty.Rotation != 0 {
		c.Pop()
	}
}

// useHandler makes every text of p go through [handler].
func useHandler(p *plot.Plot) {
	p.TextHandler = handler
	p.Title.TextStyle.Handler = handler
	p.Legend.TextStyle.Handler = handler
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Handler = handler
		a.Tick.Label.Handler = handler
	}
}

// fillOutlines draws s as filled glyph outlines of f: the PDF backend can
// only embed fonts with a one-byte code page, so text outside it is drawn
// as shapes rather than letters.
func fillOutlines(c vg.Canvas, f font.Face, pt vg.Point, s string) {
	var (
		buf   sfnt.Buffer
		ppem  = fixed.Int26_6(math.Round(f.Font.Size.Points() * 64))
		x     = pt.X
		prev  sfnt.GlyphIndex
		first = true
	)
	at := func(p fixed.Point26_6) vg.Point {
		return vg.Point{X: x + vg.Length(p.X)/64, Y: pt.Y - vg.Length(p.Y)/64}
	}
	for _, r := range s {
		gi, err := f.Face.GlyphIndex(&buf, r)
		if err != nil {
			continue
		}
		if !first {
			if k, err := f.Face.Kern(&buf, prev, gi, ppem, 0); err == nil {
				x += vg.Length(k) / 64
			}
		}
		first, prev = false, gi
		segs, err := f.Face.LoadGlyph(&buf, gi, ppem, nil)
		if err == nil && len(segs) > 0 {
			var path vg.Path
			for _, sg := range segs {
				switch sg.Op {
				case sfnt.SegmentOpMoveTo:
					if len(path) > 0 {
						path.Close()
					}
					path.Move(at(sg.Args[0]))
				case sfnt.SegmentOpLineTo:
					path.Line(at(sg.Args[0]))
				case sfnt.SegmentOpQuadTo:
					path.QuadTo(at(sg.Args[0]), at(sg.Args[1]))
				case sfnt.SegmentOpCubeTo:
					path.CubeTo(at(sg.Args[0]), at(sg.Args[1]), at(sg.Args[2]))
				}
			}
			path.Close()
			c.Fill(path)
		}
		if adv, err := f.Face.GlyphAdvance(&buf, gi, ppem, 0); err == nil {
			x += vg.Length(adv) / 64
		}
	}
}
