package sdk

import (
	"embed"
	"io/fs"
)

// moduleFiles is this module's source. `marketbench plugin new` writes a
// copy of it into a new plugin (the SDK is not on the Go module proxy), and
// go:embed cannot reach into another module, so the SDK embeds itself.
// A plugin never calls ModuleFiles, so the linker leaves the files out of
// its binary.
//
//go:embed README.md go.mod go.sum *.go client/*.go phone/*.go plugintest/*.go proto/pluginv1/*.go proto/marketbench/plugin/v1/plugin.proto
var moduleFiles embed.FS

// ModuleFiles is the SDK module's source, tests included, by slash path
// from the module root.
func ModuleFiles() fs.FS { return moduleFiles }
