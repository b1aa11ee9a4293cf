package llm

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Severity of a finding: an Error means the variant should not be sent as
// it is; a Warning deserves a look; Info reports what was changed.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Guardrail checks.
const (
	LengthCheck = "length"
	FieldsCheck = "fields"
	SpamCheck   = "spam"
	FormatCheck = "format"
)

// Finding is one guardrail's verdict on a variant.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

func (f Finding) String() string { return fmt.Sprintf("%s (%s): %s", f.Severity, f.Check, f.Message) }

// Variant is one generated text with its guardrail findings. Subject and
// Text are what a campaign variant takes: Subject is set for e-mail
// subjects and e-mails, Text for e-mails, SMS and push.
type Variant struct {
	Index   int    `json:"index"`
	Subject string `json:"subject,omitempty"`
	Text    string `json:"text,omitempty"`
	// Length is the length checked against Limit: characters, with each
	// field counted as FieldLength; for SMS, GSM-7 septets or UCS-2 units.
	Length int `json:"length"`
	Limit  int `json:"limit"`
	// SMS is set for SMS variants.
	SMS *SMSLength `json:"sms,omitempty"`
	// Fields are the personalisation fields the variant uses.
	Fields   []string  `json:"fields,omitempty"`
	Spam     Spam      `json:"spam"`
	Findings []Finding `json:"findings,omitempty"`
}

// OK says whether no guardrail found an error.
func (v *Variant) OK() bool {
	for _, f := range v.Findings {
		if f.Severity == Error {
			return false
		}
	}
	return true
}

// Copy is the variant's main text: the subject for subject lines, else
// the text.
func (v *Variant) Copy() string {
	if v.Text == "" {
		return v.Subject
	}
	return v.Text
}

// Check runs the guardrails over a variant of a channel, given the
// personalisation fields available. It normalises the text (placeholders
// in canonical form, unknown ones removed, typographic characters in an
// SMS replaced with GSM-7 ones) and fills Length, Limit, SMS, Fields, Spam
// and Findings.
func Check(v Variant, ch Channel, fields []string) Variant {
	v.Findings = nil
	v.Subject = strings.TrimSpace(v.Subject)
	v.Text = strings.TrimSpace(v.Text)
	if ch == SMS || ch == Push || ch == EmailSubject {
		// One line: a subject or SMS with line breaks is a formatting slip.
		v.Subject = strings.Join(strings.Fields(v.Subject), " ")
		if ch != SMS {
			v.Text = strings.Join(strings.Fields(v.Text), " ")
		}
	}
	if ch == SMS {
		if fixed := gsmFriendly.Replace(v.Text); fixed != v.Text {
			v.Text = fixed
			v.Findings = append(v.Findings, Finding{Check: LengthCheck, Severity: Info,
				Message: i18n.T("typographic quotes, dashes or ellipses replaced with plain ones so the SMS stays GSM-7")})
		}
	}
	var used []string
	for _, p := range []*string{&v.Subject, &v.Text} {
		t, u, fs := fixFields(*p, fields)
		*p = t
		used = append(used, u...)
		v.Findings = append(v.Findings, fs...)
	}
	v.Fields = dedupe(used)
	switch ch {
	case EmailSubject:
		if v.Subject == "" {
			v.Subject, v.Text = v.Text, ""
		}
	}
	if strings.TrimSpace(v.Copy()) == "" {
		v.Findings = append(v.Findings, Finding{Check: FormatCheck, Severity: Error, Message: i18n.T("the variant is empty")})
	}
	measured := withFieldsAs(v.Copy(), FieldLength)
	v.Limit = ch.limit()
	switch ch {
	case SMS:
		l := MeasureSMS(measured)
		v.SMS, v.Length, v.Limit = &l, l.Units, l.Limit
		if !l.Fits() {
			v.Findings = append(v.Findings, Finding{Check: LengthCheck, Severity: Error,
				Message: i18n.T("%d of %d %s characters: it would go out as %d messages", l.Units, l.Limit, l.Encoding, l.Parts)})
		}
		if l.Encoding == UCS2 {
			v.Findings = append(v.Findings, Finding{Check: LengthCheck, Severity: Warning,
				Message: i18n.T("%s not in the GSM-7 alphabet, so the SMS is sent as UCS-2 and holds 70 characters, not 160",
					quoteList(l.NotGSM))})
		}
	default:
		v.Length = utf8.RuneCountInString(measured)
		if v.Length > v.Limit {
			v.Findings = append(v.Findings, Finding{Check: LengthCheck, Severity: lengthSeverity(ch),
				Message: i18n.T("%d characters, over the %d for a %s", v.Length, v.Limit, ch.Label())})
		}
	}
	if ch == EmailBody && v.Subject != "" {
		if n := utf8.RuneCountInString(withFieldsAs(v.Subject, FieldLength)); n > SubjectLimit {
			v.Findings = append(v.Findings, Finding{Check: LengthCheck, Severity: Warning,
				Message: i18n.T("subject: %d characters, over the %d most inboxes show", n, SubjectLimit)})
		}
	}
	v.Spam = CheckSpam(strings.TrimSpace(v.Subject + "\n" + v.Text))
	switch {
	case v.Spam.Score >= SpamHigh:
		v.Findings = append(v.Findings, Finding{Check: SpamCheck, Severity: Error,
			Message: i18n.T("spam score %d (high): %s", v.Spam.Score, strings.Join(v.Spam.Triggers, ", "))})
	case v.Spam.Score >= SpamMedium:
		v.Findings = append(v.Findings, Finding{Check: SpamCheck, Severity: Warning,
			Message: i18n.T("spam score %d (medium): %s", v.Spam.Score, strings.Join(v.Spam.Triggers, ", "))})
	}
	return v
}

// lengthSeverity: a long subject or e-mail still arrives; a long push is
// cut off.
func lengthSeverity(ch Channel) Severity {
	if ch == Push {
		return Error
	}
	return Warning
}

func quoteList(cs []string) string {
	q := make([]string, len(cs))
	for i, c := range cs {
		q[i] = fmt.Sprintf("%q", c)
	}
	if len(q) == 1 {
		return q[0] + " is"
	}
	return strings.Join(q, " ") + " are"
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
