package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/marketbench/marketbench/sdk"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// Describe returns a model's task ("classification" or "regression").
func (c *Conn) Describe(ctx context.Context, component string) (string, error) {
	r, err := c.model.Describe(ctx, &pb.DescribeRequest{Component: component})
	if err != nil {
		return "", callError(err)
	}
	return r.GetTask(), nil
}

// Train streams rows to a model plugin and returns its artifact and metrics.
func (c *Conn) Train(ctx context.Context, component string, cfg sdk.Config, target string, rows array.RecordReader) ([]byte, map[string]float64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.model.Train(ctx)
	if err != nil {
		return nil, nil, callError(err)
	}
	if err := stream.Send(&pb.TrainRequest{Part: &pb.TrainRequest_Start{Start: &pb.TrainStart{Component: component, Config: cfg, Target: target}}}); err != nil {
		return nil, nil, callError(recvAfterSendError(stream, err))
	}
	w := sdk.NewBatchWriter(rows.Schema(), sdk.BatchField, stream.SendMsg)
	if err := writeAll(rows, w); err != nil {
		return nil, nil, callError(recvAfterSendError(stream, err))
	}
	r, err := stream.CloseAndRecv()
	if err != nil {
		return nil, nil, callError(err)
	}
	return r.GetArtifact(), r.GetMetrics(), nil
}

// recvAfterSendError: a failed Send hides the plugin's real error, which
// the receive side holds.
func recvAfterSendError(stream interface {
	CloseAndRecv() (*pb.TrainResponse, error)
}, err error) error {
	if errors.Is(err, io.EOF) {
		if _, rerr := stream.CloseAndRecv(); rerr != nil {
			return rerr
		}
	}
	return err
}

func writeAll(rows array.RecordReader, w *sdk.ChunkWriter) error {
	for rows.Next() {
		if err := w.Write(rows.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return w.Close()
}

// Predict streams rows to a model plugin and calls onBatch with each batch
// of scores (one float64 column "score"), checking that the plugin returns
// exactly one score per row and the schema it must.
func (c *Conn) Predict(ctx context.Context, component string, artifact []byte, rows array.RecordReader, onBatch func(scores []float64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.model.Predict(ctx)
	if err != nil {
		return callError(err)
	}
	sent := make(chan int64, 1)
	sendErr := make(chan error, 1)
	go func() {
		var n int64
		defer func() { sent <- n }()
		if err := stream.Send(&pb.PredictRequest{Part: &pb.PredictRequest_Start{Start: &pb.PredictStart{Component: component, Artifact: artifact}}}); err != nil {
			sendErr <- err
			return
		}
		w := sdk.NewBatchWriter(rows.Schema(), sdk.BatchField, stream.SendMsg)
		for rows.Next() {
			rec := rows.RecordBatch()
			if err := w.Write(rec); err != nil {
				sendErr <- err
				return
			}
			n += rec.NumRows()
		}
		if err := rows.Err(); err != nil {
			sendErr <- err
			return
		}
		if err := w.Close(); err != nil {
			sendErr <- err
			return
		}
		sendErr <- stream.CloseSend()
	}()
	resp := &pb.PredictResponse{}
	out, err := sdk.NewRecordReader(sdk.BatchReceiver(stream.RecvMsg, sdk.ScoresField, resp, resp.GetBatch))
	if err != nil {
		cancel()
		<-sent
		return fmt.Errorf("the model plugin sent no scores: %w", callError(err))
	}
	defer out.Release()
	if !out.Schema().Equal(sdk.ScoreSchema) {
		cancel()
		<-sent
		return fmt.Errorf("the model plugin sent scores as %s, not one float64 column named score", out.Schema())
	}
	var got int64
	for out.Next() {
		rec := out.RecordBatch()
		col, ok := rec.Column(0).(*array.Float64)
		if !ok {
			return errors.New("the model plugin sent scores that are not float64")
		}
		got += rec.NumRows()
		if err := onBatch(col.Float64Values()); err != nil {
			return err
		}
	}
	if err := out.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("the model plugin broke off while scoring: %w", callError(err))
	}
	if err := <-sendErr; err != nil && !errors.Is(err, io.EOF) {
		return callError(err)
	}
	if n := <-sent; n != got {
		return fmt.Errorf("the model plugin returned %d scores for %d rows", got, n)
	}
	return nil
}

// Discover lists a source's streams.
func (c *Conn) Discover(ctx context.Context, component string, cfg sdk.Config) ([]sdk.Stream, error) {
	r, err := c.source.Discover(ctx, &pb.DiscoverRequest{Component: component, Config: cfg})
	if err != nil {
		return nil, callError(err)
	}
	var out []sdk.Stream
	for _, s := range r.GetStreams() {
		out = append(out, sdk.Stream{Name: s.GetName(), Description: s.GetDescription()})
	}
	return out, nil
}

// Read reads a source stream from state: onBatch gets each batch, in
// order, and onState each checkpoint after the batches before it have been
// handed to onBatch (so storing rows and state in one transaction per
// checkpoint makes the read resumable).
func (c *Conn) Read(ctx context.Context, component string, cfg sdk.Config, stream string, state []byte,
	onBatch func(arrow.RecordBatch) error, onState func([]byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rs, err := c.source.Read(ctx, &pb.ReadRequest{Component: component, Config: cfg, Stream: stream, State: state})
	if err != nil {
		return callError(err)
	}
	// Checkpoints interleave with the IPC chunks; the IPC reader pulls
	// chunks lazily, so a checkpoint is seen only after every batch before
	// it has been decoded and handed on.
	var cbErr error
	next := func() ([]byte, error) {
		for {
			r, err := rs.Recv()
			if err != nil {
				return nil, err
			}
			switch p := r.GetPart().(type) {
			case *pb.ReadResponse_Batch:
				return p.Batch, nil
			case *pb.ReadResponse_State:
				if err := onState(p.State); err != nil {
					cbErr = err
					return nil, err
				}
			}
		}
	}
	rr, err := sdk.NewRecordReader(next)
	if err != nil {
		if cbErr != nil {
			return cbErr
		}
		if errors.Is(err, io.EOF) {
			return nil // no rows, perhaps only checkpoints
		}
		return fmt.Errorf("the source plugin sent unreadable rows: %w", callError(err))
	}
	defer rr.Release()
	for rr.Next() {
		if err := onBatch(rr.RecordBatch()); err != nil {
			return err
		}
	}
	if cbErr != nil {
		return cbErr
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("the source plugin broke off: %w", callError(err))
	}
	// Checkpoints after the last batch.
	for {
		if _, err := next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if cbErr != nil {
				return cbErr
			}
			return callError(err)
		}
	}
}
