package ui

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// configForm is a form generated from a component's declared settings:
// an entry per text field, a choice for an enum, a tick box for a yes/no,
// a password entry for a secret. Help text shows under each field and
// required ones are marked with *.
type configForm struct {
	spec    sdk.Component
	secrets bool
	// widgets by field name, for reading the values back (and for tests).
	widgets map[string]fyne.CanvasObject
	content fyne.CanvasObject
}

// newConfigForm builds the form filled with values (or each field's
// default). Without withSecrets, secret fields are left out with a note:
// they are asked for when sending (or read from the system keyring).
func newConfigForm(spec sdk.Component, values sdk.Config, withSecrets bool) *configForm {
	f := &configForm{spec: spec, secrets: withSecrets, widgets: map[string]fyne.CanvasObject{}}
	var main, advanced []*widget.FormItem
	var later []string
	for _, fd := range spec.Config {
		if fd.Type == sdk.Secret && !withSecrets {
			later = append(later, fieldTitle(fd))
			continue
		}
		v, ok := values[fd.Name]
		if !ok {
			v = fd.Default
		}
		w := fieldWidget(fd, v)
		f.widgets[fd.Name] = w
		label := fieldTitle(fd)
		if fd.Required {
			label += " *"
		}
		item := &widget.FormItem{Text: label, Widget: w, HintText: fd.Help}
		if fd.Advanced {
			advanced = append(advanced, item)
		} else {
			main = append(main, item)
		}
	}
	var objs []fyne.CanvasObject
	if spec.Description != "" {
		objs = append(objs, &widget.Label{Text: sentence(spec.Description), Wrapping: fyne.TextWrapWord})
	}
	if len(main) == 0 && len(advanced) == 0 && len(later) == 0 {
		objs = append(objs, &widget.Label{Text: i18n.T("This channel has no settings."), TextStyle: fyne.TextStyle{Italic: true}})
	}
	if len(main) > 0 {
		objs = append(objs, widget.NewForm(main...))
	}
	if len(advanced) > 0 {
		objs = append(objs, widget.NewAccordion(widget.NewAccordionItem(i18n.T("Advanced settings"), widget.NewForm(advanced...))))
	}
	if len(later) > 0 {
		objs = append(objs, &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Italic: true},
			Text: i18n.T("%s: asked for when you send, or saved in the system keyring (never in the project).", strings.Join(later, ", "))})
	}
	if hasRequired(spec, withSecrets) {
		objs = append(objs, &widget.Label{Text: i18n.T("* required"), TextStyle: fyne.TextStyle{Italic: true}})
	}
	f.content = container.NewVBox(objs...)
	return f
}

func hasRequired(spec sdk.Component, withSecrets bool) bool {
	for _, fd := range spec.Config {
		if fd.Required && (withSecrets || fd.Type != sdk.Secret) {
			return true
		}
	}
	return false
}

func fieldTitle(fd sdk.Field) string {
	if fd.Title != "" {
		return fd.Title
	}
	return fd.Name
}

// fieldWidget picks the widget for a field's type.
func fieldWidget(fd sdk.Field, v string) fyne.CanvasObject {
	switch fd.Type {
	case sdk.Bool:
		c := widget.NewCheck("", nil)
		c.Checked, _ = strconv.ParseBool(strings.TrimSpace(v))
		return c
	case sdk.Enum:
		s := widget.NewSelect(fd.Enum, nil)
		if slices.Contains(fd.Enum, v) {
			s.SetSelected(v)
		}
		return s
	case sdk.Secret:
		e := widget.NewPasswordEntry()
		e.SetText(v)
		return e
	case sdk.Text:
		e := widget.NewMultiLineEntry()
		e.SetText(v)
		e.SetMinRowsVisible(3)
		return e
	}
	e := &widget.Entry{Text: v}
	switch fd.Type {
	case sdk.Int:
		e.PlaceHolder = i18n.T("a whole number")
	case sdk.Float:
		e.PlaceHolder = i18n.T("a number")
	case sdk.URL:
		e.PlaceHolder = "https://…" // i18n:keep
	case sdk.Email:
		e.PlaceHolder = "name@example.com" // i18n:keep
	case sdk.Duration:
		e.PlaceHolder = i18n.T("e.g. %s", "30s or 2m")
	}
	e.ExtendBaseWidget(e)
	return e
}

// values reads the form: plain settings and, when the form has them,
// secrets. Empty fields are left out, so a required one is reported as
// missing rather than as an empty value.
func (f *configForm) values() (sdk.Config, sdk.Secrets) {
	cfg, secrets := sdk.Config{}, sdk.Secrets{}
	for _, fd := range f.spec.Config {
		w, ok := f.widgets[fd.Name]
		if !ok {
			continue
		}
		var v string
		switch x := w.(type) {
		case *widget.Check:
			v = strconv.FormatBool(x.Checked)
		case *widget.Select:
			v = x.Selected
		case *widget.Entry:
			v = x.Text
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		if fd.Type == sdk.Secret {
			secrets[fd.Name] = v
		} else {
			cfg[fd.Name] = v
		}
	}
	return cfg, secrets
}

// setValue fills a field, for tests and for copying settings.
func (f *configForm) setValue(name, v string) bool {
	switch x := f.widgets[name].(type) {
	case *widget.Check:
		on, _ := strconv.ParseBool(v)
		x.SetChecked(on)
	case *widget.Select:
		x.SetSelected(v)
	case *widget.Entry:
		x.SetText(v)
	default:
		return false
	}
	return true
}
