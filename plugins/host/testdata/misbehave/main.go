// Command misbehave is a deliberately broken plugin for the host's tests.
// It speaks the wire protocol directly (not through sdk.Serve) so it can
// break every rule: crash mid-stream, hang, flood its log, send results
// for messages that do not exist, and send scores in the wrong shape.
// Started under a name ending in "-crashstart" it dies at once.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
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
	pb.RegisterChannelServer(s, &channel{sessions: map[string]string{}})
	pb.RegisterModelServer(s, model{})
	return nil
}

func (glue) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

type meta struct{ pb.UnimplementedPluginServer }

func (meta) GetMetadata(context.Context, *pb.GetMetadataRequest) (*pb.Metadata, error) {
	return &pb.Metadata{Id: "test.org/misbehave", Version: "0.0.1", SdkVersion: sdk.Version, Kinds: []string{"channel", "model"},
		Components: []*pb.Component{{Kind: "channel", Name: "bad"}, {Kind: "model", Name: "liar"}}}, nil
}

func (meta) Ping(context.Context, *pb.PingRequest) (*pb.PingResponse, error) {
	return &pb.PingResponse{}, nil
}

type channel struct {
	pb.UnimplementedChannelServer
	sessions map[string]string // session id → mode
}

var sent atomic.Int64

func (c *channel) Open(_ context.Context, r *pb.OpenRequest) (*pb.OpenResponse, error) {
	mode := r.GetConfig()["mode"]
	c.sessions[mode] = mode
	return &pb.OpenResponse{Session: mode, MaxInFlight: 1}, nil
}

func (c *channel) Close(context.Context, *pb.CloseRequest) (*pb.CloseResponse, error) {
	return &pb.CloseResponse{}, nil
}

func delivered(id string) *pb.SendResult {
	return &pb.SendResult{Id: id, Outcome: &pb.SendResult_Delivered{Delivered: &pb.Delivered{ProviderId: "p-" + id}}}
}

func (c *channel) Send(stream pb.Channel_SendServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		id := req.GetMessage().GetId()
		n := sent.Add(1)
		switch mode := req.GetSession(); mode {
		case "crash":
			if n > 3 {
				// Mid-stream, once the three results before have left.
				time.Sleep(200 * time.Millisecond)
				os.Exit(2)
			}
		case "hang":
			select {} // never answers, ignores cancellation
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
			time.Sleep(200 * time.Millisecond)
		}
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
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{sdk.ProtocolVersion: {sdk.PluginName: glue{}}},
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true}),
	})
}
