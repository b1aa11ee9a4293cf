package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Screens must fit a 1024×700 window: a screen whose minimum size is larger
// makes the window grow past a laptop's screen. The helpers here keep rows
// of controls, long names and types within that.

// flowLayout places objects left to right at their minimum size and starts a
// new line when the width runs out, so a row of controls never makes its
// screen wider than the window. Its minimum height follows the width it was
// last given; Fyne lays the parent out again when that changes, as it does
// for wrapping labels.
type flowLayout struct{ width float32 }

// newFlow returns a row of objects that wraps.
func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{}, objects...)
}

// lines splits the visible objects into lines that fit width.
func (f *flowLayout) lines(objects []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pad := theme.Padding()
	var out [][]fyne.CanvasObject
	var line []fyne.CanvasObject
	x := float32(0)
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if len(line) > 0 && width > 0 && x+pad+w > width {
			out = append(out, line)
			line, x = nil, 0
		}
		if len(line) > 0 {
			x += pad
		}
		line = append(line, o)
		x += w
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

func lineHeight(line []fyne.CanvasObject) float32 {
	h := float32(0)
	for _, o := range line {
		h = max(h, o.MinSize().Height)
	}
	return h
}

func (f *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objects {
		if o.Visible() {
			s.Width = max(s.Width, o.MinSize().Width)
		}
	}
	for i, line := range f.lines(objects, f.width) {
		if i > 0 {
			s.Height += theme.Padding()
		}
		s.Height += lineHeight(line)
	}
	return s
}

func (f *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pad := theme.Padding()
	y := float32(0)
	for _, line := range f.lines(objects, size.Width) {
		h := lineHeight(line)
		x := float32(0)
		for _, o := range line {
			m := o.MinSize()
			o.Resize(fyne.NewSize(min(m.Width, size.Width), h))
			o.Move(fyne.NewPos(x, y))
			x += m.Width + pad
		}
		y += h + pad
	}
}

// captioned keeps a caption with its field when a flow wraps.
func captioned(caption string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewHBox(widget.NewLabel(caption), o)
}

// fixedWidth gives a widget a width of its own inside a row.
func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

func showIf(o fyne.CanvasObject, visible bool) {
	if visible {
		o.Show()
	} else {
		o.Hide()
	}
}

// hoverLabel is a one-line label that ends in an ellipsis when it does not
// fit, and shows its full text in the status line while the pointer is on it
// (Fyne has no tooltips).
type hoverLabel struct {
	widget.Label
	full   string // shown on hover; the label's text when empty
	status *widget.Label
	before string // the status line before the hover, put back after it
	shown  string
}

func newHoverLabel(status *widget.Label) *hoverLabel {
	l := &hoverLabel{status: status}
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// set shows text and, on hover, full.
func (l *hoverLabel) set(text, full string) {
	l.full = full
	l.SetText(text)
}

func (l *hoverLabel) MouseIn(*desktop.MouseEvent) {
	l.shown = l.full
	if l.shown == "" {
		l.shown = l.Text
	}
	l.before = l.status.Text
	l.status.SetText(l.shown)
}

func (l *hoverLabel) MouseMoved(*desktop.MouseEvent) {}

// MouseOut puts the status line back unless something else has since
// written to it.
func (l *hoverLabel) MouseOut() {
	if l.status.Text == l.shown {
		l.status.SetText(l.before)
	}
}

// typeName is a DuckDB type in a marketer's words: "whole number" rather
// than BIGINT. Types without a plain name (lists, structs) are "other".
func typeName(duckType string) string {
	t := strings.ToUpper(strings.TrimSpace(duckType))
	base := strings.SplitN(t, "(", 2)[0]
	switch {
	case strings.HasSuffix(t, "[]") || strings.HasPrefix(t, "STRUCT") || strings.HasPrefix(t, "MAP") || strings.HasPrefix(t, "UNION"):
		return i18n.T("other")
	}
	switch base {
	case "VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "UUID", "ENUM", "JSON":
		return i18n.T("text")
	case "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT":
		return i18n.T("whole number")
	case "FLOAT", "DOUBLE", "REAL", "DECIMAL", "NUMERIC":
		return i18n.T("decimal number")
	case "DATE":
		return i18n.T("date")
	case "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return i18n.T("date and time")
	case "TIME", "TIME WITH TIME ZONE", "TIMETZ":
		return i18n.T("time of day")
	case "INTERVAL":
		return i18n.T("duration")
	case "BOOLEAN", "BOOL":
		return i18n.T("yes/no")
	case "BLOB", "BYTEA":
		return i18n.T("binary data")
	}
	return i18n.T("other")
}
