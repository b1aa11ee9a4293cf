package core

import (
	"context"
	"database/sql"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/arrowload"
)

// SourceResult says what a source import brought in.
type SourceResult struct {
	Table       string
	Rows        int64 // in this run
	Checkpoints int
	TotalRows   int64 // ever, from this stream into this table
	// ErasedSkipped are rows left out because they name an erased person.
	ErasedSkipped int64
}

// ImportFromSource reads a source plugin's stream into table, resuming
// where the last import of the same stream into the same table stopped.
// Each checkpoint commits its rows and the new state in one transaction, so
// an interrupted import never loses or repeats rows.
func (w *Workspace) ImportFromSource(ctx context.Context, pluginID, component, stream string, cfg sdk.Config, table string, progress Progress) (*SourceResult, error) {
	proc, _, err := w.enabled(ctx, pluginID)
	if err != nil {
		return nil, err
	}
	var state []byte
	err = w.Q().QueryRowContext(ctx, `SELECT state FROM mb_source_state WHERE plugin_id = ? AND component = ? AND stream = ? AND table_name = ?`,
		pluginID, component, stream, table).Scan(&state)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if errors.Is(err, sql.ErrNoRows) {
		if ok, _ := w.TableExists(ctx, table); ok {
			return nil, i18n.Errorf("a table named %q exists and was not filled by this source; choose another table", table)
		}
	}
	res := &SourceResult{Table: table}
	var pending []arrow.RecordBatch
	release := func() {
		for _, r := range pending {
			r.Release()
		}
		pending = pending[:0]
	}
	defer release()
	err = proc.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		return c.Read(ctx, component, cfg, stream, state,
			func(rec arrow.RecordBatch) error {
				rec.Retain()
				pending = append(pending, rec)
				return nil
			},
			func(st []byte) error {
				err := w.Tx(ctx, func(tx *sql.Tx) error {
					p := w.InTx(tx)
					n, err := arrowload.Append(ctx, p, table, pending)
					if err != nil {
						return err
					}
					// Erased people stay erased, as with a file import.
					skipped, err := p.DropErased(ctx, table)
					if err != nil {
						return err
					}
					n -= skipped
					res.ErasedSkipped += skipped
					res.Rows += n
					if _, err := tx.ExecContext(ctx, `INSERT INTO mb_source_state (plugin_id, component, stream, table_name, state, rows_imported)
						VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state,
						rows_imported = mb_source_state.rows_imported + excluded.rows_imported, updated_at = now()`,
						pluginID, component, stream, table, st, n); err != nil {
						return err
					}
					return p.Audit(ctx, tx, "source import", table, -1, n, pluginID+"/"+component+" "+stream)
				})
				if err != nil {
					return err
				}
				res.Checkpoints++
				release()
				if progress != nil {
					progress(i18n.T("Imported %d rows", res.Rows), -1)
				}
				return nil
			})
	})
	if err != nil {
		return res, cancelled(ctx, i18n.Errorf("%s: %w (the rows up to the last checkpoint are kept; import again to continue)", pluginID, err))
	}
	if len(pending) > 0 {
		return res, i18n.Errorf("%s sent %d batches after its last checkpoint; they were not imported (a source must checkpoint at the end)", pluginID, len(pending))
	}
	w.Q().QueryRowContext(ctx, `SELECT rows_imported FROM mb_source_state WHERE plugin_id = ? AND component = ? AND stream = ? AND table_name = ?`,
		pluginID, component, stream, table).Scan(&res.TotalRows)
	// A table the source made gets its columns' roles detected, as a file
	// import's does, so journeys and rules can use it at once.
	if have, err := w.ColumnRoles(ctx, table); err == nil && len(have) == 0 && res.TotalRows > 0 {
		if roles, err := w.DetectRoles(ctx, table); err == nil && len(roles) > 0 {
			if err := w.SetRoles(ctx, table, roles, false); err != nil {
				return res, err
			}
			// Now that the roles are known, the first load's erased rows go.
			skipped, err := w.DropErased(ctx, table)
			if err != nil {
				return res, err
			}
			res.Rows -= skipped
			res.ErasedSkipped += skipped
		}
	}
	return res, nil
}

// SourceStreams lists what a source plugin can read with these settings.
func (w *Workspace) SourceStreams(ctx context.Context, pluginID, component string, cfg sdk.Config) ([]sdk.Stream, error) {
	proc, _, err := w.enabled(ctx, pluginID)
	if err != nil {
		return nil, err
	}
	var out []sdk.Stream
	err = proc.Call(ctx, func(ctx context.Context, c *client.Conn) (err error) {
		out, err = c.Discover(ctx, component, cfg)
		return err
	})
	return out, err
}

// SourceComponents returns an enabled plugin's source components.
func (w *Workspace) SourceComponents(ctx context.Context, pluginID string) ([]sdk.Component, error) {
	md, err := w.PluginMetadata(ctx, pluginID)
	if err != nil {
		return nil, err
	}
	var out []sdk.Component
	for _, c := range md.GetComponents() {
		if c.GetKind() == sdk.KindSource {
			out = append(out, sdk.ComponentFromProto(c))
		}
	}
	return out, nil
}
