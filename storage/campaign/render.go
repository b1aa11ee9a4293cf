package campaign

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Limits of rendering one message. A template is the user's (or a
// colleague's) text: loops over the fields, nested ranges or a huge printf
// width must not fill the memory or stall the app, so each part of a
// message has a size cap and the whole message a time and loop budget.
const (
	// MaxRendered is the most one part of a rendered message (subject,
	// text or HTML) may hold.
	MaxRendered = 64 << 10
	// maxLoopSteps bounds the loop iterations for one customer.
	maxLoopSteps = 100_000
	// maxWidth bounds a printf width or precision.
	maxWidth = 1000
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

	// mu serialises Render: the loop budget below belongs to one call.
	mu       sync.Mutex
	steps    int
	deadline time.Time
}

// MaxRenderTime bounds filling the templates for one customer (a
// variable so a test can shorten it).
var MaxRenderTime = time.Second

// tickName is the function put at the start of every loop body to count
// iterations; a user cannot name it (it is not a valid field name).
const tickName = "mb_loop_step"

var (
	errLoops   = i18n.Errorf("the template loops more than %d times for one customer; a message cannot be that long", maxLoopSteps)
	errTooSlow = i18n.Errorf("filling the template took too long for one customer")
	errTooBig  = i18n.Errorf("the rendered message is over %d KB; a message cannot be that long (check the loops in the template)", MaxRendered>>10)
	errWidth   = i18n.Errorf("printf widths and precisions above %d are not allowed", maxWidth)
)

// Parse parses a variant's templates; {{.first_name}} inserts a field.
func Parse(v Variant) (*Templates, error) {
	t := &Templates{}
	text := texttemplate.FuncMap{tickName: t.tick, "printf": safePrintf}
	var err error
	if t.subject, err = texttemplate.New("subject").Option("missingkey=error").Funcs(text).Parse(v.Subject); err != nil {
		return nil, i18n.Errorf("variant %s, subject: %v", v.Name, cleanTemplateError(err))
	}
	if t.text, err = texttemplate.New("text").Option("missingkey=error").Funcs(text).Parse(v.Text); err != nil {
		return nil, i18n.Errorf("variant %s, text: %v", v.Name, cleanTemplateError(err))
	}
	for _, tt := range append(t.subject.Templates(), t.text.Templates()...) {
		countLoops(tt.Tree)
	}
	if v.HTML != "" {
		// The HTML step returns typed empty JS so that html/template's
		// escaper writes nothing for it in any context, script included.
		html := htmltemplate.FuncMap{tickName: func() (htmltemplate.JS, error) { _, err := t.tick(); return "", err }, "printf": safePrintf}
		if t.html, err = htmltemplate.New("html").Option("missingkey=error").Funcs(html).Parse(v.HTML); err != nil {
			return nil, i18n.Errorf("variant %s, HTML: %v", v.Name, cleanTemplateError(err))
		}
		for _, ht := range t.html.Templates() {
			countLoops(ht.Tree)
		}
	}
	return t, nil
}

// countLoops puts a call of the step counter at the start of every range
// body, so a loop that writes nothing is still bounded.
func countLoops(tree *parse.Tree) {
	if tree == nil || tree.Root == nil {
		return
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.RangeNode:
			if n.List != nil {
				step := &parse.ActionNode{NodeType: parse.NodeAction, Pos: n.Pos, Line: n.Line, Pipe: &parse.PipeNode{
					NodeType: parse.NodePipe, Pos: n.Pos, Line: n.Line,
					Cmds: []*parse.CommandNode{{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{parse.NewIdentifier(tickName).SetPos(n.Pos)}}}}}
				n.List.Nodes = append([]parse.Node{step}, n.List.Nodes...)
			}
			walk(n.List)
			walk(n.ElseList)
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(tree.Root)
}

func (t *Templates) tick() (string, error) {
	t.steps++
	if t.steps > maxLoopSteps {
		return "", errLoops
	}
	if t.steps%256 == 0 && time.Now().After(t.deadline) {
		return "", i18n.Errorf("%w (over %v; a loop that never ends?)", errTooSlow, MaxRenderTime)
	}
	return "", nil
}

// safePrintf is printf without widths that would build a huge string
// before anything is written.
func safePrintf(format string, args ...any) (string, error) {
	star := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		n := 0
		for i++; i < len(format) && strings.IndexByte("+-# 0123456789.*[]", format[i]) >= 0; i++ {
			switch c := format[i]; {
			case c >= '0' && c <= '9':
				if n = n*10 + int(c-'0'); n > maxWidth {
					return "", errWidth
				}
			case c == '*':
				star++
			default:
				n = 0
			}
		}
	}
	if star > 0 {
		for _, a := range args {
			if k, ok := a.(int); ok && (k > maxWidth || k < -maxWidth) {
				return "", errWidth
			}
		}
	}
	return fmt.Sprintf(format, args...), nil
}

// capped is a strings.Builder that refuses to grow past MaxRendered.
type capped struct{ strings.Builder }

func (c *capped) Write(p []byte) (int, error) {
	if c.Len()+len(p) > MaxRendered {
		return 0, errTooBig
	}
	return c.Builder.Write(p)
}

// Render fills the templates with one customer's fields.
func (t *Templates) Render(data map[string]string) (Content, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.steps, t.deadline = 0, time.Now().Add(MaxRenderTime)
	var c Content
	var b capped
	if err := t.subject.Execute(&b, data); err != nil {
		return c, i18n.Errorf("subject: %v", cleanTemplateError(err))
	}
	c.Subject = b.String()
	b = capped{}
	if err := t.text.Execute(&b, data); err != nil {
		return c, i18n.Errorf("text: %v", cleanTemplateError(err))
	}
	c.Text = b.String()
	if t.html != nil {
		b = capped{}
		if err := t.html.Execute(&b, data); err != nil {
			return c, i18n.Errorf("HTML: %v", cleanTemplateError(err))
		}
		c.HTML = b.String()
	}
	return c, nil
}

// cleanTemplateError turns "template: text:1:7: executing \"text\" at
// <.frist_name>: map has no entry for key \"frist_name\"" into words.
func cleanTemplateError(err error) error {
	for _, limit := range []error{errLoops, errTooSlow, errTooBig, errWidth} {
		if errors.Is(err, limit) {
			// The limit's own words, with what it added (not the
			// template package's wrapping).
			for u := err; u != nil; u = errors.Unwrap(u) {
				if strings.HasPrefix(u.Error(), limit.Error()) {
					return u
				}
			}
			return limit
		}
	}
	msg := err.Error()
	if i := strings.Index(msg, `map has no entry for key "`); i >= 0 {
		key := strings.TrimSuffix(msg[i+len(`map has no entry for key "`):], `"`)
		if slices.Contains(RecFields(), key) {
			return i18n.Errorf("there is no field %q: the project has no scored recommendations; score them first ('recommend score', or the Products screen)", key)
		}
		return i18n.Errorf("there is no field %q (use a column of the customer table, e.g. {{.first_name}})", key)
	}
	if i := strings.LastIndex(msg, ": "); strings.HasPrefix(msg, "template: ") && i > 0 {
		return errors.New(msg[i+2:])
	}
	return errors.New(msg)
}
