package campaign

import (
	"regexp"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/contact"
)

// Reasons (why a customer is left out, why a delivery failed or is in
// doubt) are stored in the project in English: they are data, in the
// delivery log and its exports. ReasonWords tells one in the language in
// use.

// reasons are the fixed reasons stored by SQL or by other packages, marked
// for the catalogue.
var _ = []string{
	i18n.Mark("marked sent by the user"),
	i18n.Mark("not sent (checked by the user)"),
	i18n.Mark("no longer in the audience"),
	i18n.Mark("hard bounce"),
	i18n.Mark("unsubscribed"),
}

// A campaign's statuses (draft, sending, paused, done) are stored in
// English too; the GUI and the CLI show them through i18n.T. Those no other
// list marks:
var _ = []string{i18n.Mark("draft"), i18n.Mark("done")}

var (
	notInTableRE = regexp.MustCompile(`^not in the customer table (.+)$`)
	gaveUpRE     = regexp.MustCompile(`^gave up after (\S+) attempts(?:: (.*))?$`)
)

// ReasonWords returns a stored reason (or its Cause) in the language in
// use; a reason from a plugin or a person stays as it is.
func ReasonWords(reason string) string {
	if w, ok := contact.Words(reason); ok {
		return w
	}
	if m := notInTableRE.FindStringSubmatch(reason); m != nil {
		return i18n.T("not in the customer table %s", m[1])
	}
	if m := gaveUpRE.FindStringSubmatch(reason); m != nil {
		if m[2] == "" {
			return i18n.T("gave up after %s attempts", m[1])
		}
		return i18n.T("gave up after %s attempts: %s", m[1], ReasonWords(m[2]))
	}
	return i18n.T(reason)
}
