// Package host finds, verifies, starts, supervises and talks to plugin
// processes (see docs/PLUGINS.md).
package host

// go-smtp is required by plugins/smtp; this keeps it in go.mod until
// that plugin lands.
import _ "github.com/emersion/go-smtp"
