package core

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/erase"
	"github.com/marketbench/marketbench/storage/segment"
)

// Subject names the person to erase: a customer id, an e-mail or a phone.
type Subject = erase.Subject

// ErasureReport is what Erase did; it holds no personal values.
type ErasureReport struct {
	*erase.Report
	// Rewritten says the project file was rewritten so the erased values
	// are gone from its bytes, not only from its tables.
	Rewritten bool
}

// Erase removes a person from the project (the right to be forgotten):
// their rows in every table, campaign and journey state, suppression
// entries, all in one transaction, with tombstones so a re-import or a
// send leaves them out. Then the file is rewritten (a safe copy swapped
// in) so the deleted values do not linger in freed blocks. The report
// lists the earlier exports that still hold them.
func (w *Workspace) Erase(ctx context.Context, s Subject) (*ErasureReport, error) {
	rep, err := erase.Erase(ctx, w.Project, s)
	if err != nil {
		return nil, err
	}
	out := &ErasureReport{Report: rep}
	if err := w.rewrite(ctx); err != nil {
		return out, i18n.Errorf("the person was erased from the tables, but the file could not be rewritten (%v); run the erasure again", err)
	}
	out.Rewritten = true
	// A sealed project's sealed file must not keep the person either.
	if err := w.Reseal(ctx); err != nil {
		return out, i18n.Errorf("the person was erased, but the sealed file could not be written again (%v); it is sealed again when the project closes", err)
	}
	return out, nil
}

// ErasePreview says what Erase would remove (rows per table, the earlier
// exports that hold the person) and changes nothing, so the user can
// confirm knowing the counts.
func (w *Workspace) ErasePreview(ctx context.Context, s Subject) (*erase.Report, error) {
	return erase.Preview(ctx, w.Project, s)
}

// Erasure is one erasure performed: its date and counts, never who.
type Erasure = erase.Done

// Erasures lists the erasures performed, the latest first.
func (w *Workspace) Erasures(ctx context.Context) ([]Erasure, error) {
	return erase.History(ctx, w.Project)
}

// rewrite copies the project into a fresh file and swaps it in, so that
// nothing deleted survives in the file's free blocks. The workspace's
// Project is the reopened file afterwards (the same pointer).
func (w *Workspace) rewrite(ctx context.Context) error {
	path := w.Path
	tmp := filepath.Join(filepath.Dir(path), ".erasing-"+filepath.Base(path))
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	if _, err := w.DB().ExecContext(ctx, `CHECKPOINT`); err != nil {
		return err
	}
	if err := w.Project.Close(); err != nil {
		return err
	}
	reopen := func() error {
		p, err := storage.Open(path)
		if err != nil {
			return err
		}
		*w.Project = *p
		return nil
	}
	if _, err := storage.SafeCopy(ctx, path, tmp); err != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".wal")
		if rerr := reopen(); rerr != nil {
			return rerr
		}
		return err
	}
	os.Remove(tmp + ".wal") // closed, so checkpointed
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		if rerr := reopen(); rerr != nil {
			return rerr
		}
		return err
	}
	os.Remove(path + ".wal")
	return reopen()
}

// recordExport adds an export to the ledger with the customers it held:
// a table's customer id column, a segment's members; a query's are not
// known.
func (w *Workspace) recordExport(ctx context.Context, source, path string, rows int64) error {
	ids := ""
	switch {
	case strings.HasPrefix(source, "sql:"):
	case strings.HasPrefix(source, "segment:"):
		q, err := segment.IDsSQL(ctx, w.Project, strings.TrimPrefix(source, "segment:"))
		if err != nil {
			return err
		}
		ids = `SELECT customer_id FROM (` + q + `)`
	default:
		col, err := w.ColumnFor(ctx, source, storage.CustomerID)
		if err != nil {
			return err
		}
		if col == "" {
			cols, err := w.Columns(ctx, source)
			if err != nil {
				return err
			}
			for _, c := range cols {
				if strings.EqualFold(c.Name, "customer_id") {
					col = c.Name
				}
			}
		}
		if col != "" {
			ids = `SELECT CAST(` + storage.Quote(col) + ` AS VARCHAR) FROM ` + storage.Quote(source)
		} else {
			ids = `SELECT NULL WHERE FALSE` // no customers in it
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return w.RecordExport(ctx, abs, source, rows, ids)
}
