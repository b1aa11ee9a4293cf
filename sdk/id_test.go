package sdk

import (
	"strings"
	"testing"
)

// Plugin ids are publisher/name with exactly two parts: an id the host
// could install but not list or remove (more parts), or one that is not
// tied to a domain, is refused.
func TestCheckID(t *testing.T) {
	for id, ok := range map[string]bool{
		"example.com/webhook":        true,
		"marketbench.org/csv-folder": true,
		"a-b.c.d/x.y-2":              true,
		"marketbench.org/webhook/x":  false, // three parts
		"webhook":                    false,
		"example/webhook":            false, // not a domain
		"Example.com/webhook":        false,
		"example.com/Webhook":        false,
		"example.com/web_hook":       false,
		"example.com/-x":             false,
		"example.com/x.":             false,
		".example.com/x":             false,
		"example..com/x":             false,
		"example.com/a..b":           false,
		"example-.com/x":             false,
		"example.com/":               false,
		"/x":                         false,
		"example.com/x/":             false,
		"example.com/" + strings.Repeat("x", 100): false,
	} {
		if err := CheckID(id); (err == nil) != ok {
			t.Errorf("%q: %v", id, err)
		}
	}
}
