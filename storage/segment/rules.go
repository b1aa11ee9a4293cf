package segment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/rfm"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// base is the relation a rule runs over: the base table (alias b) with the
// latest RFM scores (alias r) joined by customer id. A customer is in the
// segment when any of its rows matches, so rules work on order tables
// (country = 'France') and on customer tables alike.
type base struct {
	table    string
	customer string // quoted column of b
	hasRFM   bool
	// hasScores joins model_scores (alias s).
	hasScores bool
	// recs is the SELECT of each customer's first recommendation (alias
	// rc), "" without scored recommendations.
	recs    string
	useRecs bool // the rule reads a field of rc
	// hasCLV offers clv_scores' fields (alias cv); useCLV: a rule reads one.
	hasCLV, useCLV bool
	// useTags: a rule reads the customer's tags (alias tg).
	useTags bool
	cols    map[string]rule.Column
	names   []string
}

var rfmCols = []struct {
	name string
	kind rule.Kind
}{{"recency", rule.Number}, {"frequency", rule.Number}, {"monetary", rule.Number}, {"r_score", rule.Number},
	{"f_score", rule.Number}, {"m_score", rule.Number}, {"rfm_cell", rule.Text}, {"rfm_segment", rule.Text}}

func newBase(ctx context.Context, p *storage.Project, table string) (*base, error) {
	if table == "" {
		return nil, i18n.Errorf("choose the table the segment is drawn from")
	}
	cust, err := p.ColumnFor(ctx, table, storage.CustomerID)
	if err != nil {
		return nil, err
	}
	if cust == "" {
		return nil, i18n.Errorf("table %q has no customer id column; set its role first", table)
	}
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	b := &base{table: table, customer: `b.` + storage.Quote(cust), cols: map[string]rule.Column{}}
	for _, c := range cols {
		b.add(c.Name, `b.`+storage.Quote(c.Name), KindOf(c))
	}
	if table != ScoresTable {
		if ok, _ := p.TableExists(ctx, ScoresTable); ok {
			b.hasRFM = true
			for _, c := range rfmCols {
				b.add(c.name, `r.`+storage.Quote(c.name), c.kind)
			}
		}
	}
	// Model scores and saved clusters (score_churn > 0.7, cluster_value = 2).
	if !strings.EqualFold(table, storage.ModelScoresTable) {
		if ok, _ := p.TableExists(ctx, storage.ModelScoresTable); ok {
			sc, err := p.Columns(ctx, storage.ModelScoresTable)
			if err != nil {
				return nil, err
			}
			for _, c := range sc {
				if c.Name != "customer_id" {
					b.hasScores = true
					b.add(c.Name, `s.`+storage.Quote(c.Name), KindOf(c))
				}
			}
		}
	}
	if err := b.addRecs(ctx, p); err != nil {
		return nil, err
	}
	if err := b.addCLV(ctx, p); err != nil {
		return nil, err
	}
	// Tags a journey gave (mb_customer_tags), once there are any: rules
	// read them as one text, so "tags CONTAINS 'welcomed'" works.
	var tagged bool
	if p.Q().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM mb_customer_tags)`).Scan(&tagged) == nil && tagged {
		b.add("tags", `tg.tags`, rule.Text)
	}
	return b, nil
}

// add registers a column; names match case-insensitively and the base
// table's own columns win over RFM's.
func (b *base) add(name, sqlExpr string, k rule.Kind) {
	key := strings.ToLower(name)
	if _, dup := b.cols[key]; dup {
		return
	}
	b.cols[key] = rule.Column{SQL: sqlExpr, Kind: k}
	b.names = append(b.names, name)
}

// KindOf is how rules treat a column of this type.
func KindOf(c storage.Column) rule.Kind {
	switch {
	case c.IsNumeric():
		return rule.Number
	case c.IsTemporal():
		return rule.Date
	case c.IsBool():
		return rule.Bool
	}
	return rule.Text
}

func (b *base) from() string {
	f := storage.Quote(b.table) + ` b`
	if b.hasRFM {
		f += ` LEFT JOIN ` + storage.Quote(ScoresTable) + ` r ON CAST(` + b.customer + ` AS VARCHAR) = r.customer_id`
	}
	if b.hasScores {
		f += ` LEFT JOIN ` + storage.Quote(storage.ModelScoresTable) + ` s ON CAST(` + b.customer + ` AS VARCHAR) = s.customer_id`
	}
	if b.recs != "" && b.useRecs {
		f += ` LEFT JOIN (` + b.recs + `) rc ON CAST(` + b.customer + ` AS VARCHAR) = rc.customer_id`
	}
	if b.useTags {
		f += ` LEFT JOIN (SELECT customer_id, ' ' || string_agg(tag, ' ' ORDER BY tag) || ' ' AS tags FROM mb_customer_tags GROUP BY 1) tg ON CAST(` + b.customer + ` AS VARCHAR) = tg.customer_id`
	}
	if b.hasCLV && b.useCLV {
		f += ` LEFT JOIN ` + storage.Quote(CLVTable) + ` cv ON CAST(` + b.customer + ` AS VARCHAR) = CAST(cv.customer_id AS VARCHAR)`
	}
	return f
}

// members compiles a rule into a query for the distinct customer ids.
func (b *base) members(n *rule.Node, today time.Time) (string, []any, error) {
	if err := n.Validate(); err != nil {
		return "", nil, err
	}
	where, args, err := rule.Compile(n, func(name string) (rule.Column, bool) {
		c, ok := b.cols[strings.ToLower(name)]
		b.useRecs = b.useRecs || strings.HasPrefix(c.SQL, "rc.")
		b.useCLV = b.useCLV || strings.HasPrefix(c.SQL, "cv.")
		b.useTags = b.useTags || strings.HasPrefix(c.SQL, "tg.")
		return c, ok
	}, rule.Options{Today: today, Names: b.names})
	if err != nil {
		return "", nil, err
	}
	return `SELECT DISTINCT CAST(` + b.customer + ` AS VARCHAR) AS customer_id FROM ` + b.from() +
		` WHERE ` + b.customer + ` IS NOT NULL AND (` + where + `)`, args, nil
}

// Fields lists the names a rule on this table may use, for the rule editor.
func Fields(ctx context.Context, p *storage.Project, table string) ([]string, map[string]rule.Kind, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return nil, nil, err
	}
	kinds := map[string]rule.Kind{}
	for _, n := range b.names {
		kinds[n] = b.cols[strings.ToLower(n)].Kind
	}
	return b.names, kinds, nil
}

// Count returns how many customers a rule selects, for a live count while
// the rule is edited.
func Count(ctx context.Context, p *storage.Project, table string, n *rule.Node) (int64, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return 0, err
	}
	q, args, err := b.members(n, time.Now())
	if err != nil {
		return 0, err
	}
	var c int64
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`, args...).Scan(&c); err != nil {
		return 0, i18n.Errorf("cannot count: %s", storage.FirstLine(err.Error()))
	}
	return c, nil
}

// The kinds of saved segment (mb_segments.kind).
const (
	KindRule = "rule" // members are whoever its rule selects now
	KindList = "list" // members are a fixed list of customers
)

// Segment is a saved segment: a rule, or a fixed list of customers (the
// likely buyers of a product) that a rule cannot express.
type Segment struct {
	Name  string
	Table string
	Kind  string     // KindRule or KindList
	Rule  *rule.Node // nil for a list
	// Description says what a list is, in words; rule segments have none
	// (their rule says it).
	Description string `json:",omitempty"`
	Size        int64
	EvaluatedAt time.Time
	// Damaged says why a stored segment cannot be used ("" when it can:
	// a rule that is not valid, a kind this version does not know). Its
	// Rule is nil; it can be deleted or saved again under its name, and
	// the other segments keep working.
	Damaged string `json:",omitempty"`
}

// damagedError is the one-line error for using a damaged segment.
func (s *Segment) damagedError() error {
	// The reason is an error so that i18n.Error translates it too.
	return i18n.Errorf("segment %q is damaged (%v); delete it, or save it again under the same name", s.Name, errors.New(s.Damaged))
}

// Create saves a rule segment by name and evaluates it. An existing segment
// of the same name is replaced.
func Create(ctx context.Context, p *storage.Project, name, table string, n *rule.Node) (*Segment, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, i18n.Errorf("give the segment a name")
	}
	if _, isRFM := rfmSegmentNames()[name]; isRFM {
		return nil, i18n.Errorf("%q is an RFM segment name; choose another name", name)
	}
	if _, err := Count(ctx, p, table, n); err != nil {
		return nil, err // checks the rule against the table before anything changes
	}
	js, err := json.Marshal(n)
	if err != nil {
		return nil, err
	}
	// Saving and evaluating are one change: a failed or cancelled evaluation
	// leaves the old segment and its members as they were.
	var seg *Segment
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_segments WHERE name = ?`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_segments (name, kind, base_table, rule_json, rule_text) VALUES (?, 'rule', ?, ?, ?)`,
			name, table, string(js), n.String()); err != nil {
			return err
		}
		seg, err = Evaluate(ctx, p.InTx(tx), name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seg, nil
}

// Evaluate recomputes a saved segment's members from the current data.
// A list keeps its members: they were chosen once (by a model, from a
// score that has since changed), so there is nothing to recompute and
// dropping a customer missing from today's data would lose the choice.
func Evaluate(ctx context.Context, p *storage.Project, name string) (*Segment, error) {
	s, err := Get(ctx, p, name)
	if err != nil {
		return nil, err
	}
	if s.Kind == KindList {
		return s, nil
	}
	b, err := newBase(ctx, p, s.Table)
	if err != nil {
		return nil, err
	}
	q, args, err := b.members(s.Rule, time.Now())
	if err != nil {
		return nil, err
	}
	err = p.Tx(ctx, func(tx *storage.Tx) error {
		var before int64
		tx.QueryRowContext(ctx, `SELECT count(*) FROM mb_segment_members WHERE segment = ?`, name).Scan(&before)
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_segment_members WHERE segment = ?`, name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO mb_segment_members SELECT ?, customer_id FROM (`+q+`)`, append([]any{name}, args...)...)
		if err != nil {
			return i18n.Errorf("cannot evaluate %q: %s", name, storage.FirstLine(err.Error()))
		}
		s.Size, _ = res.RowsAffected()
		s.EvaluatedAt = time.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE mb_segments SET size = ?, evaluated_at = ? WHERE name = ?`, s.Size, s.EvaluatedAt, name); err != nil {
			return err
		}
		return p.Audit(ctx, tx, "segment", name, before, s.Size, s.Rule.String())
	})
	return s, err
}

// Get loads a saved rule segment; a damaged one is an error that says how
// to get rid of it.
func Get(ctx context.Context, p *storage.Project, name string) (*Segment, error) {
	s, err := find(ctx, p, name)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, i18n.Errorf("no segment named %q", name)
	}
	if s.Damaged != "" {
		return nil, s.damagedError()
	}
	return s, nil
}

// find returns the saved segment of that name, damaged or not, or nil.
func find(ctx context.Context, p *storage.Project, name string) (*Segment, error) {
	all, err := List(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.Name == name {
			return &s, nil
		}
	}
	return nil, nil
}

// List returns the saved segments by name. A row that cannot be used is
// listed with Damaged set instead of failing the whole list.
func List(ctx context.Context, p *storage.Project) ([]Segment, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT name, kind, base_table, rule_json, rule_text, size, evaluated_at FROM mb_segments ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Segment
	for rows.Next() {
		var s Segment
		var kind, table, js, text sql.NullString
		var size sql.NullInt64
		var at sql.NullTime
		if err := rows.Scan(&s.Name, &kind, &table, &js, &text, &size, &at); err != nil {
			return nil, i18n.Errorf("the saved segments cannot be read: %s", storage.FirstLine(err.Error()))
		}
		s.Kind, s.Table, s.Size, s.EvaluatedAt = kind.String, table.String, size.Int64, at.Time
		s.Rule, s.Damaged = decodeRule(kind, table, js)
		if s.Kind == KindList {
			s.Description = text.String
		}
		if s.Damaged != "" {
			s.Size = 0
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// decodeRule checks one stored segment row and returns its rule, or why
// it is damaged.
func decodeRule(kind, table, js sql.NullString) (*rule.Node, string) {
	switch {
	case kind.String != KindRule && kind.String != KindList:
		return nil, fmt.Sprintf("unknown kind %q", kind.String)
	case strings.TrimSpace(table.String) == "":
		return nil, i18n.Mark("it has no table")
	case kind.String == KindList:
		return nil, "" // its members are its rows in mb_segment_members, possibly none
	case strings.TrimSpace(js.String) == "":
		return nil, i18n.Mark("its rule is missing")
	}
	n := &rule.Node{}
	if err := json.Unmarshal([]byte(js.String), n); err != nil {
		return nil, i18n.Mark("its stored rule is not valid JSON")
	}
	if err := n.Validate(); err != nil {
		return nil, "its stored rule is not valid: " + storage.FirstLine(err.Error())
	}
	return n, ""
}

// Delete removes a saved segment and its members.
func Delete(ctx context.Context, p *storage.Project, name string) error {
	return p.Tx(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM mb_segments WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return i18n.Errorf("no segment named %q", name)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM mb_segment_members WHERE segment = ?`, name)
		return err
	})
}

func rfmSegmentNames() map[string]bool {
	m := map[string]bool{}
	for _, s := range rfm.Schemes() {
		for _, n := range s.Segments() {
			m[n] = true
		}
	}
	return m
}

// MembersSQL is a SELECT of a segment's customers with their RFM values
// (when RFM has run), for export. name is a saved rule segment or an RFM
// segment of the latest run. Every member is listed: one without an RFM
// row (no orders) has empty RFM values, so the export agrees with the count.
func MembersSQL(ctx context.Context, p *storage.Project, name string) (string, error) {
	ids, err := IDsSQL(ctx, p, name)
	if err != nil {
		return "", err
	}
	if hasRFM, _ := p.TableExists(ctx, ScoresTable); !hasRFM {
		return ids + ` ORDER BY customer_id`, nil
	}
	return `SELECT m.customer_id, s.* EXCLUDE (customer_id) FROM (SELECT DISTINCT customer_id FROM (` + ids + `)) m LEFT JOIN ` +
		storage.Quote(ScoresTable) + ` s ON s.customer_id = m.customer_id ORDER BY m.customer_id`, nil
}

// IDsSQL is a SELECT of the customer_id (text) of each member of a saved
// rule segment or an RFM segment of the latest run.
func IDsSQL(ctx context.Context, p *storage.Project, name string) (string, error) {
	s, err := find(ctx, p, name)
	if err != nil {
		return "", err
	}
	if s != nil {
		if s.Damaged != "" {
			return "", s.damagedError()
		}
		return `SELECT customer_id FROM mb_segment_members WHERE segment = ` + storage.Literal(name), nil
	}
	if hasRFM, _ := p.TableExists(ctx, ScoresTable); hasRFM && rfmSegmentNames()[name] {
		return `SELECT customer_id FROM ` + storage.Quote(ScoresTable) + ` WHERE rfm_segment = ` + storage.Literal(name), nil
	}
	return "", i18n.Errorf("no segment named %q; see 'segment list'", name)
}

// Summary describes one segment: size and, when RFM has run, value.
type Summary struct {
	Name       string
	Kind       string // "rfm", "rule" or "list"
	Size       int64
	Share      float64 // of all scored customers (or of the base table's customers)
	Revenue    float64
	AOV        float64 // revenue per order
	AvgRecency float64 // days
	HasValue   bool    // Revenue, AOV and AvgRecency are known
	// Description says what a list segment is (see Segment).
	Description string `json:",omitempty"`
	// Damaged says why a saved segment cannot be used (see Segment).
	Damaged string `json:",omitempty"`
}

// RFMSummary summarises the segments of the latest RFM run, in scheme order.
func RFMSummary(ctx context.Context, p *storage.Project) ([]Summary, error) {
	last, err := LastRFM(ctx, p)
	if err != nil || last == nil {
		return nil, err
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT rfm_segment, count(*), count(*) / sum(count(*)) OVER (), sum(monetary),
		sum(monetary) / nullif(sum(frequency), 0), avg(recency) FROM `+storage.Quote(ScoresTable)+` GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[string]Summary{}
	for rows.Next() {
		s := Summary{Kind: "rfm", HasValue: true}
		var rev, aov sql.NullFloat64 // NULL when no customer in it has an amount
		if err := rows.Scan(&s.Name, &s.Size, &s.Share, &rev, &aov, &s.AvgRecency); err != nil {
			return nil, err
		}
		s.Revenue, s.AOV = rev.Float64, aov.Float64
		got[s.Name] = s
	}
	var out []Summary
	for _, n := range last.Scheme.Segments() {
		if s, ok := got[n]; ok {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// RuleSummary summarises saved segments (rules and lists).
func RuleSummary(ctx context.Context, p *storage.Project) ([]Summary, error) {
	segs, err := List(ctx, p)
	if err != nil {
		return nil, err
	}
	hasRFM, _ := p.TableExists(ctx, ScoresTable)
	var out []Summary
	for _, s := range segs {
		sum := Summary{Name: s.Name, Kind: KindRule, Size: s.Size, Description: s.Description}
		if s.Kind == KindList {
			sum.Kind = KindList
		}
		if s.Damaged != "" {
			sum.Damaged = s.Damaged
			out = append(out, sum)
			continue
		}
		var total int64
		if hasRFM {
			p.Q().QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(ScoresTable)).Scan(&total)
			var rev, aov, rec sql.NullFloat64 // NULL when no member has an amount
			err := p.Q().QueryRowContext(ctx, `SELECT sum(monetary), sum(monetary) / nullif(sum(frequency), 0), avg(recency) FROM `+
				storage.Quote(ScoresTable)+` WHERE customer_id IN (SELECT customer_id FROM mb_segment_members WHERE segment = ?)`, s.Name).Scan(&rev, &aov, &rec)
			if err != nil {
				return nil, err
			}
			sum.Revenue, sum.AOV, sum.AvgRecency, sum.HasValue = rev.Float64, aov.Float64, rec.Float64, rev.Valid
		} else if b, err := newBase(ctx, p, s.Table); err == nil {
			p.Q().QueryRowContext(ctx, `SELECT count(DISTINCT `+b.customer+`) FROM `+storage.Quote(s.Table)+` b`).Scan(&total)
		}
		if total > 0 {
			sum.Share = float64(s.Size) / float64(total)
		}
		out = append(out, sum)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// RuleIDsSQL compiles a rule over table into a SELECT of the distinct
// customer_id (text) it selects, with its arguments, for callers that
// combine it with other queries (campaign audiences).
func RuleIDsSQL(ctx context.Context, p *storage.Project, table string, n *rule.Node) (string, []any, error) {
	b, err := newBase(ctx, p, table)
	if err != nil {
		return "", nil, err
	}
	return b.members(n, time.Now())
}
