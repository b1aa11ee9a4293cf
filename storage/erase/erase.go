// Package erase removes one person from a project (the right to be
// forgotten): every row that names them, in imported, derived, campaign
// and journey tables, in one transaction, leaving salted-hash tombstones so
// a re-import or a send does not bring them back.
package erase

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Subject names the person: a customer id, an e-mail or a phone.
type Subject struct {
	CustomerID string
	Email      string
	Phone      string
}

// Report is what an erasure did. It holds no personal values.
type Report struct {
	Customers int              // customer ids resolved and erased
	Rows      int64            // rows deleted in all
	Tables    map[string]int64 // table → rows deleted (only tables that had some)
	Exports   []storage.ExportRecord
	Mentions  []Mention // text that still holds one of their values (see Mention)
}

// customer-keyed Marketbench tables.
var metaByCustomer = []string{"mb_segment_members", "mb_deliveries", "mb_campaign_events",
	"mb_journey_entries", "mb_journey_log", "mb_customer_tags", "mb_consent_events"}

type person struct {
	ids, emails, phones map[string]bool // normalised values
}

func inList(set map[string]bool) string {
	var l []string
	for v := range set {
		l = append(l, storage.Literal(v))
	}
	sort.Strings(l)
	return "(" + strings.Join(l, ", ") + ")"
}

// norm is storage.NormalizeErased in SQL for the expression x.
func norm(kind, x string) string {
	v := `trim(CAST(` + x + ` AS VARCHAR), ' ')`
	switch kind {
	case storage.EraseEmail:
		return `lower(` + v + `)`
	case storage.ErasePhone:
		return `regexp_replace(` + v + `, '[^0-9]', '', 'g')`
	}
	return v
}

// tableCols are a user table's id, e-mail and phone columns.
type tableCols struct {
	name             string
	id, email, phone []string
	rawText          bool
}

func columnsOf(ctx context.Context, p *storage.Project) ([]tableCols, error) {
	tables, err := p.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []tableCols
	for _, t := range tables {
		roles, err := p.ColumnRoles(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		tc := tableCols{name: t.Name}
		for _, c := range t.Columns {
			switch {
			case roles[c.Name] == storage.CustomerID || (roles[c.Name] == "" && strings.EqualFold(c.Name, "customer_id")):
				tc.id = append(tc.id, c.Name)
			case roles[c.Name] == storage.Email:
				tc.email = append(tc.email, c.Name)
			case roles[c.Name] == storage.Phone:
				tc.phone = append(tc.phone, c.Name)
			case strings.HasSuffix(t.Name, "_rejects") && c.Name == "raw_text":
				tc.rawText = true
			}
		}
		out = append(out, tc)
	}
	return out, nil
}

// resolve finds the person's customer ids from their addresses and their
// addresses from their ids, in every table that has the roles.
func resolve(ctx context.Context, q storage.Querier, tables []tableCols, s Subject) (*person, error) {
	pr := &person{ids: map[string]bool{}, emails: map[string]bool{}, phones: map[string]bool{}}
	add := func(set map[string]bool, kind, v string) {
		if v = storage.NormalizeErased(kind, v); v != "" {
			set[v] = true
		}
	}
	add(pr.ids, storage.EraseCustomer, s.CustomerID)
	add(pr.emails, storage.EraseEmail, s.Email)
	add(pr.phones, storage.ErasePhone, s.Phone)
	collect := func(set map[string]bool, kind, query string) error {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v *string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			if v != nil {
				add(set, kind, *v)
			}
		}
		return rows.Err()
	}
	for _, t := range tables {
		from := ` FROM ` + storage.Quote(t.name) + ` WHERE `
		for _, id := range t.id {
			for _, e := range t.email {
				if len(pr.emails) > 0 {
					if err := collect(pr.ids, storage.EraseCustomer, `SELECT DISTINCT CAST(`+storage.Quote(id)+` AS VARCHAR)`+from+norm(storage.EraseEmail, storage.Quote(e))+` IN `+inList(pr.emails)); err != nil {
						return nil, err
					}
				}
			}
			for _, ph := range t.phone {
				if len(pr.phones) > 0 {
					if err := collect(pr.ids, storage.EraseCustomer, `SELECT DISTINCT CAST(`+storage.Quote(id)+` AS VARCHAR)`+from+norm(storage.ErasePhone, storage.Quote(ph))+` IN `+inList(pr.phones)); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	if len(pr.ids) == 0 {
		return pr, nil
	}
	for _, t := range tables {
		from := ` FROM ` + storage.Quote(t.name) + ` WHERE `
		for _, id := range t.id {
			where := norm(storage.EraseCustomer, storage.Quote(id)) + ` IN ` + inList(pr.ids)
			for _, e := range t.email {
				if err := collect(pr.emails, storage.EraseEmail, `SELECT DISTINCT CAST(`+storage.Quote(e)+` AS VARCHAR)`+from+where); err != nil {
					return nil, err
				}
			}
			for _, ph := range t.phone {
				if err := collect(pr.phones, storage.ErasePhone, `SELECT DISTINCT CAST(`+storage.Quote(ph)+` AS VARCHAR)`+from+where); err != nil {
					return nil, err
				}
			}
		}
	}
	return pr, nil
}

// Erase deletes the person from every table in one transaction and leaves
// their tombstones. It does not compact the file (see core's Erase).
func Erase(ctx context.Context, p *storage.Project, s Subject) (*Report, error) {
	return run(ctx, p, s, false)
}

// errPreview rolls a preview's transaction back.
var errPreview = errors.New("preview")

// Preview says what Erase would delete, without deleting anything: it runs
// the very same deletions in a transaction it then rolls back, so the
// counts cannot drift from what an erasure does.
func Preview(ctx context.Context, p *storage.Project, s Subject) (*Report, error) {
	return run(ctx, p, s, true)
}

func run(ctx context.Context, p *storage.Project, s Subject, preview bool) (*Report, error) {
	if strings.TrimSpace(s.CustomerID+s.Email+s.Phone) == "" {
		return nil, i18n.Errorf("name the person to erase: a customer id, an e-mail or a phone")
	}
	rep := &Report{Tables: map[string]int64{}, Exports: []storage.ExportRecord{}}
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		pt := p.InTx(tx)
		tables, err := columnsOf(ctx, pt)
		if err != nil {
			return err
		}
		pr, err := resolve(ctx, tx, tables, s)
		if err != nil {
			return err
		}
		if len(pr.ids)+len(pr.emails)+len(pr.phones) == 0 {
			return i18n.Errorf("nothing to erase: the id, e-mail or phone is empty once normalised")
		}
		del := func(table, where string) error {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+storage.Quote(table)+` WHERE `+where)
			if err != nil {
				return i18n.Errorf("cannot erase from %s: %s", table, storage.FirstLine(err.Error()))
			}
			if n, _ := res.RowsAffected(); n > 0 {
				rep.Tables[table] += n
				rep.Rows += n
			}
			return nil
		}
		for _, t := range tables {
			var conds []string
			if len(pr.ids) > 0 {
				for _, c := range t.id {
					conds = append(conds, norm(storage.EraseCustomer, storage.Quote(c))+` IN `+inList(pr.ids))
				}
			}
			if len(pr.emails) > 0 {
				for _, c := range t.email {
					conds = append(conds, norm(storage.EraseEmail, storage.Quote(c))+` IN `+inList(pr.emails))
				}
			}
			if len(pr.phones) > 0 {
				for _, c := range t.phone {
					conds = append(conds, norm(storage.ErasePhone, storage.Quote(c))+` IN `+inList(pr.phones))
				}
			}
			if t.rawText {
				// A rejected line keeps the file's text: match it anywhere.
				for _, set := range []map[string]bool{pr.ids, pr.emails} {
					for v := range set {
						conds = append(conds, `contains(lower(raw_text), `+storage.Literal(strings.ToLower(v))+`)`)
					}
				}
				for v := range pr.phones {
					conds = append(conds, `contains(regexp_replace(raw_text, '[^0-9]', '', 'g'), `+storage.Literal(v)+`)`)
				}
			}
			if len(conds) > 0 {
				if err := del(t.name, strings.Join(conds, " OR ")); err != nil {
					return err
				}
			}
		}
		if len(pr.ids) > 0 {
			ids := inList(pr.ids)
			for _, t := range metaByCustomer {
				if err := del(t, `customer_id IN `+ids); err != nil {
					return err
				}
			}
			var ck []string
			for v := range pr.ids {
				ck = append(ck, storage.Literal("c:"+v))
			}
			if err := del("mb_journey_seen", `key IN `+ids+` OR key IN (`+strings.Join(ck, ", ")+`)`); err != nil {
				return err
			}
		}
		supp := []string{}
		for kind, set := range map[string]map[string]bool{"customer": pr.ids, "email": pr.emails, "phone": pr.phones} {
			if len(set) > 0 {
				supp = append(supp, `(kind = `+storage.Literal(kind)+` AND value IN `+inList(set)+`)`)
			}
		}
		if err := del("mb_suppression", strings.Join(supp, " OR ")); err != nil {
			return err
		}
		salt, err := pt.ErasureSalt(ctx, true)
		if err != nil {
			return err
		}
		for kind, set := range map[string]map[string]bool{storage.EraseCustomer: pr.ids, storage.EraseEmail: pr.emails, storage.ErasePhone: pr.phones} {
			for v := range set {
				if err := pt.AddErasure(ctx, salt, kind, v); err != nil {
					return err
				}
			}
		}
		if rep.Mentions, err = mentions(ctx, tx, pr); err != nil {
			return err
		}
		rep.Customers = len(pr.ids)
		var ids []string
		for v := range pr.ids {
			ids = append(ids, v)
		}
		if rep.Exports, err = pt.ExportsHolding(ctx, salt, ids, false); err != nil {
			return err
		}
		if preview {
			return errPreview
		}
		detail := fmt.Sprintf("%d customer(s), %d row(s) from %d table(s), %d earlier export(s) hold them, %d text column(s) still mention them", rep.Customers, rep.Rows, len(rep.Tables), len(rep.Exports), len(rep.Mentions))
		return p.Audit(ctx, tx, "erase", "customer", -1, -1, detail)
	})
	if err != nil && !(preview && errors.Is(err, errPreview)) {
		return nil, err
	}
	return rep, nil
}

// Done is one erasure performed: when, and how much, never who.
type Done struct {
	At        time.Time
	Customers int64
	Rows      int64
	Tables    int64
	Exports   int64
}

// History lists the erasures performed, the latest first, from the audit
// log (which records counts only).
func History(ctx context.Context, p *storage.Project) ([]Done, error) {
	rows, err := p.DB().QueryContext(ctx, `SELECT changed_at, coalesce(detail, '') FROM mb_audit WHERE action = 'erase' ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Done{}
	for rows.Next() {
		var d Done
		var detail string
		if err := rows.Scan(&d.At, &detail); err != nil {
			return nil, err
		}
		// The detail is Erase's own fixed sentence.
		fmt.Sscanf(detail, "%d customer(s), %d row(s) from %d table(s), %d earlier export(s)", &d.Customers, &d.Rows, &d.Tables, &d.Exports)
		out = append(out, d)
	}
	return out, rows.Err()
}
