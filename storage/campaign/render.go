package campaign

import (
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Content is a rendered message.
type Content struct {
	Subject, Text, HTML string
}

// Templates are a variant's parsed templates. Subject and text are plain
// text; HTML is escaped as HTML (a name like <b>Ann</b> cannot inject
// markup). A field the data lack is an error, found at preview.
type Templates struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// Parse parses a variant's templates; {{.first_name}} inserts a field.
func Parse(v Variant) (*Templates, error) {
	t := &Templates{}
	var err error
	if t.subject, err = texttemplate.New("subject").Option("missingkey=error").Parse(v.Subject); err != nil {
		return nil, fmt.Errorf("variant %s, subject: %v", v.Name, cleanTemplateError(err))
	}
	if t.text, err = texttemplate.New("text").Option("missingkey=error").Parse(v.Text); err != nil {
		return nil, fmt.Errorf("variant %s, text: %v", v.Name, cleanTemplateError(err))
	}
	if v.HTML != "" {
		if t.html, err = htmltemplate.New("html").Option("missingkey=error").Parse(v.HTML); err != nil {
			return nil, fmt.Errorf("variant %s, HTML: %v", v.Name, cleanTemplateError(err))
		}
	}
	return t, nil
}

// Render fills the templates with one customer's fields.
func (t *Templates) Render(data map[string]string) (Content, error) {
	var c Content
	var b strings.Builder
	if err := t.subject.Execute(&b, data); err != nil {
		return c, fmt.Errorf("subject: %v", cleanTemplateError(err))
	}
	c.Subject = b.String()
	b.Reset()
	if err := t.text.Execute(&b, data); err != nil {
		return c, fmt.Errorf("text: %v", cleanTemplateError(err))
	}
	c.Text = b.String()
	if t.html != nil {
		b.Reset()
		if err := t.html.Execute(&b, data); err != nil {
			return c, fmt.Errorf("HTML: %v", cleanTemplateError(err))
		}
		c.HTML = b.String()
	}
	return c, nil
}

// cleanTemplateError turns "template: text:1:7: executing \"text\" at
// <.frist_name>: map has no entry for key \"frist_name\"" into words.
func cleanTemplateError(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, `map has no entry for key "`); i >= 0 {
		key := strings.TrimSuffix(msg[i+len(`map has no entry for key "`):], `"`)
		return fmt.Sprintf("there is no field %q (use a column of the customer table, e.g. {{.first_name}})", key)
	}
	if i := strings.LastIndex(msg, ": "); strings.HasPrefix(msg, "template: ") && i > 0 {
		return msg[i+2:]
	}
	return msg
}
