package llm

import (
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Channel is the kind of copy to write.
type Channel string

// The channels copy can be written for.
const (
	EmailSubject Channel = "email-subject"
	EmailBody    Channel = "email-body"
	SMS          Channel = "sms"
	Push         Channel = "push"
)

// Channels lists the channels in the order the GUI offers them.
func Channels() []Channel { return []Channel{EmailSubject, EmailBody, SMS, Push} }

// ParseChannel accepts a channel as the user types it ("SMS", "subject").
func ParseChannel(s string) (Channel, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "email-subject", "subject", "subject-line", "email_subject":
		return EmailSubject, nil
	case "email-body", "email", "body", "email_body":
		return EmailBody, nil
	case "sms", "text":
		return SMS, nil
	case "push", "push-notification":
		return Push, nil
	}
	names := make([]string, 0, 4)
	for _, c := range Channels() {
		names = append(names, string(c))
	}
	return "", i18n.Errorf("unknown channel %q; choose one of: %s", s, strings.Join(names, ", "))
}

// Label is the channel in words, for prompts and screens.
func (c Channel) Label() string {
	switch c {
	case EmailSubject:
		return "e-mail subject line"
	case EmailBody:
		return "e-mail"
	case SMS:
		return "SMS text message"
	case Push:
		return "push notification"
	}
	return string(c)
}

// Limits of each channel, in characters. An SMS is limited by its
// encoding instead (see SMSLength); these are what the guardrails check.
const (
	// SubjectLimit: longer subjects are cut off in most inboxes, on phones
	// well before that.
	SubjectLimit = 60
	// BodyLimit keeps a campaign e-mail short enough to be read.
	BodyLimit = 1500
	// PushLimit is about what a lock screen shows without expanding.
	PushLimit = 120
	// FieldLength is how many characters a personalisation field such as
	// {{.first_name}} is counted as when lengths are checked: the real
	// value is only known per customer.
	FieldLength = 10
)

// limit is the channel's length limit in characters; for SMS the GSM-7
// single-message limit (UCS-2 texts get 70, decided per text).
func (c Channel) limit() int {
	switch c {
	case EmailSubject:
		return SubjectLimit
	case EmailBody:
		return BodyLimit
	case SMS:
		return GSMLimit
	case Push:
		return PushLimit
	}
	return 0
}

// oneLine says whether each variant of the channel is a single line.
func (c Channel) oneLine() bool { return c != EmailBody }
