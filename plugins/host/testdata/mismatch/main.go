// Command mismatch is a channel plugin whose spec disagrees with the
// manifest the host's tests give it (fields, kinds, version, hosts), for
// the consistency check.
package main

import (
	"context"

	"github.com/marketbench/marketbench/sdk"
)

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{Name: "hook", Title: "Hook", Fields: []string{"email", "first_name"},
		Config: []sdk.Field{
			{Name: "url", Type: sdk.URL, Title: "Address", Required: true},
			{Name: "token", Type: sdk.Secret, Title: "Token"},
		}}
}

func (channel) Validate(sdk.Config) []sdk.FieldError                 { return nil }
func (channel) Check(context.Context, sdk.Config, sdk.Secrets) error { return nil }
func (channel) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) {
	return session{}, nil
}

type session struct{}

func (session) Send(_ context.Context, m sdk.Message) sdk.Result { return sdk.Delivered(m.ID) }
func (session) Close() error                                     { return nil }

func main() {
	sdk.Serve(sdk.Plugin{ID: "test.org/mismatch", Version: "1.0.1", Channels: []sdk.Channel{channel{}}})
}
