// Package host finds, verifies, starts, supervises and talks to plugin
// processes (see docs/PLUGINS.md).
package host

import (
	_ "github.com/emersion/go-smtp"
	_ "github.com/marketbench/marketbench/sdk/client"
)
