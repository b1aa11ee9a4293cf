// Command misbehave is a deliberately broken plugin for the host's tests.
// It speaks the wire protocol directly (not through sdk.Serve) so it can
// break every rule: crash mid-stream, hang, flood its log, send results
// for messages that do not exist, and send scores in the wrong shape.
// Started under a name ending in "-crashstart" it dies at once; started
// under a name ending in "-countstarts" it appends its process id to the
// file of its own path plus ".starts" first, so a test can count the
// processes the host really started.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/marketbench/marketbench/sdk"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

type glue struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (glue) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterPluginServer(s, meta{})
	pb.RegisterChannelServer(s, &channel{sessions: map[string]map[string]string{}})
	pb.RegisterModelServer(s, model{})
	return nil
}

func (glue) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

type meta struct{ pb.UnimplementedPluginServer }

func (meta) GetMetadata(context.Context, *pb.GetMetadataRequest) (*pb.Metadata, error) {
	return &pb.Metadata{Id: "test.org/misbehave", Version: "0.0.1", SdkVersion: sdk.Version, Kinds: []string{"channel", "model"},
		Capabilities: []string{sdk.CapIdempotencyKeys},
		Components: []*pb.Component{{Kind: "channel", Name: "bad", Fields: []string{"email"}, Config: []*pb.ConfigField{
			{Name: "mode", Type: "string"}, {Name: "log", Type: "string"}, {Name: "marker", Type: "string"}}},
			{Kind: "model", Name: "liar"}}}, nil
}

func (meta) Ping(context.Context, *pb.PingRequest) (*pb.PingResponse, error) {
	return &pb.PingResponse{}, nil
}

type channel struct {
	pb.UnimplementedChannelServer
	mu       sync.Mutex
	sessions map[string]map[string]string // session id → config
	seen     map[string]bool              // keys written to the log file
}

var sent atomic.Int64

// bootStdout is the stdout the process started with, captured before
// Serve swaps os.Stdout, as a package-level logger would.
var bootStdout = os.Stdout

func (c *channel) Open(_ context.Context, r *pb.OpenRequest) (*pb.OpenResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := fmt.Sprint(len(c.sessions) + 1)
	c.sessions[id] = r.GetConfig()
	// The log is the "provider": it honours idempotency keys, so a key
	// already delivered (by an earlier process too) is not delivered again.
	if path := r.GetConfig()["log"]; path != "" {
		c.seen = map[string]bool{}
		if b, err := os.ReadFile(path); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if k, _, ok := strings.Cut(l, " "); ok {
					c.seen[k] = true
				}
			}
		}
	}
	return &pb.OpenResponse{Session: id, MaxInFlight: 1}, nil
}

func (c *channel) Close(context.Context, *pb.CloseRequest) (*pb.CloseResponse, error) {
	return &pb.CloseResponse{}, nil
}

func delivered(id string) *pb.SendResult {
	return &pb.SendResult{Id: id, Outcome: &pb.SendResult_Delivered{Delivered: &pb.Delivered{ProviderId: "p-" + id}}}
}

// deliver appends "key to" to the log unless the key is there already.
func (c *channel) deliver(path string, m *pb.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if path == "" || c.seen[m.GetIdempotencyKey()] {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "%s %s %s\n", m.GetIdempotencyKey(), m.GetTo(), m.GetVariant())
	f.Close()
	c.seen[m.GetIdempotencyKey()] = true
}

func (c *channel) Send(stream pb.Channel_SendServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		c.mu.Lock()
		cfg := c.sessions[req.GetSession()]
		c.mu.Unlock()
		id := req.GetMessage().GetId()
		n := sent.Add(1)
		switch cfg["mode"] {
		case "crash":
			if n > 3 {
				// Mid-stream, once the three results before have left.
				time.Sleep(200 * time.Millisecond)
				os.Exit(2)
			}
		case "crash-once":
			// Crash after delivering the 4th message but before answering
			// for it: the host cannot know it was delivered.
			if _, err := os.Stat(cfg["marker"]); n == 4 && err != nil {
				c.deliver(cfg["log"], req.GetMessage())
				os.WriteFile(cfg["marker"], nil, 0o644)
				time.Sleep(200 * time.Millisecond)
				os.Exit(2)
			}
		case "hang":
			select {} // never answers, ignores cancellation
		case "poison":
			if strings.HasPrefix(req.GetMessage().GetTo(), "c004@") {
				select {} // one recipient the "provider" always chokes on
			}
		case "flood":
			line := strings.Repeat("x", 1023) + "\n"
			for range 1024 { // 1 MB of log per message
				os.Stderr.WriteString(line)
			}
		case "unknown-id":
			stream.Send(delivered("not-" + id))
			continue
		case "no-outcome":
			stream.Send(&pb.SendResult{Id: id})
			continue
		case "twice":
			stream.Send(delivered(id))
		case "slow":
			time.Sleep(100 * time.Millisecond)
		case "bigline":
			// One 1 MB line, without a newline inside, on each way out: the
			// stdout the process started with (as a logger made before
			// Serve writes), Serve's stdout and stderr.
			line := strings.Repeat("y", 1<<20) + "\n"
			bootStdout.WriteString(line)
			os.Stdout.WriteString(line)
			os.Stderr.WriteString(line)
		}
		c.deliver(cfg["log"], req.GetMessage())
		if err := stream.Send(delivered(id)); err != nil {
			return err
		}
	}
}

type model struct{ pb.UnimplementedModelServer }

func (model) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Task: "classification"}, nil
}

// Predict reads the rows and answers in the shape its artifact names:
// "strings" (a text column instead of float scores), "short" (one row
// fewer than asked), "garbage" (bytes that are not Arrow).
func (model) Predict(stream pb.Model_PredictServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	how := string(first.GetStart().GetArtifact())
	rows, err := sdk.NewRecordReader(func() ([]byte, error) {
		r, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		return r.GetBatch(), nil
	})
	if err != nil {
		return err
	}
	var n int64
	for rows.Next() {
		n += rows.RecordBatch().NumRows()
	}
	if how == "garbage" {
		return stream.Send(&pb.PredictResponse{Batch: []byte("this is not arrow")})
	}
	schema := sdk.ScoreSchema
	if how == "strings" {
		schema = arrow.NewSchema([]arrow.Field{{Name: "score", Type: arrow.BinaryTypes.String}}, nil)
	}
	if how == "short" {
		n--
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := range n {
		switch fb := b.Field(0).(type) {
		case *array.Float64Builder:
			fb.Append(0.5)
		case *array.StringBuilder:
			fb.Append(fmt.Sprint(i))
		}
	}
	rec := b.NewRecordBatch()
	w := sdk.NewChunkWriter(schema, func(p []byte) error { return stream.Send(&pb.PredictResponse{Batch: p}) })
	if err := w.Write(rec); err != nil {
		return err
	}
	return w.Close()
}

func main() {
	if strings.HasSuffix(os.Args[0], "-crashstart") {
		os.Exit(7)
	}
	if strings.HasSuffix(os.Args[0], "-countstarts") {
		f, err := os.OpenFile(os.Args[0]+".starts", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			os.Exit(8)
		}
		fmt.Fprintf(f, "%d\n", os.Getpid())
		f.Close()
	}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{sdk.ProtocolVersion: {sdk.PluginName: glue{}}},
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true}),
	})
}
