package ingest

import (
	"context"
	"database/sql"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// ReadRows reads a whole file as text the way Import reads it (format,
// encoding, delimiter, header, sheet) without writing anything, for a
// small file a feature interprets itself, such as consent records. Rows
// keep the file's order; a file of more than max rows is refused.
func ReadRows(ctx context.Context, p *storage.Project, path string, opt Options, max int) ([]string, [][]string, error) {
	s, err := open(ctx, path, opt)
	if err != nil {
		return nil, nil, err
	}
	defer s.close()
	if len(s.cands) > 0 {
		return nil, nil, &EncodingError{File: path, Candidates: s.cands}
	}
	rows, err := p.DB().QueryContext(ctx, `SELECT * FROM `+s.relation(readMode{allText: true})+` LIMIT ?`, max+1)
	if err != nil {
		return nil, nil, readError(s, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]string
	vals := make([]sql.NullString, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if len(out) == max {
			return nil, nil, i18n.Errorf("%s has more than %d rows; split it into smaller files", path, max)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, readError(s, err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, readError(s, err)
	}
	return cols, out, nil
}
