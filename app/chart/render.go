package chart

import (
	"bytes"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Default chart size: wide enough for ten long category labels and their
// values at the theme's font sizes.
const (
	DefaultWidth  = 8 * vg.Inch
	DefaultHeight = 5 * vg.Inch
)

// DPI is the resolution of PNG files written by [Save] and [Render]: twice
// a screen's 96 dpi, so pasted into a slide or report they stay sharp.
const DPI = 192

// screenDPI is the resolution [PNG] draws at: one pixel per screen pixel.
const screenDPI = 96

// maxPixels bounds PNG size so a mistyped size cannot exhaust memory.
const maxPixels = 64 << 20

// Save writes p to path as PNG, SVG or PDF, chosen by the extension.
// The file is written only once rendering succeeded, so a failure never
// leaves a half-written chart behind.
func Save(p *plot.Plot, path string, width, height vg.Length) error {
	ext := strings.ToLower(filepath.Ext(path))
	if !supported(ext) {
		return i18n.Errorf("chart: cannot save %s: unsupported file type %q; use .png, .svg or .pdf", path, ext)
	}
	var buf bytes.Buffer
	if err := Render(p, ext, width, height, &buf); err != nil {
		return err
	}
	// Write beside the target and rename, so an existing file is replaced
	// only by a whole new one.
	tmp := filepath.Join(filepath.Dir(path), ".part-"+filepath.Base(path))
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return i18n.Errorf("cannot save the chart to %s: check that the folder exists and that you may write there", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return i18n.Errorf("cannot save the chart to %s: %v", path, err)
	}
	return nil
}

func supported(format string) bool {
	switch strings.TrimPrefix(format, ".") {
	case "png", "svg", "pdf":
		return true
	}
	return false
}

// Render writes p to out in format "png", "svg" or "pdf" (case and a
// leading dot are ignored). SVG text uses Liberation Sans without
// embedding it; viewers without it fall back to Arial, which has the same
// metrics, so the layout holds while files stay small. Chinese text names
// the CJK font's family (not embedded either); viewers without it use
// their own CJK font.
func Render(p *plot.Plot, format string, width, height vg.Length, out io.Writer) error {
	format = strings.ToLower(strings.TrimPrefix(format, "."))
	if !supported(format) {
		return i18n.Errorf("chart: unsupported format %q; use png, svg or pdf", format)
	}
	if err := check(p, width, height); err != nil {
		return err
	}
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		if err := checkPixels(width, height, DPI); err != nil {
			return err
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI))}
	case "svg":
		c = vgsvg.New(width, height)
	case "pdf":
		c = pdfCanvas{vgpdf.New(width, height)}
	}
	if err := drawSafe(p, c); err != nil {
		return err
	}
	if _, err := c.WriteTo(out); err != nil {
		return i18n.Errorf("chart: writing %s: %w", format, err)
	}
	return nil
}

// PNG draws p as an image of exactly wPx×hPx pixels at 96 dpi, for the GUI
// to show. On a HiDPI screen pass the physical pixel size.
func PNG(p *plot.Plot, wPx, hPx int) (image.Image, error) {
	if wPx <= 0 || hPx <= 0 {
		return nil, i18n.Errorf("chart: image size %d×%d px must be positive", wPx, hPx)
	}
	w := vg.Length(wPx) * vg.Inch / screenDPI
	h := vg.Length(hPx) * vg.Inch / screenDPI
	if err := check(p, w, h); err != nil {
		return nil, err
	}
	if err := checkPixels(w, h, screenDPI); err != nil {
		return nil, err
	}
	// Draw into an image of the exact size rather than derive it from
	// lengths, which could round a pixel off.
	img := image.NewRGBA(image.Rect(0, 0, wPx, hPx))
	c := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(screenDPI))
	if err := drawSafe(p, c); err != nil {
		return nil, err
	}
	return c.Image(), nil
}

func check(p *plot.Plot, w, h vg.Length) error {
	if p == nil {
		return i18n.Errorf("chart: no plot to render")
	}
	if !(w > 0 && h > 0) {
		return i18n.Errorf("chart: size %v×%v must be positive", w, h)
	}
	return nil
}

func checkPixels(w, h vg.Length, dpi float64) error {
	px := w.Dots(dpi) * h.Dots(dpi)
	if px > maxPixels {
		return i18n.Errorf("chart: %v×%v at %v dpi is %.0f megapixels, more than the %d allowed",
			w, h, dpi, px/(1<<20), maxPixels>>20)
	}
	return nil
}

// drawSafe draws p inside a margin. gonum/plot panics on some bad input
// (a log axis with zero, say); a broken chart must not take the GUI down.
func drawSafe(p *plot.Plot, c vg.CanvasSizer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = i18n.Errorf("chart: cannot draw %q: %v", p.Title.Text, r)
		}
	}()
	dc := draw.New(c)
	if p.BackgroundColor != nil {
		// Paint the margin too; SVG and PDF would leave it transparent.
		dc.SetColor(p.BackgroundColor)
		dc.Fill(dc.Rectangle.Path())
	}
	inner := draw.Crop(dc, margin, -margin, margin, -margin)
	fitTicks(p, inner).Draw(inner)
	return nil
}

// pdfCanvas fixes text for gonum/plot v0.17's PDF backend, which embeds
// fonts with the Windows-1252 code page but passes text through as UTF-8,
// so "Fidèles" came out as "FidÃ¨les". Text in that code page is re-encoded
// here; text with other characters (Polish, Greek, CJK, ...) or drawn with
// the CJK font is drawn as glyph outlines, so it looks the same as in PNG
// and SVG, though a PDF reader cannot select or search it.
type pdfCanvas struct{ *vgpdf.Canvas }

func (c pdfCanvas) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Typeface != cjkTypeface {
		if b, ok := toCP1252(s); ok {
			c.Canvas.FillString(f, pt, b)
			return
		}
	}
	fillOutlines(c, f, pt, s)
}

// toCP1252 encodes s in Windows-1252, reporting whether every character
// has a code there.
func toCP1252(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		e, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			return "", false
		}
		b = append(b, e)
	}
	return string(b), true
}
