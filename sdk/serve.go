package sdk

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the go-plugin handshake of protocol 1. The cookie is not a
// secret: it only stops a plugin binary run by hand from waiting forever.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "MARKETBENCH_PLUGIN",
	MagicCookieValue: "7f3c2a9e-marketbench-plugin-protocol",
}

// MaxMessageBytes is the gRPC message limit on both sides: well above the
// 4 MB default that Arrow batches and stored models can exceed, well below
// 2 GB so a runaway plugin fails clearly.
const MaxMessageBytes = 256 << 20

// PluginName is the go-plugin plugin-set key.
const PluginName = "marketbench"

// GRPCPlugin is the go-plugin glue: the server side serves impl, the
// client side returns the gRPC connection for the host's typed client.
type GRPCPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	impl *server
}

// GRPCServer registers the v1 services.
func (g *GRPCPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	g.impl.register(s)
	return nil
}

// GRPCClient returns the connection; sdk/client wraps it.
func (g *GRPCPlugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}

// PluginSets is what host and plugin agree on, by protocol version.
func PluginSets(impl *GRPCPlugin) map[int]goplugin.PluginSet {
	if impl == nil {
		impl = &GRPCPlugin{}
	}
	return map[int]goplugin.PluginSet{ProtocolVersion: {PluginName: impl}}
}

type serveOptions struct {
	logger   hclog.Logger
	test     *goplugin.ServeTestConfig
	watchdog time.Duration
}

// Option configures Serve.
type Option func(*serveOptions)

// WithLogger replaces the default logger (JSON lines on stderr, which the
// host captures and shows).
func WithLogger(l hclog.Logger) Option { return func(o *serveOptions) { o.logger = l } }

// WithTestConfig serves in-process for sdk/plugintest (go-plugin reattach).
func WithTestConfig(c *goplugin.ServeTestConfig) Option { return func(o *serveOptions) { o.test = c } }

// Serve runs the plugin until the host closes it. Call it from main and
// print nothing to stdout before: the first line on stdout is the
// handshake, and anything else there breaks it. Serve exits the process
// when the host process dies (a watchdog on the parent), so no plugin is
// left running.
func Serve(p Plugin, opts ...Option) {
	o := serveOptions{watchdog: time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if err := p.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "marketbench plugin:", err)
		os.Exit(1)
	}
	if o.logger == nil {
		o.logger = hclog.New(&hclog.LoggerOptions{Name: p.ID, Output: os.Stderr, JSONFormat: true, Level: hclog.Info})
	}
	if o.test == nil && os.Getenv(Handshake.MagicCookieKey) != Handshake.MagicCookieValue {
		fmt.Fprintf(os.Stderr, "%s %s is a Marketbench plugin: install it in Marketbench (Plugins screen or 'marketbench plugin install') instead of running it directly.\n", p.ID, p.Version)
		os.Exit(1)
	}
	if o.test == nil {
		go watchParent(o.watchdog)
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: PluginSets(&GRPCPlugin{impl: newServer(p)}),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes))
			return grpc.NewServer(opts...)
		},
		Logger: o.logger,
		Test:   o.test,
	})
}

// watchParent exits when the process that started the plugin is gone: its
// parent id changes when it dies (the plugin is re-parented). This covers a
// host killed with SIGKILL, which cannot tell its plugins to stop.
func watchParent(every time.Duration) {
	ppid := os.Getppid()
	for {
		time.Sleep(every)
		if os.Getppid() != ppid {
			os.Exit(3)
		}
	}
}
