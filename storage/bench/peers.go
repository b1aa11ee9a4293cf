package bench

import (
	"context"
	_ "embed"
	"errors"

	"github.com/marketbench/marketbench/analytics/bench/kit"
)

//go:embed peers.py
var peersPy []byte

// ErrNoPandas means the pandas peer cannot run here; the benchmark still
// measures ours and says that the peer was skipped.
var ErrNoPandas = errors.New("pandas peer skipped")

// PeerResult is what peers.py prints.
type PeerResult struct {
	Seconds     []float64      `json:"seconds"`
	LoadSeconds float64        `json:"load_seconds"`
	Rows        int64          `json:"rows"`
	Columns     int            `json:"columns"`
	Check       map[string]any `json:"check"`
	Pandas      string         `json:"pandas"`
	Error       string         `json:"error"`
}

// Pandas runs peers.py with a mode and its arguments and decodes its JSON.
// It returns an error wrapping ErrNoPandas when Python or pandas is missing.
func Pandas(ctx context.Context, mode string, args ...string) (*PeerResult, error) {
	var res PeerResult
	if err := kit.RunPeer(ctx, peersPy, ErrNoPandas, &res, mode, args...); err != nil {
		return nil, err
	}
	return &res, nil
}
