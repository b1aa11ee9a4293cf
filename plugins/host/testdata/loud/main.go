// Command loud is a channel plugin for the host's logging test: on Open it
// writes one distinct marker by each route a plugin author might use to
// print something after sdk.Serve, and the test checks that every marker
// reaches the plugin's log.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"syscall"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/sdk"
)

type channel struct{}

func (channel) Spec() sdk.Component {
	return sdk.Component{Name: "loud", Title: "Loud", Fields: []string{"email"}}
}

func (channel) Validate(sdk.Config) []sdk.FieldError                 { return nil }
func (channel) Check(context.Context, sdk.Config, sdk.Secrets) error { return nil }

func (channel) Open(context.Context, sdk.Config, sdk.Secrets) (sdk.Session, error) {
	fmt.Println("marker-fmt-println")
	fmt.Fprintln(os.Stderr, "marker-fmt-stderr")
	os.Stdout.Write([]byte("marker-os-stdout-write\n"))
	log.Print("marker-log-print")
	hclog.Default().Info("marker-hclog-default")
	syscall.Write(1, []byte("marker-fd1\n"))
	syscall.Write(2, []byte("marker-fd2\n"))
	// The plugin gets no PATH (the host passes no environment), so the
	// shell is named by its path.
	cmd := exec.Command("/bin/sh", "-c", "echo marker-child-stdout; echo marker-child-stderr >&2")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Print("child: ", err)
	}
	fmt.Println("marker-done")
	return session{}, nil
}

type session struct{}

func (session) Send(_ context.Context, m sdk.Message) sdk.Result { return sdk.Delivered(m.ID) }
func (session) Close() error                                     { return nil }

func main() {
	sdk.Serve(sdk.Plugin{ID: "test.org/loud", Version: "1.0.0", Channels: []sdk.Channel{channel{}}})
}
