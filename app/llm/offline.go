package llm

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Offline writes copy from the offline templates (offline-<channel>.tmpl):
// no language model, the brief's first sentence and the audience's top
// category slotted into fixed phrasings. It streams like the model does,
// one variant at a time, and the result is labelled OfflineSource.
func Offline(ctx context.Context, r Request, ev Events) (*Result, error) {
	r, notes, err := r.prepare()
	if err != nil {
		return nil, err
	}
	text, err := r.Prompts.Render("offline-"+string(r.Channel)+".tmpl", promptData(r))
	if err != nil {
		return nil, err
	}
	var cands []Variant
	seen := map[string]bool{}
	for _, block := range splitBlocks(text) {
		raw := rawVariant{}
		for i, l := range strings.Split(block, "\n") {
			if r.Channel == EmailBody && i == 0 && subjectRE.MatchString(l) {
				raw.subject = sentenceCase(strings.TrimSpace(l[subjectRE.FindStringIndex(l)[1]:]))
				continue
			}
			raw.lines = append(raw.lines, sentenceCase(strings.TrimRight(l, " ")))
		}
		v := Check(raw.variant(0, r.Channel), r.Channel, r.Profile.Fields)
		if key := v.Subject + "\x00" + v.Text; !seen[key] && strings.TrimSpace(v.Copy()) != "" {
			seen[key] = true
			cands = append(cands, v)
		}
	}
	// Variants that pass the guardrails first, in template order; then the
	// others, shortened to fit where they can be.
	var good, rest []Variant
	for _, v := range cands {
		if v.OK() {
			good = append(good, v)
		} else {
			rest = append(rest, v)
		}
	}
	for _, v := range rest {
		if s := shorten(v, r.Channel, r.Profile.Fields); s.OK() && !seen["short\x00"+s.Copy()] {
			seen["short\x00"+s.Copy()] = true
			good = append(good, s)
		}
	}
	res := &Result{Channel: r.Channel, Source: OfflineSource, Offline: true, Notes: notes}
	for _, v := range good {
		if len(res.Variants) == r.N {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v.Index = len(res.Variants)
		if ev.Chunk != nil {
			ev.Chunk(v.Index, joinCopy(v))
		}
		if ev.Variant != nil {
			ev.Variant(v)
		}
		res.Variants = append(res.Variants, v)
	}
	if len(res.Variants) < r.N {
		res.Notes = append(res.Notes, i18n.T("%d of the %d variants asked for were written (the offline templates have only so many phrasings; a shorter brief fits more of them)",
			len(res.Variants), r.N))
	}
	return res, nil
}

func joinCopy(v Variant) string {
	if v.Subject != "" && v.Text != "" {
		return "Subject: " + v.Subject + "\n\n" + v.Text
	}
	return v.Copy()
}

// splitBlocks splits a rendered offline template at lines of ---.
func splitBlocks(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		if b := strings.TrimSpace(strings.Join(cur, "\n")); b != "" {
			out = append(out, b)
		}
		cur = nil
	}
	for _, l := range strings.Split(text, "\n") {
		if sepRE.MatchString(l) {
			flush()
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return out
}

// shorten cuts a one-line variant that is too long at a word boundary
// (with "..." so an SMS stays GSM-7) and checks it again.
func shorten(v Variant, ch Channel, fields []string) Variant {
	if !ch.oneLine() {
		return v
	}
	p := &v.Text
	if ch == EmailSubject {
		p = &v.Subject
	}
	for i := 0; i < 40 && !v.OK(); i++ {
		s := strings.TrimRight(strings.TrimSuffix(*p, "..."), " ,.;:-")
		cut := strings.LastIndex(s, " ")
		if cut <= 0 || utf8.RuneCountInString(s[:cut]) < 15 {
			return v
		}
		// Never cut a placeholder in half.
		if open := strings.LastIndex(s[:cut], "{{"); open > strings.LastIndex(s[:cut], "}}") {
			cut = open
		}
		*p = strings.TrimRight(s[:cut], " ,;:-") + "..."
		v = Check(v, ch, fields)
		p = &v.Text
		if ch == EmailSubject {
			p = &v.Subject
		}
	}
	return v
}
