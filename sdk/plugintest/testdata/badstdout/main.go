// Command badstdout is a broken plugin for tests: it prints to stdout
// before serving, which breaks the handshake.
package main

import (
	"context"
	"fmt"

	"github.com/marketbench/marketbench/sdk"
)

type ch struct{}

func (ch) Spec() sdk.Component                  { return sdk.Component{Name: "x"} }
func (ch) Validate(sdk.Config) []sdk.FieldError { return nil }
func (ch) Check(context.Context, sdk.Config, sdk.Secrets) error {
	return nil
}
func (ch) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) { return nil, nil }

func main() {
	fmt.Println("starting up!")
	sdk.Serve(sdk.Plugin{ID: "test.org/badstdout", Version: "0.0.1", Channels: []sdk.Channel{ch{}}})
}
