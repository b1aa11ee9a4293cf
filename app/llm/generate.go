package llm

import (
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// MaxVariants is the most variants one request may ask for.
const MaxVariants = 10

// Request asks for copy.
type Request struct {
	Channel Channel
	// N is how many variants (1..MaxVariants; 0 means 3).
	N     int
	Brief string
	Tone  string
	// Profile is the audience, in aggregates.
	Profile Profile
	// Prompts are the templates; the zero value uses the built-in ones
	// only.
	Prompts Prompts
}

// OfflineSource labels copy written without a language model.
const OfflineSource = "offline templates (no language model)"

// Result is the generated copy.
type Result struct {
	Channel Channel `json:"channel"`
	// Source is what wrote the copy: "ollama llama3.2" or OfflineSource.
	Source  string `json:"source"`
	Offline bool   `json:"offline"`
	Model   string `json:"model,omitempty"`
	URL     string `json:"url,omitempty"`
	// Fallback says why the offline templates were used instead of the
	// model ("" when the model wrote the copy or offline was asked for).
	Fallback string    `json:"fallback,omitempty"`
	Variants []Variant `json:"variants"`
	// Notes are about the request as a whole: a brief redacted, fewer
	// variants than asked.
	Notes []string `json:"notes,omitempty"`
	// System and Prompt are what the model was sent (aggregates only), so
	// users can see and improve them.
	System string `json:"system,omitempty"`
	Prompt string `json:"prompt,omitempty"`
}

// Events receive the copy as it is written. Chunk gets the raw text of
// the variant being written, as it arrives; Variant gets each variant
// once complete, cleaned and checked (that text is authoritative). Either
// may be nil. They are called on the generating goroutine, in order.
type Events struct {
	Chunk   func(variant int, text string)
	Variant func(v Variant)
}

// prepare validates a request and returns it with defaults, a sanitized
// profile and a redacted brief, plus notes on what was changed.
func (r Request) prepare() (Request, []string, error) {
	var notes []string
	if r.Channel == "" {
		return r, nil, i18n.Errorf("choose a channel: email-subject, email-body, sms or push")
	}
	if _, err := ParseChannel(string(r.Channel)); err != nil {
		return r, nil, err
	}
	switch {
	case r.N == 0:
		r.N = 3
	case r.N < 0 || r.N > MaxVariants:
		return r, nil, i18n.Errorf("ask for 1 to %d variants, not %d", MaxVariants, r.N)
	}
	r.Profile = r.Profile.Sanitize()
	r.Brief = strings.TrimSpace(r.Brief)
	if b, changed := Redacted(r.Brief); changed {
		r.Brief = b
		notes = append(notes, i18n.T("the brief contained an e-mail address or phone number; it was removed before writing the copy"))
	}
	if rs := []rune(r.Brief); len(rs) > 2000 {
		r.Brief = string(rs[:2000])
		notes = append(notes, i18n.T("the brief was cut to %s characters", i18n.Number(2000)))
	}
	r.Tone = strings.Join(strings.Fields(r.Tone), " ")
	if rs := []rune(r.Tone); len(rs) > 80 {
		r.Tone = string(rs[:80])
	}
	return r, notes, nil
}

// prompts renders the system and user prompts of a request.
func (r Request) prompts() (system, user string, err error) {
	d := promptData(r)
	if system, err = r.Prompts.Render("system.tmpl", d); err != nil {
		return "", "", err
	}
	user, err = r.Prompts.Render(string(r.Channel)+".tmpl", d)
	return system, user, err
}

// collector gathers checked variants from a splitter.
type collector struct {
	ch       Channel
	fields   []string
	variants []Variant
	ev       Events
}

func (c *collector) done(i int, raw rawVariant) {
	v := Check(raw.variant(i, c.ch), c.ch, c.fields)
	c.variants = append(c.variants, v)
	if c.ev.Variant != nil {
		c.ev.Variant(v)
	}
}

// fewer notes that the model wrote fewer variants than asked.
func fewer(got, want int) []string {
	if got >= want {
		return nil
	}
	return []string{i18n.T("%d of the %d variants asked for were written", got, want)}
}
