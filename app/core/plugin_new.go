package core

import "github.com/marketbench/marketbench/plugins/scaffold"

// NewPluginModule writes a new plugin as a ready Go module (see package
// scaffold); it needs no project.
func NewPluginModule(o scaffold.Options) (*scaffold.Result, error) { return scaffold.Generate(o) }
