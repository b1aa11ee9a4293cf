// Command faultwire is a channel plugin that lies about its results, for
// app/core's send tests. The SDK's Serve cannot send a result that does
// not belong to a message, so it speaks the SDK's public wire protocol
// (sdk/proto/pluginv1, sdk.Handshake) directly, as a third party could.
// Its "mode" setting:
//
//	ok          answer each message once
//	extra       answer each message, then answer it again a moment later
//	unknown-id  answer for an id that was never sent
package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

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
	return nil
}

func (glue) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

type meta struct{ pb.UnimplementedPluginServer }

func (meta) GetMetadata(context.Context, *pb.GetMetadataRequest) (*pb.Metadata, error) {
	return &pb.Metadata{Id: "test.org/wire", Version: "1.0.0", SdkVersion: sdk.Version, Kinds: []string{"channel"},
		Components: []*pb.Component{{Kind: "channel", Name: "wire", Fields: []string{"email"}, Config: []*pb.ConfigField{
			{Name: "mode", Type: "string"}, {Name: "log", Type: "string"}}}}}, nil
}

func (meta) Ping(context.Context, *pb.PingRequest) (*pb.PingResponse, error) {
	return &pb.PingResponse{}, nil
}

type channel struct {
	pb.UnimplementedChannelServer
	mu       sync.Mutex
	sessions map[string]string // id → mode
	logs     map[string]string // id → log file
}

func (c *channel) Open(_ context.Context, r *pb.OpenRequest) (*pb.OpenResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := fmt.Sprint(len(c.sessions) + 1)
	c.sessions[id] = r.GetConfig()["mode"]
	if c.logs == nil {
		c.logs = map[string]string{}
	}
	c.logs[id] = r.GetConfig()["log"]
	return &pb.OpenResponse{Session: id, MaxInFlight: 1}, nil
}

func (c *channel) Close(context.Context, *pb.CloseRequest) (*pb.CloseResponse, error) {
	return &pb.CloseResponse{}, nil
}

func delivered(id string) *pb.SendResult {
	return &pb.SendResult{Id: id, Outcome: &pb.SendResult_Delivered{Delivered: &pb.Delivered{ProviderId: "w-" + id}}}
}

func (c *channel) Send(stream pb.Channel_SendServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return nil
		}
		c.mu.Lock()
		mode, log := c.sessions[req.GetSession()], c.logs[req.GetSession()]
		c.mu.Unlock()
		m := req.GetMessage()
		if log != "" { // the provider got it
			if f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
				fmt.Fprintf(f, "%s %s %s\n", m.GetIdempotencyKey(), m.GetTo(), m.GetVariant())
				f.Close()
			}
		}
		switch mode {
		case "unknown-id":
			if err := stream.Send(delivered("not-" + m.GetId())); err != nil {
				return err
			}
			continue
		case "extra":
			if err := stream.Send(delivered(m.GetId())); err != nil {
				return err
			}
			time.Sleep(20 * time.Millisecond) // after the host has its answer
		}
		if err := stream.Send(delivered(m.GetId())); err != nil {
			return err
		}
	}
}

func main() {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: map[int]goplugin.PluginSet{sdk.ProtocolVersion: {sdk.PluginName: glue{}}},
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true}),
	})
}
