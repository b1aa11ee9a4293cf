// Package sdk is what a Marketbench plugin is written against: one small
// interface per capability (Channel, Model, Source), typed configuration
// the app renders as a form, and Serve, which runs the plugin as a
// separate process talking to Marketbench over gRPC (hashicorp/go-plugin,
// protocol 1, package marketbench.plugin.v1).
//
// A plugin never sees proto types, and needs no cgo: the module depends on
// go-plugin, gRPC, protobuf and Arrow only.
//
//	func main() {
//		sdk.Serve(sdk.Plugin{
//			ID:       "example.com/webhook",
//			Version:  "1.0.0",
//			Channels: []sdk.Channel{&myChannel{}},
//		})
//	}
package sdk

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Version is the SDK version a plugin was built with; the host shows it.
const Version = "1.0.0"

// ProtocolVersion is the go-plugin protocol version this SDK speaks.
const ProtocolVersion = 1

// Kinds of component.
const (
	KindChannel = "channel"
	KindModel   = "model"
	KindSource  = "source"
)

// CapIdempotencyKeys is the capability of a channel whose provider honours
// idempotency keys: a message sent twice with the same key is delivered
// once. The host then resends a message whose fate a crash left unknown;
// without it, such messages are set aside for the user instead.
const CapIdempotencyKeys = "idempotency-keys"

// CapCheckMessages is the capability of a plugin with a channel that
// implements MessageChecker; Serve announces it by itself.
const CapCheckMessages = "check-messages"

// CapReceipts is the capability of a plugin with a channel that implements
// ReceiptReader; Serve announces it by itself.
const CapReceipts = "receipts"

// Plugin is everything a plugin process offers.
type Plugin struct {
	// ID names the plugin, publisher first: "example.com/webhook".
	ID string
	// Version is the plugin's semantic version.
	Version  string
	Channels []Channel
	Models   []Model
	Sources  []Source
	// Capabilities announces additive protocol features.
	Capabilities []string
}

// idRE is a plugin id: a publisher that is a domain name (labels of
// lower-case letters, digits and inner dashes, at least two), a slash, and
// a name of lower-case letters, digits, dots and dashes that starts and
// ends with a letter or digit. Exactly two parts: the host keeps a plugin
// in <publisher>/<name>/<version>/, and lists and removes it by that path.
var idRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)

// MaxIDLength is the longest plugin id.
const MaxIDLength = 100

// CheckID says what is wrong with a plugin id, or nil: it must be
// publisher/name, e.g. example.com/webhook (see idRE).
func CheckID(id string) error {
	if len(id) > MaxIDLength || !idRE.MatchString(id) || strings.Contains(id, "..") {
		return fmt.Errorf("plugin id %q: use publisher/name in lower case, e.g. example.com/webhook: the publisher is a domain name, then one slash and a name of letters, digits, dots and dashes (at most %d characters)", id, MaxIDLength)
	}
	return nil
}

// Validate checks the plugin's description before it is served, so an
// author sees a mistake in their own test rather than in the app.
func (p Plugin) Validate() error {
	var errs []string
	if err := CheckID(p.ID); err != nil {
		errs = append(errs, err.Error())
	}
	if p.Version == "" {
		errs = append(errs, "plugin version is empty")
	}
	if len(p.Channels)+len(p.Models)+len(p.Sources) == 0 {
		errs = append(errs, "the plugin offers no channel, model or source")
	}
	seen := map[string]bool{}
	check := func(kind string, c Component) {
		key := kind + "/" + c.Name
		switch {
		case c.Name == "":
			errs = append(errs, "a "+kind+" has no name")
		case seen[key]:
			errs = append(errs, fmt.Sprintf("two %ss are named %q", kind, c.Name))
		}
		seen[key] = true
		if err := c.checkFields(); err != nil {
			errs = append(errs, fmt.Sprintf("%s %q: %v", kind, c.Name, err))
		}
	}
	for _, c := range p.Channels {
		check(KindChannel, c.Spec())
	}
	for _, m := range p.Models {
		check(KindModel, m.Spec())
	}
	for _, s := range p.Sources {
		check(KindSource, s.Spec())
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Kinds lists the kinds of component p offers.
func (p Plugin) Kinds() []string {
	var out []string
	if len(p.Channels) > 0 {
		out = append(out, KindChannel)
	}
	if len(p.Models) > 0 {
		out = append(out, KindModel)
	}
	if len(p.Sources) > 0 {
		out = append(out, KindSource)
	}
	return out
}
