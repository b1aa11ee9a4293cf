package storage

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// IdentifierRoles are the roles of columns that name a person directly:
// an anonymised export drops them, a pseudonymised one replaces their
// values with keyed pseudonyms.
var IdentifierRoles = []Role{CustomerID, Email, Phone, NationalID, FirstName, LastName, FullName, WeChatOpenID, PushToken}

// IsIdentifier reports whether a role names a person directly.
func IsIdentifier(r Role) bool { return slices.Contains(IdentifierRoles, r) }

// NormaliseIdentifier is the form of an identifier that is pseudonymised,
// so that " Ann@Example.com" and "ann@example.com" get one pseudonym.
func NormaliseIdentifier(r Role, v string) string {
	v = strings.TrimSpace(v)
	switch r {
	case Email:
		return strings.ToLower(v)
	case Phone:
		return strings.Map(func(c rune) rune {
			if c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' {
				return -1
			}
			return c
		}, v)
	case NationalID:
		return strings.ToUpper(v)
	}
	return v
}

// PrivateOptions says how ExportPrivate changes the rows it writes.
type PrivateOptions struct {
	// Roles gives roles by column of the source; columns not in it are
	// recognised by their roles in any table of the project, then by name.
	Roles map[string]Role
	// Pseudonym, when set, replaces every identifier value (see
	// IdentifierRoles) with Pseudonym(role, NormaliseIdentifier(role, v)).
	Pseudonym func(r Role, normalised string) string
	// Lookup, with Pseudonym, is a CSV file to write value → pseudonym to.
	Lookup string

	// Anonymise drops identifier columns, generalises the quasi-identifiers
	// and checks k-anonymity (and l-diversity of Sensitive).
	Anonymise bool
	K, L      int
	Quasi     []string // empty: chosen from roles and names
	Sensitive string
	Suppress  bool // drop the rows of classes below k (or l) instead of refusing

	// UserQuery says selectSQL was typed by a user: it is checked like the
	// SQL console's and bounded by Timeout.
	UserQuery bool
	Timeout   time.Duration
}

// Class is one equivalence class: rows that share their generalised
// quasi-identifiers.
type Class struct {
	Values   map[string]string `json:"values"`
	Rows     int64             `json:"rows"`
	Distinct int64             `json:"distinct_sensitive"` // distinct values of the sensitive column (0 without one)
}

// PrivateReport says what ExportPrivate did.
type PrivateReport struct {
	Rows          int64             `json:"rows"`
	Dropped       int64             `json:"dropped_rows"`
	Pseudonymised []string          `json:"pseudonymised_columns"`
	Removed       []string          `json:"removed_columns"`
	Quasi         []string          `json:"quasi_identifiers"`
	Generalised   map[string]string `json:"generalised"` // column → how
	// Unchecked lists columns that look like quasi-identifiers but were
	// not named in Quasi: written as they are and left out of the check.
	Unchecked []string `json:"unchecked_quasi_identifiers"`
	Sensitive string   `json:"sensitive,omitempty"`
	K         int64    `json:"k_achieved"`
	L         int64    `json:"l_achieved"`
	Classes   int64    `json:"classes"`
	Smallest  []Class  `json:"smallest_classes"`
	Lookup    string   `json:"lookup_file,omitempty"`
}

// ErrNotAnonymous is matched by the refusal of an export whose classes are
// smaller than k (or less diverse than l).
var ErrNotAnonymous = errors.New(i18n.Mark("the export is not k-anonymous"))

const privSrc, privMap, privOut, privCls = "mb_priv_src", "mb_priv_map", "mb_priv_out", "mb_priv_cls"

// ExportPrivate writes a pseudonymised or anonymised copy of a SELECT's
// rows to path (see Export). Everything is checked before the file is
// written: a refusal writes nothing.
func (p *Project) ExportPrivate(ctx context.Context, selectSQL, path string, o PrivateOptions) (*PrivateReport, error) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if o.UserQuery {
		selectSQL = strings.TrimRight(strings.TrimSpace(selectSQL), "; \t\r\n")
		if err := p.CheckSelect(ctx, selectSQL); err != nil {
			return nil, err
		}
		selectSQL = "SELECT * FROM (\n" + selectSQL + "\n)"
		if err := p.CheckSelect(ctx, selectSQL); err != nil {
			return nil, err
		}
	}
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	c := *p
	c.q = conn
	for _, t := range []string{privSrc, privMap, privOut, privCls} {
		defer conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.main.`+Quote(t))
	}
	rep, err := c.exportPrivate(ctx, conn, selectSQL, path, o)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, i18n.Errorf("the export took longer than %s and was stopped; add a WHERE clause or a LIMIT, or allow more time (--timeout)", o.Timeout)
	}
	return rep, err
}

func (p *Project) exportPrivate(ctx context.Context, conn *sql.Conn, selectSQL, path string, o PrivateOptions) (*PrivateReport, error) {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+privSrc+` AS `+selectSQL); err != nil {
		return nil, queryError(err)
	}
	cols, err := p.tempColumns(ctx, privSrc)
	if err != nil {
		return nil, err
	}
	roles, err := p.sourceRoles(ctx, cols, o.Roles)
	if err != nil {
		return nil, err
	}
	rep := &PrivateReport{Pseudonymised: []string{}, Removed: []string{}, Quasi: []string{}, Generalised: map[string]string{}, Smallest: []Class{}, Unchecked: []string{}}
	if o.Pseudonym != nil {
		if err := p.pseudonymise(ctx, conn, cols, roles, o, rep); err != nil {
			return nil, err
		}
	}
	out := privSrc
	if o.Anonymise {
		if err := p.anonymise(ctx, conn, cols, roles, o, rep); err != nil {
			return nil, err
		}
		out = privOut
	}
	n, err := p.Export(ctx, `SELECT * FROM temp.main.`+out, path)
	if err != nil {
		return nil, err
	}
	rep.Rows = n
	if o.Pseudonym != nil && o.Lookup != "" {
		if err := p.writeLookup(ctx, o.Lookup); err != nil {
			os.Remove(path)
			return nil, err
		}
		rep.Lookup, _ = filepath.Abs(o.Lookup)
	}
	return rep, nil
}

func (p *Project) tempColumns(ctx context.Context, table string) ([]Column, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE database_name = 'temp' AND table_name = ? ORDER BY column_index`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Column
	for rows.Next() {
		var c Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// sourceRoles finds each column's role: given, else the role a column of
// that name has in the project's tables (when they agree), else by name.
func (p *Project) sourceRoles(ctx context.Context, cols []Column, given map[string]Role) (map[string]Role, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT column_name, list(DISTINCT role) FROM mb_column_roles WHERE role <> '' GROUP BY column_name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	stored := map[string]Role{}
	for rows.Next() {
		var c string
		var rs []any
		if err := rows.Scan(&c, &rs); err != nil {
			return nil, err
		}
		if len(rs) == 1 {
			stored[strings.ToLower(c)] = Role(fmt.Sprint(rs[0]))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]Role{}
	for _, c := range cols {
		if r, ok := given[c.Name]; ok {
			out[c.Name] = r
		} else if r, ok := stored[strings.ToLower(c.Name)]; ok {
			out[c.Name] = r
		} else {
			out[c.Name] = roleByName(c.Name)
		}
	}
	return out, nil
}

// pseudonymise replaces identifier values in privSrc through a map of
// distinct values to pseudonyms (made in Go: DuckDB has no HMAC).
func (p *Project) pseudonymise(ctx context.Context, conn *sql.Conn, cols []Column, roles map[string]Role, o PrivateOptions, rep *PrivateReport) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+privMap+` (col VARCHAR, role VARCHAR, v VARCHAR, p VARCHAR)`); err != nil {
		return err
	}
	var repl []string
	for _, c := range cols {
		r := roles[c.Name]
		if !IsIdentifier(r) {
			continue
		}
		rows, err := conn.QueryContext(ctx, `SELECT DISTINCT CAST(`+Quote(c.Name)+` AS VARCHAR) FROM `+privSrc+` WHERE `+Quote(c.Name)+` IS NOT NULL`)
		if err != nil {
			return queryError(err)
		}
		var vals []string
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			vals = append(vals, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := 0; i < len(vals); i += 500 {
			batch := vals[i:min(i+500, len(vals))]
			args := make([]any, 0, 4*len(batch))
			ph := make([]string, len(batch))
			for j, v := range batch {
				ph[j] = "(?, ?, ?, ?)"
				args = append(args, c.Name, string(r), v, o.Pseudonym(r, NormaliseIdentifier(r, v)))
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO `+privMap+` VALUES `+strings.Join(ph, ", "), args...); err != nil {
				return err
			}
		}
		repl = append(repl, fmt.Sprintf(`(SELECT m.p FROM %s m WHERE m.col = %s AND m.v = CAST(s.%s AS VARCHAR)) AS %s`,
			privMap, Literal(c.Name), Quote(c.Name), Quote(c.Name)))
		rep.Pseudonymised = append(rep.Pseudonymised, c.Name)
	}
	if len(repl) == 0 {
		return i18n.Errorf("the export has no identifier columns to pseudonymise (columns with the roles %s); set roles with 'roles'", roleList(IdentifierRoles))
	}
	_, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE `+privSrc+` AS SELECT * REPLACE (`+strings.Join(repl, ", ")+`) FROM `+privSrc+` s`)
	return queryError(err)
}

func roleList(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// writeLookup writes the pseudonym map as CSV (column, role, value,
// pseudonym), readable by the owner only: it is personal data.
func (p *Project) writeLookup(ctx context.Context, path string) error {
	rows, err := p.q.QueryContext(ctx, `SELECT col, role, v, p FROM `+privMap+` ORDER BY col, v`)
	if err != nil {
		return err
	}
	defer rows.Close()
	tmp := filepath.Join(filepath.Dir(path), ".part-"+filepath.Base(path))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return exportError(path, err)
	}
	defer os.Remove(tmp)
	w := csv.NewWriter(f)
	w.Write([]string{"column", "role", "value", "pseudonym"})
	for rows.Next() {
		var r [4]string
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3]); err != nil {
			f.Close()
			return err
		}
		w.Write(r[:])
	}
	w.Flush()
	if err := errors.Join(rows.Err(), w.Error(), f.Close()); err != nil {
		return exportError(path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return exportError(path, err)
	}
	return nil
}

// PrivateColumn is a column of an export's source as ExportPrivate sees
// it: its role, whether it names a person (dropped when anonymised,
// pseudonymised otherwise), and whether it is a quasi-identifier by default.
type PrivateColumn struct {
	Name       string
	Type       string
	Role       Role
	Identifier bool
	Quasi      bool
}

// PrivateColumns describes the columns of a SELECT for the options of a
// private export, without running it. userQuery is as in PrivateOptions.
func (p *Project) PrivateColumns(ctx context.Context, selectSQL string, given map[string]Role, userQuery bool) ([]PrivateColumn, error) {
	if userQuery {
		selectSQL = strings.TrimRight(strings.TrimSpace(selectSQL), "; \t\r\n")
		if err := p.CheckSelect(ctx, selectSQL); err != nil {
			return nil, err
		}
	}
	rows, err := p.q.QueryContext(ctx, `DESCRIBE SELECT * FROM (`+selectSQL+`)`)
	if err != nil {
		return nil, queryError(err)
	}
	var cols []Column
	for rows.Next() {
		var c Column
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&c.Name, &c.Type, &null, &key, &def, &extra); err != nil {
			rows.Close()
			return nil, err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	roles, err := p.sourceRoles(ctx, cols, given)
	if err != nil {
		return nil, err
	}
	out := make([]PrivateColumn, len(cols))
	for i, c := range cols {
		r := roles[c.Name]
		out[i] = PrivateColumn{Name: c.Name, Type: c.Type, Role: r, Identifier: IsIdentifier(r), Quasi: !IsIdentifier(r) && looksQuasi(c, r)}
	}
	return out, nil
}
