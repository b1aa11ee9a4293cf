package erase

import (
	"context"
	"sort"
	"strings"

	"github.com/marketbench/marketbench/storage"
)

// Mention is a text column that still holds one of an erased person's
// values after the erasure: a segment rule naming their e-mail, an import
// record of a file named after them, a free-text note. Marketbench cannot
// rewrite such text safely, so it says where it is and the user edits it.
type Mention struct {
	Table, Column string
	Rows          int64
}

// col stands for the column in a needle until it is known.
const col = "\x00col\x00"

// notSearched hold hashes only (the tombstones and the exports ledger).
var notSearched = map[string]bool{"mb_erasures": true, "mb_export_customers": true}

// mentions searches every text column of every table for the person's
// e-mails, customer ids (4 characters or more, so short numbers do not
// match everywhere) and phone numbers (their last nine digits, or all of 7 or 8, among a
// text's digits).
func mentions(ctx context.Context, q storage.Querier, pr *person) ([]Mention, error) {
	var needles []string
	for v := range pr.emails {
		needles = append(needles, `contains(lower(`+col+`), `+storage.Literal(strings.ToLower(v))+`)`)
	}
	for v := range pr.ids {
		if len([]rune(v)) >= 4 {
			needles = append(needles, `contains(lower(`+col+`), `+storage.Literal(strings.ToLower(v))+`)`)
		}
	}
	for v := range pr.phones {
		// The last nine digits: a note writes the number as dialled at
		// home, without the country code the stored form carries.
		if len(v) > 9 {
			v = v[len(v)-9:]
		}
		if len(v) >= 7 {
			needles = append(needles, `contains(regexp_replace(`+col+`, '[^0-9]', '', 'g'), `+storage.Literal(v)+`)`)
		}
	}
	if len(needles) == 0 {
		return nil, nil
	}
	sort.Strings(needles)
	rows, err := q.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'main' AND data_type = 'VARCHAR' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	byTable := map[string][]string{}
	var order []string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return nil, err
		}
		if notSearched[t] {
			continue
		}
		if byTable[t] == nil {
			order = append(order, t)
		}
		byTable[t] = append(byTable[t], c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Mention
	for _, t := range order {
		cols := byTable[t]
		var counts []string
		for _, c := range cols {
			var any []string
			for _, n := range needles {
				any = append(any, strings.ReplaceAll(n, col, storage.Quote(c)))
			}
			counts = append(counts, `count(*) FILTER (WHERE `+strings.Join(any, " OR ")+`)`)
		}
		got := make([]int64, len(cols))
		ptrs := make([]any, len(cols))
		for i := range got {
			ptrs[i] = &got[i]
		}
		if err := q.QueryRowContext(ctx, `SELECT `+strings.Join(counts, ", ")+` FROM `+storage.Quote(t)).Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, n := range got {
			if n > 0 {
				out = append(out, Mention{Table: t, Column: cols[i], Rows: n})
			}
		}
	}
	return out, nil
}
