package main

import (
	"path/filepath"
	"testing"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/plugintest"
)

func TestConformance(t *testing.T) {
	conn := plugintest.InProcess(t, sdk.Plugin{ID: "example.com/filechannel", Version: "1.0.0", Channels: []sdk.Channel{channel{}}})
	plugintest.Channel(t, conn, plugintest.ChannelCase{
		Component: "file",
		Config:    sdk.Config{"path": filepath.Join(t.TempDir(), "out.jsonl")},
		To:        "ada@example.com",
		Bad:       sdk.Config{"path": "relative.jsonl"},
	})
}

func TestBinary(t *testing.T) {
	bin := plugintest.Build(t, ".") // CGO_ENABLED=0
	plugintest.Smoke(t, bin)        // catches prints to stdout before Serve
	conn := plugintest.Launch(t, bin)
	plugintest.Metadata(t, conn)
}
