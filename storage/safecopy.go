package storage

import (
	"context"
	"errors"
	"os"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// SafeCopyReport says what a safe copy kept and what it left out.
type SafeCopyReport struct {
	Path    string   // the new project
	Tables  []string // user tables copied
	LeftOut []string // code and computed columns not copied
}

// SafeCopy makes a new project at dst holding src's data and Marketbench
// metadata but none of the SQL code src holds (macros, views, defaults,
// generated columns, checks, expression indexes): the way to work with a
// project that Open refuses with ErrForeignCode. src is attached read-only
// to the new, code-free database and read by plain column references, which
// resolve no function; it is never changed.
func SafeCopy(ctx context.Context, src, dst string) (*SafeCopyReport, error) {
	if err := checkHeader(src); err != nil {
		return nil, err
	}
	ro, err := connect(src, true)
	if err != nil {
		return nil, err
	}
	srcAbs := ro.Path
	c, err := readCatalogue(ctx, ro.db)
	if err != nil {
		ro.Close()
		return nil, i18n.Errorf("cannot read %s: %s", src, FirstLine(err.Error()))
	}
	all, _ := metaTables()
	report := &SafeCopyReport{LeftOut: c.foreignCode(all)}
	// Metadata is copied only when it is exactly Marketbench's; otherwise
	// the data alone goes into a new project of this version.
	version, err := c.metaVersion(ctx, ro.db, src)
	ro.Close()
	copyMeta := err == nil
	switch {
	case errors.Is(err, ErrNewer):
		return nil, err
	case err != nil:
		version = len(migrations)
		report.LeftOut = append(report.LeftOut, "Marketbench metadata ("+strings.TrimPrefix(err.Error(), "cannot copy "+src+": ")+")")
	}
	for _, t := range c.other {
		report.LeftOut = append(report.LeftOut, "table "+t+" (outside the main schema)")
	}
	if _, err := os.Stat(withExt(dst)); err == nil {
		return nil, i18n.Errorf("cannot create %s: %w; choose another name", dst, ErrExists)
	}
	p, err := create(dst, version)
	if err != nil {
		return nil, err
	}
	report.Path = p.Path
	fail := func(err error) (*SafeCopyReport, error) {
		p.Close()
		os.Remove(p.Path)
		os.Remove(p.Path + ".wal")
		return nil, err
	}
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return fail(err)
	}
	if _, err := conn.ExecContext(ctx, `ATTACH `+Literal(srcAbs)+` AS mb_src (READ_ONLY)`); err != nil {
		conn.Close()
		return fail(i18n.Errorf("cannot read %s: %s", src, FirstLine(err.Error())))
	}
	err = func() error {
		defer conn.ExecContext(context.Background(), `DETACH mb_src`)
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		want, _ := referenceMeta(version)
		var names []string
		for name := range c.tables {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if name == "mb_schema" {
				continue // create wrote the same versions
			}
			if _, meta := want[name]; meta && copyMeta {
				// Same structure as the new file's (metaVersion checked it).
				if _, err := tx.ExecContext(ctx, `INSERT INTO main.`+Quote(name)+` SELECT * FROM mb_src.main.`+Quote(name)); err != nil {
					return i18n.Errorf("copying %s: %s", name, FirstLine(err.Error()))
				}
				continue
			}
			if strings.HasPrefix(name, "mb_") {
				report.LeftOut = append(report.LeftOut, "table "+name)
				continue
			}
			keep, skipped := c.plainColumns(name)
			for _, s := range skipped {
				report.LeftOut = append(report.LeftOut, "computed column "+name+"."+s)
			}
			if len(keep) == 0 {
				report.LeftOut = append(report.LeftOut, "table "+name+" (no plain columns)")
				continue
			}
			quoted := make([]string, len(keep))
			for i, k := range keep {
				quoted[i] = Quote(k)
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE main.`+Quote(name)+` AS SELECT `+strings.Join(quoted, ", ")+` FROM mb_src.main.`+Quote(name)); err != nil {
				return i18n.Errorf("copying %s: %s", name, FirstLine(err.Error()))
			}
			report.Tables = append(report.Tables, name)
		}
		// New metadata rows must not reuse the copied rows' ids.
		var maxID int64
		for _, t := range []string{"mb_imports", "mb_rfm_runs", "mb_audit", "mb_model_history", "mb_exports"} {
			if _, ok := want[t]; !ok || !copyMeta {
				continue
			}
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM main.`+t).Scan(&n); err != nil {
				return err
			}
			maxID = max(maxID, n)
		}
		if maxID > 0 {
			if _, err := tx.ExecContext(ctx, `SELECT max(nextval('mb_seq')) FROM range(?)`, maxID); err != nil {
				return err
			}
		}
		sort.Strings(report.LeftOut)
		detail := "data and metadata copied without SQL code"
		if len(report.LeftOut) > 0 {
			detail = "left out: " + strings.Join(report.LeftOut, ", ")
		}
		if err := p.Audit(ctx, tx, "safe-copy", srcAbs, -1, -1, detail); err != nil {
			return err
		}
		return tx.Commit()
	}()
	conn.Close()
	if err != nil {
		return fail(i18n.Errorf("cannot make a safe copy of %s: %v", src, err))
	}
	if err := p.Close(); err != nil {
		return nil, err
	}
	// Upgrade the copy to this build's format.
	q, err := Open(report.Path)
	if err != nil {
		return nil, err
	}
	return report, q.Close()
}

// metaVersion checks src's Marketbench tables and returns its format
// version: a safe copy keeps the metadata only when it is exactly ours.
func (c *catalogue) metaVersion(ctx context.Context, q Querier, src string) (int, error) {
	schema, ok := c.tables["mb_schema"]
	if !ok {
		return 0, i18n.Errorf("cannot copy %s: it is %w (no Marketbench metadata)", src, ErrNotProject)
	}
	v, err := readVersion(ctx, q, schema)
	if err != nil {
		return 0, i18n.Errorf("cannot copy %s: %w", src, err)
	}
	if v > len(migrations) {
		return 0, i18n.Errorf("cannot copy %s: it was %w; update Marketbench", src, ErrNewer)
	}
	if err := checkMeta(c, v, src); err != nil {
		return 0, err
	}
	return v, nil
}
