package core

import (
	"context"

	"github.com/marketbench/marketbench/storage/journey"
)

// HasActiveJourneys reports whether any journey is active, so the GUI's
// minute timer runs the engine only in projects that have something to
// run: one cheap query instead of a run with its counts.
func (w *Workspace) HasActiveJourneys(ctx context.Context) (bool, error) {
	var n int
	err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_journeys WHERE status = ?`, journey.Active).Scan(&n)
	return n > 0, err
}
