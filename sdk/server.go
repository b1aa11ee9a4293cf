package sdk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// server adapts a Plugin to the v1 gRPC services.
type server struct {
	pb.UnimplementedPluginServer
	p   Plugin
	log hclog.Logger

	chans   map[string]Channel
	models  map[string]Model
	sources map[string]Source

	mu       sync.Mutex
	sessions map[string]Session
}

func newServer(p Plugin, log hclog.Logger) *server {
	s := &server{p: p, log: log, chans: map[string]Channel{}, models: map[string]Model{}, sources: map[string]Source{}, sessions: map[string]Session{}}
	for _, c := range p.Channels {
		s.chans[c.Spec().Name] = c
	}
	for _, m := range p.Models {
		s.models[m.Spec().Name] = m
	}
	for _, src := range p.Sources {
		s.sources[src.Spec().Name] = src
	}
	return s
}

func (s *server) register(g *grpc.Server) {
	pb.RegisterPluginServer(g, s)
	pb.RegisterChannelServer(g, &channelServer{s: s})
	pb.RegisterModelServer(g, &modelServer{s: s})
	pb.RegisterSourceServer(g, &sourceServer{s: s})
}

func (s *server) GetMetadata(context.Context, *pb.GetMetadataRequest) (*pb.Metadata, error) {
	md := &pb.Metadata{Id: s.p.ID, Version: s.p.Version, SdkVersion: Version, Kinds: s.p.Kinds(), Capabilities: slices.Clone(s.p.Capabilities)}
	announce := func(c string) {
		if !slices.Contains(md.Capabilities, c) {
			md.Capabilities = append(md.Capabilities, c)
		}
	}
	for _, ch := range s.p.Channels {
		if _, ok := ch.(MessageChecker); ok {
			announce(CapCheckMessages)
		}
		if _, ok := ch.(ReceiptReader); ok {
			announce(CapReceipts)
		}
	}
	add := func(kind string, c Component) {
		md.Components = append(md.Components, componentToProto(kind, c))
	}
	for _, c := range s.p.Channels {
		add(KindChannel, c.Spec())
	}
	for _, m := range s.p.Models {
		add(KindModel, m.Spec())
	}
	for _, src := range s.p.Sources {
		add(KindSource, src.Spec())
	}
	return md, nil
}

func (s *server) Ping(context.Context, *pb.PingRequest) (*pb.PingResponse, error) {
	return &pb.PingResponse{}, nil
}

func componentToProto(kind string, c Component) *pb.Component {
	out := &pb.Component{Kind: kind, Name: c.Name, Title: c.Title, Description: c.Description, Fields: c.Fields}
	for _, f := range c.Config {
		out.Config = append(out.Config, &pb.ConfigField{Name: f.Name, Type: string(f.Type), Title: f.Title, Help: f.Help,
			Default: f.Default, Required: f.Required, Secret: f.Type == Secret, Advanced: f.Advanced, Enum: f.Enum})
	}
	return out
}

// ComponentFromProto is the SDK's view of a component in metadata.
func ComponentFromProto(c *pb.Component) Component {
	out := Component{Name: c.GetName(), Title: c.GetTitle(), Description: c.GetDescription(), Fields: c.GetFields()}
	for _, f := range c.GetConfig() {
		out.Config = append(out.Config, Field{Name: f.GetName(), Type: FieldType(f.GetType()), Title: f.GetTitle(), Help: f.GetHelp(),
			Default: f.GetDefault(), Required: f.GetRequired(), Advanced: f.GetAdvanced(), Enum: f.GetEnum()})
	}
	return out
}

// guard runs fn and turns a panic in the author's code into an Internal
// error of one line, so a bug in one call does not take the plugin (and
// its sessions) down; the stack goes to the plugin's log.
func (s *server) guard(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := oneLine(fmt.Sprint(r), 300)
			s.log.Error("panic: "+msg, "in", what, "stack", string(debug.Stack()))
			err = status.Errorf(codes.Internal, "the plugin failed in %s: %s (a bug in the plugin; its log has the details)", what, msg)
		}
	}()
	return fn()
}

// oneLine flattens s to one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// asStatus gives err the gRPC code, except an Internal error (a panic,
// from guard), which stays one.
func asStatus(code codes.Code, err error) error {
	if status.Code(err) == codes.Internal {
		return err
	}
	return status.Errorf(code, "%v", err)
}

type channelServer struct {
	pb.UnimplementedChannelServer
	s *server
}

func (c *channelServer) channel(name string) (Channel, error) {
	ch, ok := c.s.chans[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "this plugin has no channel %q", name)
	}
	return ch, nil
}

func (c *channelServer) ValidateConfig(_ context.Context, r *pb.ValidateConfigRequest) (*pb.ValidateConfigResponse, error) {
	ch, err := c.channel(r.GetComponent())
	if err != nil {
		return nil, err
	}
	out := &pb.ValidateConfigResponse{}
	err = c.s.guard("Validate", func() error {
		cfg := Config(r.GetConfig())
		errs := ch.Spec().Check(cfg, nil)
		// Secrets are not sent to ValidateConfig: drop "is required" for them.
		var kept []FieldError
		for _, e := range errs {
			if !isSecret(ch.Spec(), e.Field) {
				kept = append(kept, e)
			}
		}
		kept = append(kept, ch.Validate(ch.Spec().WithDefaults(cfg))...)
		for _, e := range kept {
			out.Errors = append(out.Errors, &pb.FieldError{Field: e.Field, Message: e.Message})
		}
		return nil
	})
	return out, err
}

func isSecret(c Component, name string) bool {
	for _, f := range c.Config {
		if f.Name == name {
			return f.Type == Secret
		}
	}
	return false
}

func (c *channelServer) Check(ctx context.Context, r *pb.OpenRequest) (*pb.CheckResponse, error) {
	ch, err := c.channel(r.GetComponent())
	if err != nil {
		return nil, err
	}
	err = c.s.guard("Check", func() error {
		return ch.Check(ctx, ch.Spec().WithDefaults(r.GetConfig()), Secrets(r.GetSecrets()))
	})
	if err != nil {
		return &pb.CheckResponse{Ok: false, Message: status.Convert(err).Message()}, nil
	}
	return &pb.CheckResponse{Ok: true}, nil
}

// CheckMessages runs the channel's MessageChecker over each message;
// a channel without one answers Unimplemented ("not supported").
func (c *channelServer) CheckMessages(_ context.Context, r *pb.CheckMessagesRequest) (*pb.CheckMessagesResponse, error) {
	ch, err := c.channel(r.GetComponent())
	if err != nil {
		return nil, err
	}
	mc, ok := ch.(MessageChecker)
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "channel %q does not check messages", r.GetComponent())
	}
	cfg := ch.Spec().WithDefaults(r.GetConfig())
	out := &pb.CheckMessagesResponse{}
	err = c.s.guard("CheckMessage", func() error {
		for _, m := range r.GetMessages() {
			chk := mc.CheckMessage(cfg, messageFromProto(m))
			out.Checks = append(out.Checks, &pb.MessageCheck{Problems: chk.Problems, Notes: chk.Notes})
		}
		return nil
	})
	return out, err
}

// Receipts runs the channel's ReceiptReader; a channel without one answers
// Unimplemented.
func (c *channelServer) Receipts(ctx context.Context, r *pb.ReceiptsRequest) (*pb.ReceiptsResponse, error) {
	ch, err := c.channel(r.GetComponent())
	if err != nil {
		return nil, err
	}
	rr, ok := ch.(ReceiptReader)
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "channel %q keeps no receipts", r.GetComponent())
	}
	qs := make([]ReceiptQuery, len(r.GetQueries()))
	for i, q := range r.GetQueries() {
		qs[i] = ReceiptQuery{ProviderID: q.GetProviderId(), To: q.GetTo(), SentAt: time.UnixMilli(q.GetSentAtUnixMs())}
	}
	out := &pb.ReceiptsResponse{}
	err = c.s.guard("Receipts", func() error {
		got, err := rr.Receipts(ctx, ch.Spec().WithDefaults(r.GetConfig()), Secrets(r.GetSecrets()), qs)
		for _, g := range got {
			out.Receipts = append(out.Receipts, &pb.Receipt{ProviderId: g.ProviderID, To: g.To, Status: g.Status, Reason: g.Reason, AtUnixMs: g.At.UnixMilli()})
		}
		return err
	})
	if err != nil {
		return nil, asStatus(codes.FailedPrecondition, err)
	}
	return out, nil
}

func (c *channelServer) Open(ctx context.Context, r *pb.OpenRequest) (*pb.OpenResponse, error) {
	ch, err := c.channel(r.GetComponent())
	if err != nil {
		return nil, err
	}
	spec := ch.Spec()
	cfg := spec.WithDefaults(r.GetConfig())
	if errs := spec.Check(cfg, r.GetSecrets()); len(errs) > 0 {
		return nil, status.Errorf(codes.InvalidArgument, "invalid settings: %v", errors.Join(fieldErrs(errs)...))
	}
	var sess Session
	if err := c.s.guard("Open", func() (err error) {
		sess, err = ch.Open(ctx, cfg, Secrets(r.GetSecrets()))
		return err
	}); err != nil {
		return nil, asStatus(codes.FailedPrecondition, err)
	}
	id := newID()
	c.s.mu.Lock()
	c.s.sessions[id] = sess
	c.s.mu.Unlock()
	lim := Limits{MaxInFlight: 1}
	if ls, ok := sess.(LimitedSession); ok {
		lim = ls.Limits()
	}
	return &pb.OpenResponse{Session: id, MaxInFlight: int32(max(1, lim.MaxInFlight))}, nil
}

func fieldErrs(errs []FieldError) []error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return out
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *channelServer) session(id string) (Session, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	sess, ok := c.s.sessions[id]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no open session %q", id)
	}
	return sess, nil
}

// Send answers each message with its result. Messages run one at a time,
// or up to the session's MaxInFlight at once. A panic in the author's Send
// is a bug, not a verdict on the message: the call ends with an Internal
// error naming the message (after the results of the messages already in
// flight), and the host pauses instead of rejecting customers.
func (c *channelServer) Send(stream pb.Channel_SendServer) error {
	ctx := stream.Context()
	var mu sync.Mutex // stream.Send is not safe for concurrent use
	var wg sync.WaitGroup
	var slots chan struct{}
	var sess Session
	failed := make(chan struct{})
	var failure error
	var failOnce sync.Once
	// Receiving runs apart so that a failure ends the call even while the
	// host keeps the stream open.
	reqs := make(chan *pb.SendRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case reqs <- req:
			case <-failed:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	end := func(err error) error {
		wg.Wait()
		if failure != nil {
			return failure
		}
		return err
	}
	for {
		var req *pb.SendRequest
		select {
		case req = <-reqs:
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return end(nil)
			}
			return end(err)
		case <-failed:
			return end(nil)
		}
		if sess == nil {
			var err error
			if sess, err = c.session(req.GetSession()); err != nil {
				return end(err)
			}
			n := 1
			if ls, ok := sess.(LimitedSession); ok {
				n = max(1, ls.Limits().MaxInFlight)
			}
			slots = make(chan struct{}, n)
		}
		m := messageFromProto(req.GetMessage())
		select {
		case slots <- struct{}{}:
		case <-failed:
			return end(nil)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			var res Result
			if err := c.s.guard("Send for message "+m.ID, func() error { res = sess.Send(ctx, m); return nil }); err != nil {
				failOnce.Do(func() { failure = err; close(failed) })
				return
			}
			mu.Lock()
			defer mu.Unlock()
			stream.Send(resultToProto(m.ID, res))
		}()
	}
}

func (c *channelServer) Close(_ context.Context, r *pb.CloseRequest) (*pb.CloseResponse, error) {
	c.s.mu.Lock()
	sess, ok := c.s.sessions[r.GetSession()]
	delete(c.s.sessions, r.GetSession())
	c.s.mu.Unlock()
	if !ok {
		return &pb.CloseResponse{}, nil
	}
	return &pb.CloseResponse{}, c.s.guard("Close", sess.Close)
}

// MessageToProto and the functions below convert between the SDK's types
// and the wire; the host's client uses them too.
func MessageToProto(m Message) *pb.Message {
	return &pb.Message{Id: m.ID, IdempotencyKey: m.IdempotencyKey, To: m.To, Subject: m.Subject, Text: m.Text, Html: m.HTML,
		Headers: m.Headers, Fields: m.Fields, Campaign: m.Campaign, Variant: m.Variant}
}

func messageFromProto(m *pb.Message) Message {
	return Message{ID: m.GetId(), IdempotencyKey: m.GetIdempotencyKey(), To: m.GetTo(), Subject: m.GetSubject(), Text: m.GetText(),
		HTML: m.GetHtml(), Headers: m.GetHeaders(), Fields: m.GetFields(), Campaign: m.GetCampaign(), Variant: m.GetVariant()}
}

func resultToProto(id string, r Result) *pb.SendResult {
	out := &pb.SendResult{Id: id, Origin: pb.Origin_ORIGIN_PLUGIN}
	if r.ServiceFault {
		out.Origin = pb.Origin_ORIGIN_SERVICE
	}
	switch r.Outcome {
	case OutcomeDelivered:
		out.Outcome = &pb.SendResult_Delivered{Delivered: &pb.Delivered{ProviderId: r.ProviderID}}
	case OutcomeRetry:
		out.Outcome = &pb.SendResult_Retry{Retry: &pb.Retry{AfterMs: r.After.Milliseconds(), Reason: r.Reason}}
	default:
		reason := r.Reason
		if r.Outcome != OutcomeRejected {
			reason = "the plugin returned no outcome for this message"
		}
		out.Outcome = &pb.SendResult_Rejected{Rejected: &pb.Rejected{Reason: reason, Undeliverable: r.Undeliverable && r.Outcome == OutcomeRejected}}
	}
	return out
}

// ResultFromProto decodes a result; a result with no outcome (a broken
// plugin) is an error.
func ResultFromProto(r *pb.SendResult) (Result, error) {
	svc := r.GetOrigin() == pb.Origin_ORIGIN_SERVICE
	switch o := r.GetOutcome().(type) {
	case *pb.SendResult_Delivered:
		return Result{Outcome: OutcomeDelivered, ProviderID: o.Delivered.GetProviderId(), ServiceFault: svc}, nil
	case *pb.SendResult_Retry:
		return Result{Outcome: OutcomeRetry, After: time.Duration(o.Retry.GetAfterMs()) * time.Millisecond, Reason: o.Retry.GetReason(), ServiceFault: svc}, nil
	case *pb.SendResult_Rejected:
		return Result{Outcome: OutcomeRejected, Reason: o.Rejected.GetReason(), ServiceFault: svc, Undeliverable: o.Rejected.GetUndeliverable()}, nil
	}
	return Result{}, fmt.Errorf("the plugin sent a result for message %q with no outcome", r.GetId())
}

type modelServer struct {
	pb.UnimplementedModelServer
	s *server
}

func (m *modelServer) model(name string) (Model, error) {
	mo, ok := m.s.models[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "this plugin has no model %q", name)
	}
	return mo, nil
}

func (m *modelServer) Describe(_ context.Context, r *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	mo, err := m.model(r.GetComponent())
	if err != nil {
		return nil, err
	}
	return &pb.DescribeResponse{Task: mo.Task()}, nil
}

// The protobuf field numbers of the batch bytes: batch in TrainRequest and
// PredictRequest, batch in PredictResponse.
const (
	BatchField  protowire.Number = 2
	ScoresField protowire.Number = 1
)

func (m *modelServer) Train(stream pb.Model_TrainServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	start := first.GetStart()
	if start == nil {
		return status.Error(codes.InvalidArgument, "Train must begin with its settings")
	}
	mo, err := m.model(start.GetComponent())
	if err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	req := &pb.TrainRequest{}
	rows, err := NewRecordReader(prefetch(BatchReceiver(stream.RecvMsg, BatchField, req, req.GetBatch), done))
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "cannot read the training rows: %v", err)
	}
	defer rows.Release()
	var art []byte
	var metrics map[string]float64
	err = m.s.guard("Train", func() (err error) {
		art, metrics, err = mo.Train(stream.Context(), mo.Spec().WithDefaults(start.GetConfig()), start.GetTarget(), rows)
		return err
	})
	if err != nil {
		return asStatus(codes.Aborted, err)
	}
	return stream.SendAndClose(&pb.TrainResponse{Artifact: art, Metrics: metrics})
}

func (m *modelServer) Predict(stream pb.Model_PredictServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	start := first.GetStart()
	if start == nil {
		return status.Error(codes.InvalidArgument, "Predict must begin with the model")
	}
	mo, err := m.model(start.GetComponent())
	if err != nil {
		return err
	}
	done := make(chan struct{})
	defer close(done)
	req := &pb.PredictRequest{}
	rows, err := NewRecordReader(prefetch(BatchReceiver(stream.RecvMsg, BatchField, req, req.GetBatch), done))
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "cannot read the rows to score: %v", err)
	}
	defer rows.Release()
	// The model may reuse a batch's memory once Write returns: copy.
	out := NewCopyingBatchWriter(ScoreSchema, ScoresField, stream.SendMsg)
	err = m.s.guard("Predict", func() error {
		return mo.Predict(stream.Context(), start.GetArtifact(), rows, out)
	})
	if err != nil {
		return asStatus(codes.Aborted, err)
	}
	return out.Close()
}

// prefetchChunks is how many chunks of a Train or Predict call are
// received ahead of the model.
const prefetchChunks = 2

// prefetch receives chunks with recv in its own goroutine, up to
// prefetchChunks ahead of the caller of the returned function, so that
// receiving the next batch (reading the socket, decrypting, unmarshalling)
// overlaps the model's work on this one. The goroutine stops at recv's
// first error (io.EOF included), which every later call returns, or when
// done is closed.
func prefetch(recv func() ([]byte, error), done <-chan struct{}) func() ([]byte, error) {
	type chunk struct {
		b   []byte
		err error
	}
	ch := make(chan chunk, prefetchChunks)
	go func() {
		for {
			b, err := recv()
			select {
			case ch <- chunk{b, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var last error
	return func() ([]byte, error) {
		if last != nil {
			return nil, last
		}
		c := <-ch
		last = c.err
		return c.b, c.err
	}
}

type sourceServer struct {
	pb.UnimplementedSourceServer
	s *server
}

func (s *sourceServer) source(name string) (Source, error) {
	src, ok := s.s.sources[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "this plugin has no source %q", name)
	}
	return src, nil
}

func (s *sourceServer) Discover(ctx context.Context, r *pb.DiscoverRequest) (*pb.DiscoverResponse, error) {
	src, err := s.source(r.GetComponent())
	if err != nil {
		return nil, err
	}
	var streams []Stream
	if err := s.s.guard("Discover", func() (err error) {
		streams, err = src.Discover(ctx, src.Spec().WithDefaults(r.GetConfig()))
		return err
	}); err != nil {
		return nil, asStatus(codes.FailedPrecondition, err)
	}
	out := &pb.DiscoverResponse{}
	for _, st := range streams {
		out.Streams = append(out.Streams, &pb.StreamInfo{Name: st.Name, Description: st.Description})
	}
	return out, nil
}

// sourceOut writes a Read's batches as one IPC stream, opened at the first
// batch (whose schema it takes), with checkpoints in between.
type sourceOut struct {
	stream pb.Source_ReadServer
	w      *ChunkWriter
}

func (o *sourceOut) Write(rec arrow.RecordBatch) error {
	if o.w == nil {
		o.w = NewChunkWriter(rec.Schema(), func(b []byte) error {
			return o.stream.Send(&pb.ReadResponse{Part: &pb.ReadResponse_Batch{Batch: b}})
		})
	}
	return o.w.Write(rec)
}

func (o *sourceOut) Checkpoint(state []byte) error {
	return o.stream.Send(&pb.ReadResponse{Part: &pb.ReadResponse_State{State: state}})
}

func (s *sourceServer) Read(r *pb.ReadRequest, stream pb.Source_ReadServer) error {
	src, err := s.source(r.GetComponent())
	if err != nil {
		return err
	}
	out := &sourceOut{stream: stream}
	if err := s.s.guard("Read", func() error {
		return src.Read(stream.Context(), src.Spec().WithDefaults(r.GetConfig()), r.GetStream(), r.GetState(), out)
	}); err != nil {
		return asStatus(codes.Aborted, err)
	}
	if out.w != nil {
		return out.w.Close()
	}
	return nil
}
