package consent

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// customerTable is a table with a customer id column and its consent
// columns by channel.
type customerTable struct {
	name    string
	id      string
	email   string
	phone   string
	consent map[storage.Role]string
	types   map[string]storage.Column
}

func customerTables(ctx context.Context, p *storage.Project) ([]customerTable, error) {
	tables, err := p.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []customerTable
	for _, t := range tables {
		roles, err := p.ColumnRoles(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		ct := customerTable{name: t.Name, consent: map[storage.Role]string{}, types: map[string]storage.Column{}}
		for _, c := range t.Columns {
			ct.types[c.Name] = c
		}
		var cols []string
		for c := range roles {
			cols = append(cols, c)
		}
		sort.Strings(cols) // the first column of a role, as ColumnFor picks
		for _, c := range cols {
			if _, ok := ct.types[c]; !ok {
				continue
			}
			switch r := roles[c]; {
			case r == storage.CustomerID && ct.id == "":
				ct.id = c
			case r == storage.Email && ct.email == "":
				ct.email = c
			case r == storage.Phone && ct.phone == "":
				ct.phone = c
			case isChannel(r) && ct.consent[r] == "":
				ct.consent[r] = c
			}
		}
		if ct.id != "" {
			out = append(out, ct)
		}
	}
	return out, nil
}

// idSQL is a customer id column's value as text; x is its SQL expression.
func idSQL(x string) string { return `trim(CAST(` + x + ` AS VARCHAR))` }

// knownCustomers are the customer ids in every table with that role.
func knownCustomers(ctx context.Context, p *storage.Project) (map[string]bool, error) {
	tables, err := customerTables(ctx, p)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, t := range tables {
		if err := scan(ctx, p.Q(), `SELECT DISTINCT `+idSQL(storage.Quote(t.id))+` FROM `+storage.Quote(t.name)+` WHERE `+storage.Quote(t.id)+` IS NOT NULL`, func(v []string) {
			known[v[0]] = true
		}); err != nil {
			return nil, err
		}
	}
	return known, nil
}

func scan(ctx context.Context, q storage.Querier, query string, each func([]string), args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]*string, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		out := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				out[i] = *v
			}
		}
		each(out)
	}
	return rows.Err()
}

// Directory finds customers by id, e-mail or phone, for a consent file that
// names people by their address.
type Directory struct {
	ids     map[string]bool
	byEmail map[string][]string
	byPhone map[string][]string
}

// NormEmail and NormPhone are how addresses are compared: e-mails trimmed
// and lower-cased, phones as their digits.
func NormEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormPhone keeps a phone number's digits.
func NormPhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// LoadDirectory reads every customer table's ids and addresses.
func LoadDirectory(ctx context.Context, p *storage.Project) (*Directory, error) {
	tables, err := customerTables(ctx, p)
	if err != nil {
		return nil, err
	}
	d := &Directory{ids: map[string]bool{}, byEmail: map[string][]string{}, byPhone: map[string][]string{}}
	addTo := func(m map[string][]string, k, id string) {
		for _, have := range m[k] {
			if have == id {
				return
			}
		}
		m[k] = append(m[k], id)
	}
	for _, t := range tables {
		sel := []string{idSQL(storage.Quote(t.id)), `NULL`, `NULL`}
		if t.email != "" {
			sel[1] = `CAST(` + storage.Quote(t.email) + ` AS VARCHAR)`
		}
		if t.phone != "" {
			sel[2] = `CAST(` + storage.Quote(t.phone) + ` AS VARCHAR)`
		}
		err := scan(ctx, p.Q(), `SELECT DISTINCT `+strings.Join(sel, ", ")+` FROM `+storage.Quote(t.name)+` WHERE `+storage.Quote(t.id)+` IS NOT NULL`, func(v []string) {
			if v[0] == "" {
				return
			}
			d.ids[v[0]] = true
			if e := NormEmail(v[1]); e != "" {
				addTo(d.byEmail, e, v[0])
			}
			if ph := NormPhone(v[2]); ph != "" {
				addTo(d.byPhone, ph, v[0])
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Key kinds a Directory looks people up by.
const (
	ByCustomer = "customer_id"
	ByEmail    = "email"
	ByPhone    = "phone"
)

// KindWord is a key kind in words: customer id, e-mail or phone.
func KindWord(kind string) string {
	switch kind {
	case ByEmail:
		return i18n.T("e-mail address")
	case ByPhone:
		return i18n.T("phone number")
	}
	return i18n.T("customer id")
}

// Find gives the customer id for a key, or a reason in the user's words.
func (d *Directory) Find(kind, v string) (string, string) {
	var ids []string
	switch kind {
	case ByCustomer:
		v = strings.TrimSpace(v)
		if d.ids[v] {
			return v, ""
		}
		if v == "" {
			return "", i18n.T("no customer id")
		}
		return "", i18n.T("customer %q is not in any customer table", clip(v))
	case ByEmail:
		if NormEmail(v) == "" {
			return "", i18n.T("no e-mail address")
		}
		ids = d.byEmail[NormEmail(v)]
	case ByPhone:
		if NormPhone(v) == "" {
			return "", i18n.T("no phone number")
		}
		ids = d.byPhone[NormPhone(v)]
	}
	switch len(ids) {
	case 0:
		return "", i18n.T("no customer has %s %q", KindWord(kind), clip(v))
	case 1:
		return ids[0], ""
	}
	sort.Strings(ids)
	return "", i18n.T("%s %q belongs to %d customers (%s); name the customer id instead", KindWord(kind), clip(v), len(ids), clip(strings.Join(ids, ", ")))
}

// Customers finds the customer ids of a person by id, e-mail or phone.
func Customers(ctx context.Context, p *storage.Project, id, email, phone string) ([]string, error) {
	if strings.TrimSpace(id) != "" {
		return []string{strings.TrimSpace(id)}, nil
	}
	d, err := LoadDirectory(ctx, p)
	if err != nil {
		return nil, err
	}
	var ids []string
	switch {
	case NormEmail(email) != "":
		ids = d.byEmail[NormEmail(email)]
	case NormPhone(phone) != "":
		ids = d.byPhone[NormPhone(phone)]
	default:
		return nil, i18n.Errorf("name the customer with a customer id, an e-mail or a phone")
	}
	sort.Strings(ids)
	return ids, nil
}

// stateSQL reads a consent column value as a send does: NULL when empty,
// true when it means consent given, else false.
func stateSQL(x string) string {
	var words []string
	for _, w := range grantedWords {
		words = append(words, storage.Literal(w))
	}
	v := `lower(trim(CAST(` + x + ` AS VARCHAR)))`
	return `CASE WHEN ` + x + ` IS NULL OR ` + v + ` = '' THEN NULL WHEN ` + v + ` IN (` + strings.Join(words, ", ") + `) THEN true ELSE false END`
}

// writeSQL is the value that stores granted (the SQL boolean g) in the
// column: a boolean, 1/0 for numbers, and for text the words the column
// already uses most (yes/no when it has none).
func writeSQL(ctx context.Context, q storage.Querier, t customerTable, col, g string) (string, error) {
	c := t.types[col]
	switch {
	case c.IsBool():
		return g, nil
	case c.IsNumeric():
		return `CASE WHEN ` + g + ` THEN 1 ELSE 0 END`, nil
	}
	yes, no := "yes", "no"
	err := scan(ctx, q, `SELECT v, `+stateSQL("v")+` FROM (SELECT trim(CAST(`+storage.Quote(col)+` AS VARCHAR)) v FROM `+storage.Quote(t.name)+`)
		WHERE v <> '' GROUP BY v ORDER BY count(*), v DESC`, func(r []string) {
		// Ascending: the most used spelling of each comes last and wins.
		if r[1] == "true" {
			yes = r[0]
		} else {
			no = r[0]
		}
	})
	if err != nil {
		return "", err
	}
	return `CASE WHEN ` + g + ` THEN ` + storage.Literal(yes) + ` ELSE ` + storage.Literal(no) + ` END`, nil
}

// apply writes the latest event of each touched customer into every
// customer table's consent column for the channel. It returns the rows
// changed, how many tables have that column and how many touched
// customers' latest event is older than this batch (recorded at now).
func apply(ctx context.Context, p *storage.Project, tx *storage.Tx, ch storage.Role, ids map[string]bool, now time.Time) (int64, int, int, error) {
	tables, err := customerTables(ctx, p)
	if err != nil {
		return 0, 0, 0, err
	}
	temp := fmt.Sprintf("mb_consent_touch_%d", time.Now().UnixNano())
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+temp+` (customer_id VARCHAR)`); err != nil {
		return 0, 0, 0, err
	}
	defer tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+temp)
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for i := 0; i < len(list); i += 500 {
		end := min(i+500, len(list))
		args := make([]any, 0, end-i)
		for _, id := range list[i:end] {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+temp+` VALUES `+strings.TrimSuffix(strings.Repeat("(?), ", end-i), ", "), args...); err != nil {
			return 0, 0, 0, err
		}
	}
	latest := `SELECT customer_id, granted, recorded_at FROM mb_consent_events WHERE channel = ` + storage.Literal(string(ch)) +
		` AND customer_id IN (SELECT customer_id FROM ` + temp + `) QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY "at" DESC, id DESC) = 1`
	var older int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+latest+`) WHERE recorded_at <> ?`, now).Scan(&older); err != nil {
		return 0, 0, 0, err
	}
	var n int64
	cols := 0
	for _, t := range tables {
		col := t.consent[ch]
		if col == "" {
			continue
		}
		cols++
		val, err := writeSQL(ctx, tx, t, col, `l.granted`)
		if err != nil {
			return 0, 0, 0, err
		}
		q := `UPDATE ` + storage.Quote(t.name) + ` SET ` + storage.Quote(col) + ` = ` + val + ` FROM (` + latest + `) l
			WHERE ` + idSQL(storage.Quote(t.name)+`.`+storage.Quote(t.id)) + ` = l.customer_id AND (` + stateSQL(storage.Quote(t.name)+`.`+storage.Quote(col)) + `) IS DISTINCT FROM l.granted`
		res, err := tx.ExecContext(ctx, q)
		if err != nil {
			return 0, 0, 0, i18n.Errorf("cannot write the consent into %s.%s: %s", t.name, col, storage.FirstLine(err.Error()))
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, cols, older, nil
}
