// Package client is the host side of the Marketbench plugin protocol: it
// starts a plugin binary (or attaches to one served in-process by
// sdk/plugintest) with the security settings the protocol requires, and
// offers typed calls that hide gRPC and Arrow framing. Marketbench's
// plugins/host builds discovery, verification and supervision on top.
package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/marketbench/marketbench/sdk"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// Config says how to start a plugin binary.
type Config struct {
	// Path is the plugin executable.
	Path string
	Args []string
	// Checksum is the SHA-256 the binary must have (pinned at install);
	// nil skips the check, for development only.
	Checksum []byte
	// Env is the complete environment the plugin gets: the host's own is
	// not passed on (SkipHostEnv).
	Env []string
	// Logger receives the plugin's log lines (its stderr).
	Logger hclog.Logger
	// StartTimeout bounds the handshake; 0 means 10 s.
	StartTimeout time.Duration
	// Redact takes the secrets given to the plugin out of what comes
	// back (errors, results); the host shares it with its log. nil
	// makes one for the connection.
	Redact *Redactor
}

// Conn is a running plugin.
type Conn struct {
	client *goplugin.Client
	cc     *grpc.ClientConn
	// Plugin, Channel, Model and Source are the raw services.
	plugin  pb.PluginClient
	channel pb.ChannelClient
	model   pb.ModelClient
	source  pb.SourceClient
	// proc is the process when the host started it (not a reattach).
	proc *procRunner
	// redact holds the secrets given to the plugin (see Redactor).
	redact *Redactor
}

func dialOptions() []grpc.DialOption { return sdk.DialOptions() }

// Launch starts the plugin at cfg.Path and completes the handshake.
func Launch(cfg Config) (*Conn, error) {
	if cfg.Logger == nil {
		cfg.Logger = hclog.NewNullLogger()
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 10 * time.Second
	}
	if cfg.Checksum != nil {
		// go-plugin's SecureConfig cannot check a program started by a
		// RunnerFunc, so the check is made here, as go-plugin makes it:
		// just before the start.
		sum, err := fileSHA256(cfg.Path)
		if err != nil {
			return nil, fmt.Errorf("the plugin could not be started: %w", err)
		}
		if !bytes.Equal(sum, cfg.Checksum) {
			return nil, fmt.Errorf("%w (expected sha256 %x, the program's is %x)", startError(goplugin.ErrChecksumsDoNotMatch), cfg.Checksum, sum)
		}
	}
	var run *procRunner
	cc := &goplugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: sdk.PluginSets(nil),
		// The host starts the process and reads its output itself, so no
		// line length can stop it reading (see procRunner).
		RunnerFunc: func(l hclog.Logger, spec *exec.Cmd, _ string) (runner.Runner, error) {
			cmd := exec.Command(cfg.Path, cfg.Args...)
			// go-plugin's spec carries the handshake variables.
			cmd.Env = append(append([]string(nil), cfg.Env...), spec.Env...)
			hideWindow(cmd)
			r, err := newProcRunner(cmd, cfg.Logger)
			run = r
			return r, err
		},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		Managed:          true,
		Logger:           cfg.Logger,
		StartTimeout:     cfg.StartTimeout,
		GRPCDialOptions:  dialOptions(),
		// What the plugin writes to os.Stdout and os.Stderr after Serve
		// comes over gRPC; it goes to the plugin's log too.
		SyncStdout: &lineLog{log: cfg.Logger.Named("stdout")},
		SyncStderr: &lineLog{log: cfg.Logger.Named("stderr")},
	}
	conn, err := connect(goplugin.NewClient(cc))
	if err != nil {
		return nil, err
	}
	conn.proc = run
	if cfg.Redact != nil {
		conn.redact = cfg.Redact
	}
	return conn, nil
}

func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// Reattach connects to a plugin served in-process (sdk/plugintest).
func Reattach(rc *goplugin.ReattachConfig) (*Conn, error) {
	return connect(goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: sdk.PluginSets(nil),
		// A reattach config may not carry the protocol version; then
		// go-plugin falls back to Plugins.
		Plugins:          sdk.PluginSets(nil)[sdk.ProtocolVersion],
		Reattach:         rc,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
		GRPCDialOptions:  dialOptions(),
	}))
}

var pollutedRE = regexp.MustCompile(`Unrecognized remote plugin message: (.*)`)

func connect(c *goplugin.Client) (*Conn, error) {
	proto, err := c.Client()
	if err != nil {
		c.Kill()
		return nil, startError(err)
	}
	raw, err := proto.Dispense(sdk.PluginName)
	if err != nil {
		c.Kill()
		return nil, fmt.Errorf("the plugin does not speak the Marketbench protocol: %v", err)
	}
	cc, ok := raw.(*grpc.ClientConn)
	if !ok {
		c.Kill()
		return nil, errors.New("the plugin does not speak the Marketbench protocol over gRPC")
	}
	return &Conn{client: c, cc: cc, plugin: pb.NewPluginClient(cc), channel: pb.NewChannelClient(cc),
		model: pb.NewModelClient(cc), source: pb.NewSourceClient(cc), redact: &Redactor{}}, nil
}

// startError words the ways a start can fail.
func startError(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, goplugin.ErrChecksumsDoNotMatch):
		return fmt.Errorf("the plugin's program has changed since it was installed (checksum mismatch), so it was not started; reinstall it if you trust the new version: %w", err)
	case strings.Contains(msg, "Failed to read any lines from plugin's stdout"):
		return fmt.Errorf("the plugin stopped as soon as it started, without a handshake; see its log: %w", err)
	case pollutedRE.MatchString(msg):
		return fmt.Errorf("the plugin printed %q before its handshake, so it cannot be talked to; it is broken (a print to stdout before sdk.Serve): %w",
			strings.TrimSpace(pollutedRE.FindStringSubmatch(msg)[1]), err)
	case strings.Contains(msg, "Incompatible API version") || strings.Contains(msg, "Incompatible core API version"):
		return fmt.Errorf("the plugin speaks another version of the plugin protocol; update the plugin or Marketbench: %w", err)
	case strings.Contains(msg, "timeout while waiting for plugin to start"):
		return fmt.Errorf("the plugin did not start within the time allowed: %w", err)
	case strings.Contains(msg, "plugin exited before we could connect"):
		return fmt.Errorf("the plugin stopped as soon as it started; see its log: %w", err)
	}
	return fmt.Errorf("the plugin could not be started: %w", err)
}

// Close stops the plugin process, asking it to shut down first.
func (c *Conn) Close() {
	c.client.Kill()
}

// Abort kills the plugin process at once, without the graceful shutdown
// call, which a hung or frozen plugin would never answer.
func (c *Conn) Abort() {
	if c.proc != nil {
		c.proc.Kill(context.Background())
	} else if rc := c.client.ReattachConfig(); rc != nil && rc.Pid > 0 {
		if p, err := os.FindProcess(rc.Pid); err == nil {
			p.Kill()
		}
	}
	c.client.Kill()
}

// Exited reports whether the plugin process has ended.
func (c *Conn) Exited() bool { return c.client.Exited() }

// ReattachConfig describes the running plugin (for tests).
func (c *Conn) ReattachConfig() *goplugin.ReattachConfig {
	rc := c.client.ReattachConfig()
	if rc != nil && rc.Pid == 0 && c.proc != nil {
		cp := *rc
		cp.Pid = c.proc.pid
		return &cp
	}
	return rc
}

// Pid is the plugin's process id (0 when it is not known).
func (c *Conn) Pid() int {
	if c.proc != nil {
		return c.proc.pid
	}
	if rc := c.client.ReattachConfig(); rc != nil {
		return rc.Pid
	}
	return 0
}

// Metadata asks the plugin what it offers.
func (c *Conn) Metadata(ctx context.Context) (*pb.Metadata, error) {
	md, err := c.plugin.GetMetadata(ctx, &pb.GetMetadataRequest{})
	return md, callError(err)
}

// Ping checks that the plugin answers.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.plugin.Ping(ctx, &pb.PingRequest{})
	return callError(err)
}

// callError keeps the plugin's own message and drops gRPC's wrapping.
func callError(err error) error {
	if err == nil {
		return nil
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unimplemented:
			return fmt.Errorf("%w: %s", ErrUnsupported, s.Message())
		case codes.Unavailable:
			return fmt.Errorf("%w: %s", ErrGone, s.Message())
		case codes.DeadlineExceeded:
			return fmt.Errorf("%w: %s", ErrTimeout, s.Message())
		case codes.Internal:
			return internalError(s.Message())
		case codes.Canceled:
			return context.Canceled
		}
		return errors.New(s.Message())
	}
	return err
}

// Errors callers tell apart.
var (
	ErrUnsupported = errors.New("the plugin does not support this")
	ErrGone        = errors.New("the plugin stopped")
	ErrTimeout     = errors.New("the plugin did not answer in time")
	// ErrInternal marks a call that failed inside the plugin: a panic the
	// SDK recovered (one line; the stack is in the plugin's log) or another
	// Internal error. It is a bug in the plugin, not a verdict on the data.
	ErrInternal = errors.New("the plugin failed (a bug in the plugin)")
)

// internalError keeps the plugin's message and matches ErrInternal.
type internalError string

func (e internalError) Error() string        { return string(e) }
func (e internalError) Is(target error) bool { return target == ErrInternal }

// ValidateConfig asks the plugin to check settings.
func (c *Conn) ValidateConfig(ctx context.Context, component string, cfg sdk.Config) ([]sdk.FieldError, error) {
	r, err := c.channel.ValidateConfig(ctx, &pb.ValidateConfigRequest{Component: component, Config: cfg})
	if err != nil {
		return nil, callError(err)
	}
	var out []sdk.FieldError
	for _, e := range r.GetErrors() {
		out = append(out, sdk.FieldError{Field: e.GetField(), Message: e.GetMessage()})
	}
	return out, nil
}

// Check tests a channel's connection; a failed check is an error in the
// plugin's words.
func (c *Conn) Check(ctx context.Context, component string, cfg sdk.Config, secrets sdk.Secrets) error {
	c.redact.Add(secrets)
	r, err := c.channel.Check(ctx, &pb.OpenRequest{Component: component, Config: cfg, Secrets: secrets})
	if err != nil {
		return c.redact.Error(callError(err))
	}
	if !r.GetOk() {
		return errors.New(c.redact.String(r.GetMessage()))
	}
	return nil
}

// CheckMessages asks a channel to check rendered messages against its
// provider's rules (sdk.MessageChecker); one check per message, in order.
// A plugin without the capability gives ErrUnsupported.
func (c *Conn) CheckMessages(ctx context.Context, component string, cfg sdk.Config, msgs []sdk.Message) ([]sdk.MessageCheck, error) {
	req := &pb.CheckMessagesRequest{Component: component, Config: cfg}
	for _, m := range msgs {
		req.Messages = append(req.Messages, sdk.MessageToProto(m))
	}
	r, err := c.channel.CheckMessages(ctx, req)
	if err != nil {
		return nil, callError(err)
	}
	if len(r.GetChecks()) != len(msgs) {
		return nil, fmt.Errorf("the plugin checked %d messages of %d", len(r.GetChecks()), len(msgs))
	}
	out := make([]sdk.MessageCheck, len(msgs))
	for i, ch := range r.GetChecks() {
		out[i] = sdk.MessageCheck{Problems: ch.GetProblems(), Notes: ch.GetNotes()}
	}
	return out, nil
}

// Receipts asks a channel for delivery receipts (sdk.ReceiptReader). A
// receipt with a status other than delivered or failed is dropped: the
// host records only final states. A plugin without the capability gives
// ErrUnsupported.
func (c *Conn) Receipts(ctx context.Context, component string, cfg sdk.Config, secrets sdk.Secrets, qs []sdk.ReceiptQuery) ([]sdk.Receipt, error) {
	req := &pb.ReceiptsRequest{Component: component, Config: cfg, Secrets: secrets}
	for _, q := range qs {
		req.Queries = append(req.Queries, &pb.ReceiptQuery{ProviderId: q.ProviderID, To: q.To, SentAtUnixMs: q.SentAt.UnixMilli()})
	}
	r, err := c.channel.Receipts(ctx, req)
	if err != nil {
		return nil, callError(err)
	}
	var out []sdk.Receipt
	for _, g := range r.GetReceipts() {
		if g.GetStatus() != sdk.ReceiptDelivered && g.GetStatus() != sdk.ReceiptFailed {
			continue
		}
		out = append(out, sdk.Receipt{ProviderID: g.GetProviderId(), To: g.GetTo(), Status: g.GetStatus(), Reason: g.GetReason(), At: time.UnixMilli(g.GetAtUnixMs())})
	}
	return out, nil
}

// Session is an open channel session.
type Session struct {
	c           *Conn
	ID          string
	MaxInFlight int
}

// Open opens a sending session.
func (c *Conn) Open(ctx context.Context, component string, cfg sdk.Config, secrets sdk.Secrets) (*Session, error) {
	c.redact.Add(secrets)
	r, err := c.channel.Open(ctx, &pb.OpenRequest{Component: component, Config: cfg, Secrets: secrets})
	if err != nil {
		return nil, c.redact.Error(callError(err))
	}
	return &Session{c: c, ID: r.GetSession(), MaxInFlight: max(1, int(r.GetMaxInFlight()))}, nil
}

// Close ends the session.
func (s *Session) Close(ctx context.Context) error {
	_, err := s.c.channel.Close(ctx, &pb.CloseRequest{Session: s.ID})
	return callError(err)
}

// Send streams msgs to the plugin and calls onResult once per message as
// results arrive (in any order). It returns when every message has a
// result, or with an error when the plugin breaks off: then the messages
// without a result have an unknown fate, and the caller must treat them so.
// A result for an unknown or repeated message id is an error too.
func (s *Session) Send(ctx context.Context, msgs []sdk.Message, onResult func(id string, r sdk.Result) error) error {
	return s.c.redact.Error(s.send(ctx, msgs, onResult))
}

func (s *Session) send(ctx context.Context, msgs []sdk.Message, onResult func(id string, r sdk.Result) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := s.c.channel.Send(ctx)
	if err != nil {
		return callError(err)
	}
	pending := map[string]bool{}
	for _, m := range msgs {
		if pending[m.ID] {
			return fmt.Errorf("two messages have the id %q", m.ID)
		}
		pending[m.ID] = true
	}
	sendErr := make(chan error, 1)
	go func() {
		for _, m := range msgs {
			if err := stream.Send(&pb.SendRequest{Session: s.ID, Message: sdk.MessageToProto(m)}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- stream.CloseSend()
	}()
	for len(pending) > 0 {
		r, err := stream.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w before answering %d of %d messages", ErrGone, len(pending), len(msgs))
			}
			return callError(err)
		}
		if !pending[r.GetId()] {
			return fmt.Errorf("the plugin answered for message %q, which was not sent or was already answered", r.GetId())
		}
		res, err := sdk.ResultFromProto(r)
		if err != nil {
			return err
		}
		delete(pending, r.GetId())
		if err := onResult(r.GetId(), s.c.redact.Result(res)); err != nil {
			return err
		}
	}
	// Every message has its result, so the plugin must now end the
	// stream: a result after that (a second one for a message) is refused
	// like one for a message that was never sent.
	<-sendErr
	r, err := stream.Recv()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return callError(err)
	}
	return fmt.Errorf("the plugin answered for message %q after every message had its result (an extra result)", r.GetId())
}
