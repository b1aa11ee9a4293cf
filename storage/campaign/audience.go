package campaign

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
	"github.com/marketbench/marketbench/storage/contact"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// Recipient is one audience member as the campaign sees them.
type Recipient struct {
	CustomerID string
	// Group is a variant name or Holdout; empty when excluded.
	Group string
	// Excluded says why the customer gets nothing ("no e-mail consent").
	Excluded string
	// To is the address the channel sends to (e-mail or phone).
	To string
	// Fields are the customer fields the channel may see.
	Fields map[string]string
	// Data are the personalisation fields templates may use.
	Data map[string]string
}

// contact fields and the consent role each needs: a channel reaches
// people at the first of these fields it declares.
var consentFor = map[string]storage.Role{"email": storage.EmailConsent, "phone": storage.SMSConsent,
	"wechat_openid": storage.WeChatFollower, "push_token": storage.PushOptIn}
var contactRole = map[string]storage.Role{"email": storage.Email, "phone": storage.Phone,
	"wechat_openid": storage.WeChatOpenID, "push_token": storage.PushToken}

// ContactKinds are the address kinds the suppression list holds, besides
// "customer".
var ContactKinds = []string{"email", "phone", "wechat_openid", "push_token"}

// noWords are the reasons a customer is left out for a missing contact
// field: no address column, no address, no consent column, no consent.
// They are stored in English (see ReasonWords).
var noWords = map[string][4]string{
	"email": {i18n.Mark("no e-mail address column (set the role)"), i18n.Mark("no e-mail address"),
		i18n.Mark("no e-mail consent recorded"), i18n.Mark("no e-mail consent")},
	"phone": {i18n.Mark("no SMS address column (set the role)"), i18n.Mark("no SMS address"),
		i18n.Mark("no SMS consent recorded"), i18n.Mark("no SMS consent")},
	"wechat_openid": {i18n.Mark("no WeChat openid column (set the role)"), i18n.Mark("no WeChat openid"),
		i18n.Mark("no WeChat follower status recorded"), i18n.Mark("does not follow the Official Account")},
	"push_token": {i18n.Mark("no push token column (set the role)"), i18n.Mark("no push token"),
		i18n.Mark("no push consent recorded"), i18n.Mark("no push consent")},
}

// fieldRoles map the customer fields a plugin may ask for to roles.
var fieldRoles = map[string]storage.Role{"customer_id": storage.CustomerID, "email": storage.Email, "phone": storage.Phone,
	"wechat_openid": storage.WeChatOpenID, "push_token": storage.PushToken,
	"first_name": storage.FirstName, "last_name": storage.LastName, "full_name": storage.FullName}

// MergeFields are the names a template can use for a customer of table:
// the role names above (first_name, email, …) where the table has the
// role, then every column, lower-cased as Audience gives them to the
// templates, then the top recommendations (rec1_name, …) when the project
// has them. It is what the editor offers and checks as the user types.
func MergeFields(ctx context.Context, p *storage.Project, table string) ([]string, error) {
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return nil, err
	}
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	has := map[storage.Role]bool{}
	for _, r := range roles {
		has[r] = true
	}
	var out []string
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, f := range []string{"first_name", "last_name", "full_name", "email", "phone", "wechat_openid", "push_token", "customer_id"} {
		if has[fieldRoles[f]] {
			add(f)
		}
	}
	for _, c := range cols {
		add(strings.ToLower(c.Name))
	}
	if ok, err := hasRecs(ctx, p); err != nil {
		return nil, err
	} else if ok {
		for _, f := range RecFields() {
			add(f)
		}
	}
	return out, nil
}

// NormalizeAddress is how addresses are compared with the suppression
// list: e-mails trimmed and lower-cased, phones as digits only, openids and
// device tokens trimmed (they are case-sensitive).
func NormalizeAddress(kind, v string) string {
	v = strings.TrimSpace(v)
	if kind == "wechat_openid" || kind == "push_token" {
		return v
	}
	if kind == "phone" {
		var b strings.Builder
		for _, r := range v {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return strings.ToLower(v)
}

// Audience resolves the campaign's audience: the segment's customers,
// narrowed by the rule, looked up in the customer table; each is excluded
// (with a reason) or assigned to a variant or the holdout.
func Audience(ctx context.Context, p *storage.Project, c *Campaign) ([]Recipient, error) {
	if c.Table == "" {
		return nil, i18n.Errorf("choose the customer table of campaign %q", c.Name)
	}
	ids, err := segment.IDsSQL(ctx, p, c.Segment)
	if err != nil {
		return nil, err
	}
	var args []any
	if strings.TrimSpace(c.Rule) != "" {
		n, err := rule.Parse(c.Rule)
		if err != nil {
			return nil, i18n.Errorf("audience rule: %w", err)
		}
		rq, rargs, err := segment.RuleIDsSQL(ctx, p, c.Table, n)
		if err != nil {
			return nil, i18n.Errorf("audience rule: %w", err)
		}
		ids = `SELECT customer_id FROM (` + ids + `) INTERSECT SELECT customer_id FROM (` + rq + `)`
		args = rargs
	}
	return AudienceOf(ctx, p, c, ids, args)
}

// AudienceOf is Audience for the customers a query selects (a SELECT of
// customer_id, with its arguments) instead of the campaign's segment: a
// journey's send step sends to whoever reached it.
func AudienceOf(ctx context.Context, p *storage.Project, c *Campaign, ids string, args []any) ([]Recipient, error) {
	roles, err := p.ColumnRoles(ctx, c.Table)
	if err != nil {
		return nil, err
	}
	byRole := map[storage.Role]string{}
	for col, r := range roles {
		byRole[r] = col
	}
	cust := byRole[storage.CustomerID]
	if cust == "" {
		return nil, i18n.Errorf("table %q has no customer id column; set its role first", c.Table)
	}
	// Before the audience query: a transaction runs one query at a time.
	recs, err := loadRecs(ctx, p, ids, args)
	if err != nil {
		return nil, err
	}
	cols, err := p.Columns(ctx, c.Table)
	if err != nil {
		return nil, err
	}
	var sel []string
	for _, col := range cols {
		sel = append(sel, `CAST(t.`+storage.Quote(col.Name)+` AS VARCHAR)`)
	}
	key := `CAST(t.` + storage.Quote(cust) + ` AS VARCHAR)`
	q := `SELECT a.customer_id, ` + strings.Join(sel, ", ") + ` FROM (SELECT DISTINCT customer_id FROM (` + ids + `)) a
		LEFT JOIN (SELECT * FROM ` + storage.Quote(c.Table) + ` QUALIFY row_number() OVER (PARTITION BY ` + strings.Replace(key, "t.", "", 1) + ` ORDER BY rowid) = 1) t
		ON ` + key + ` = a.customer_id ORDER BY a.customer_id`
	rows, err := p.Q().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, i18n.Errorf("cannot read the audience: %s", storage.FirstLine(err.Error()))
	}
	defer rows.Close()
	own := map[string]bool{}
	for _, col := range cols {
		own[strings.ToLower(col.Name)] = true
	}
	supp, err := suppressions(ctx, p)
	if err != nil {
		return nil, err
	}
	erased, err := p.LoadErasures(ctx)
	if err != nil {
		return nil, err
	}
	contacts := contactFields(c)
	var out []Recipient
	vals := make([]*string, len(cols)+1)
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r := Recipient{CustomerID: *vals[0], Data: map[string]string{}, Fields: map[string]string{}}
		inTable := false
		for i, col := range cols {
			v := ""
			if vals[i+1] != nil {
				v = *vals[i+1]
				inTable = true
			}
			r.Data[strings.ToLower(col.Name)] = v
		}
		for f, role := range fieldRoles {
			if col := byRole[role]; col != "" {
				r.Data[f] = r.Data[strings.ToLower(col)]
			}
		}
		if recs != nil {
			setRecs(r.Data, recs[r.CustomerID], own)
		}
		for _, f := range c.Fields {
			r.Fields[f] = r.Data[f]
		}
		switch {
		case strings.TrimSpace(r.CustomerID) == "":
			r.Excluded = i18n.Mark("no customer id")
		case erased.Has(storage.EraseCustomer, r.CustomerID) || erased.Has(storage.EraseEmail, r.Data["email"]) ||
			erased.Has(storage.ErasePhone, r.Data["phone"]):
			r.Excluded = i18n.Mark("erased (right to be forgotten)")
		case !inTable:
			r.Excluded = "not in the customer table " + c.Table
		case supp["customer"][r.CustomerID] != "":
			r.Excluded = supp["customer"][r.CustomerID]
		default:
			r.Excluded = exclusion(r, contacts, byRole, supp)
		}
		if r.Excluded == "" {
			r.To = strings.TrimSpace(r.Data[contacts[0]])
			r.Group = c.Assign(r.CustomerID)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// contactFields are the contact fields a campaign's channel declares, in
// its order: each needs an address, consent and no suppression.
func contactFields(c *Campaign) []string {
	contacts := slices.DeleteFunc(slices.Clone(c.Fields), func(f string) bool { return contactRole[f] == "" })
	if len(contacts) == 0 {
		// A channel that names no contact field still reaches people:
		// e-mail consent is the conservative requirement.
		contacts = []string{"email"}
	}
	return contacts
}

// ContactField is the customer field a campaign's channel sends to (the
// Recipient's To): "email", "phone", "wechat_openid" or "push_token". It
// is also the suppression kind of an address the provider calls dead.
func ContactField(c *Campaign) string { return contactFields(c)[0] }

func exclusion(r Recipient, contacts []string, byRole map[storage.Role]string, supp map[string]map[string]string) string {
	for _, f := range contacts {
		addr := strings.TrimSpace(r.Data[f])
		if byRole[contactRole[f]] == "" {
			return noWords[f][0]
		}
		if addr == "" {
			return noWords[f][1]
		}
		col := byRole[consentFor[f]]
		if col == "" {
			return noWords[f][2]
		}
		if !truthy(r.Data[strings.ToLower(col)]) {
			return noWords[f][3]
		}
		if why := supp[f][NormalizeAddress(f, addr)]; why != "" {
			return why
		}
	}
	return ""
}

// truthy is consent given: the consent history reads columns the same way.
func truthy(v string) bool { return consent.IsGranted(v) }

// suppressions loads the suppression list by kind, value → reason.
func suppressions(ctx context.Context, p *storage.Project) (map[string]map[string]string, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT kind, value, reason FROM mb_suppression`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{"customer": {}}
	for _, k := range ContactKinds {
		out[k] = map[string]string{}
	}
	for rows.Next() {
		var k, v, why string
		if err := rows.Scan(&k, &v, &why); err != nil {
			return nil, err
		}
		if out[k] == nil {
			out[k] = map[string]string{}
		}
		out[k][v] = why
	}
	return out, rows.Err()
}

// Suppress adds addresses or customer ids to the project's suppression
// list (kind "customer" or one of ContactKinds); reason is shown as the
// exclusion ("unsubscribed", "hard bounce", "on the suppression list").
func Suppress(ctx context.Context, p *storage.Project, kind string, values []string, reason string) (int, error) {
	if kind != "customer" && !slices.Contains(ContactKinds, kind) {
		return 0, i18n.Errorf("suppression kind %q: use customer, %s", kind, strings.Join(ContactKinds, ", "))
	}
	n := 0
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		for _, v := range values {
			if kind != "customer" {
				v = NormalizeAddress(kind, v)
			}
			if v == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO mb_suppression (kind, value, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, kind, v, reason)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return p.InTx(tx).Audit(ctx, tx, "suppress", kind, -1, int64(n), reason)
	})
	return n, err
}

// Cap applies the project's frequency caps as of now to the recipients
// still included (the holdout too, so the comparison with it stays fair):
// those at a cap on the campaign's channel, or over all channels, are
// excluded with the cap's reason. The campaign's own deliveries do not
// count. It returns how many it excluded.
func Cap(ctx context.Context, p *storage.Project, c *Campaign, rs []Recipient, now time.Time) (int, error) {
	pol, err := contact.Load(ctx, p)
	if err != nil || len(pol.Caps) == 0 {
		return 0, err
	}
	var ids []string
	for _, r := range rs {
		if r.Excluded == "" {
			ids = append(ids, r.CustomerID)
		}
	}
	capped, err := pol.CappedExcept(ctx, p, c.Name, contact.ChannelKey(c.Plugin, c.Component), ids, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range rs {
		if why := capped[rs[i].CustomerID]; why != "" && rs[i].Excluded == "" {
			rs[i].Excluded, rs[i].Group, rs[i].To = why, "", ""
			n++
		}
	}
	return n, nil
}
