// Package host finds, verifies, starts, supervises and talks to plugin
// processes (see docs/PLUGINS.md).
package host
