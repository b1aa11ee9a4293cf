package sdk

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/mem"
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

// windowBytes is the HTTP/2 flow-control window, per stream and per
// connection, on both sides. gRPC's default starts at 64 KB and grows by
// estimating the bandwidth-delay product; a fixed window of a few batches
// lets the sender run ahead while the receiver works.
const windowBytes = 32 << 20

// frameBytes is the largest HTTP/2 frame payload gRPC sends and accepts.
const frameBytes = 16 << 10

// framePool is the gRPC buffer pool of both sides: gRPC's default pool,
// except that it does not clear the buffers of up to a frame (16 KB) it
// hands out again. gRPC reads each received DATA frame into such a buffer,
// which it fills entirely before reading it (as every use of the pool in
// gRPC fills what it gets), so clearing it first is wasted work: with
// megabyte batches, it costs as much as copying them once more.
type framePool struct{ p sync.Pool }

var frames = &framePool{}

func (f *framePool) Get(n int) *[]byte {
	if n > frameBytes {
		return mem.DefaultBufferPool().Get(n)
	}
	if b, ok := f.p.Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, frameBytes)
	return &b
}

func (f *framePool) Put(b *[]byte) {
	if cap(*b) == frameBytes {
		f.p.Put(b)
		return
	}
	mem.DefaultBufferPool().Put(b)
}

// serverOptions are the plugin's gRPC settings. On both sides gRPC's socket
// read buffer is off: gRPC then reads each DATA frame straight from the TLS
// connection into the frame's own buffer, where a buffered reader would copy
// every byte once more. Both force Codec.
func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.InitialWindowSize(windowBytes), grpc.InitialConnWindowSize(windowBytes),
		grpc.ReadBufferSize(0),
		experimental.BufferPool(frames), grpc.ForceServerCodecV2(Codec),
	}
}

// DialOptions are the host's gRPC settings, the counterpart of the
// plugin's: sdk/client dials with them.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes),
			grpc.ForceCodecV2(Codec)),
		grpc.WithInitialWindowSize(windowBytes), grpc.WithInitialConnWindowSize(windowBytes),
		grpc.WithReadBufferSize(0),
		experimental.WithBufferPool(frames),
	}
}

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
		VersionedPlugins: PluginSets(&GRPCPlugin{impl: newServer(p, o.logger)}),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, serverOptions()...)...)
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
