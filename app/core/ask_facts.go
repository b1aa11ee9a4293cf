package core

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/ask"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/privacy"
)

// The limits of what a question's prompt tells about the data.
const (
	askTopDistinct = 12 // a text column with at most this many values lists them
	askTopValues   = 8  // … the most common of them
	askTopLength   = 40 // longer values are free text, not categories
	askWordsRows   = 20 // rows of the result the model phrases its answer from
	askWithheld    = "[withheld]"
)

// askPersonal reports whether a column holds data about people by its
// role (identifiers and free text) or, without a role, by its name.
func askPersonal(name string, r storage.Role) bool {
	if r == storage.None {
		r = storage.RoleByName(name)
	}
	if storage.IsIdentifier(r) || r == storage.Text {
		return true
	}
	_, named := privacy.NameKind(name)
	return named
}

// personalValue reports whether a value looks like personal data by
// itself (an e-mail, a phone or ID number…), whatever its column is called.
func personalValue(col, v string) bool {
	return len(privacy.DetectValue(col, v, time.Now())) > 0
}

// askSchema describes the user's tables for a prompt: names, types, roles
// and aggregates of the columns that are not personal.
func (w *Workspace) askSchema(ctx context.Context) (ask.Schema, error) {
	tables, err := w.Tables(ctx)
	if err != nil {
		return ask.Schema{}, err
	}
	var s ask.Schema
	for _, t := range tables {
		roles, err := w.ColumnRoles(ctx, t.Name)
		if err != nil {
			return s, err
		}
		at := ask.Table{Name: t.Name, Rows: t.Rows}
		var ranges []string
		for _, c := range t.Columns {
			ac := ask.Column{Name: c.Name, Type: c.Type, Role: string(roles[c.Name]), Personal: askPersonal(c.Name, roles[c.Name])}
			if !ac.Personal && (c.IsNumeric() || c.IsTemporal()) {
				q := storage.Quote(c.Name)
				ranges = append(ranges, "min("+q+")::VARCHAR", "max("+q+")::VARCHAR")
			}
			at.Columns = append(at.Columns, ac)
		}
		if len(ranges) > 0 {
			if err := w.askRanges(ctx, t.Name, ranges, at.Columns); err != nil {
				return s, err
			}
		}
		for i, c := range at.Columns {
			if !c.Personal && (strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR") || strings.EqualFold(c.Type, "BOOLEAN")) {
				if at.Columns[i].Top, err = w.askTop(ctx, t.Name, c.Name); err != nil {
					return s, err
				}
			}
		}
		s.Tables = append(s.Tables, at)
	}
	return s, nil
}

// askRanges fills Min and Max of the number and date columns in one scan.
func (w *Workspace) askRanges(ctx context.Context, table string, exprs []string, cols []ask.Column) error {
	vals := make([]any, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := w.DB().QueryRowContext(ctx, `SELECT `+strings.Join(exprs, ", ")+` FROM `+storage.Quote(table)).Scan(ptrs...); err != nil {
		return err
	}
	k := 0
	for i, c := range cols {
		if c.Personal || !(storage.Column{Type: c.Type}.IsNumeric() || storage.Column{Type: c.Type}.IsTemporal()) {
			continue
		}
		cols[i].Min, cols[i].Max = storage.Format(vals[k]), storage.Format(vals[k+1])
		k += 2
	}
	return nil
}

// askTop lists a low-cardinality column's most common values; none when
// it has many values, long ones (free text) or any that looks personal.
func (w *Workspace) askTop(ctx context.Context, table, col string) ([]ask.Count, error) {
	q := storage.Quote(col)
	rows, err := w.DB().QueryContext(ctx, `SELECT `+q+`::VARCHAR AS v, count(*) AS n, count(*) OVER () AS k
		FROM `+storage.Quote(table)+` WHERE `+q+` IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT `+fmt.Sprint(askTopDistinct+1))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ask.Count
	for rows.Next() {
		var c ask.Count
		var k int64
		if err := rows.Scan(&c.Value, &c.N, &k); err != nil {
			return nil, err
		}
		if k > askTopDistinct || len([]rune(c.Value)) > askTopLength || personalValue(col, c.Value) {
			return nil, rows.Err()
		}
		out = append(out, c)
	}
	if len(out) > askTopValues {
		out = out[:askTopValues]
	}
	return out, rows.Err()
}

type askWordsResult struct {
	text       string
	unverified []string
}

// askWords asks the model to phrase the answer from the result (personal
// values withheld unless allowed) and checks every number it wrote.
func (w *Workspace) askWords(ctx context.Context, c *llm.Client, a *AskAnswer, res *storage.Result, allow bool) (*askWordsResult, error) {
	rows := res.Rows
	if len(rows) > askWordsRows {
		rows = rows[:askWordsRows]
	}
	if !allow {
		var err error
		if rows, err = w.withhold(ctx, res.Columns, rows); err != nil {
			return nil, err
		}
	}
	sys, user := ask.WordsPrompt(a.Question, res.Columns, rows, len(res.Rows), res.Truncated)
	reply, err := c.Chat(ctx, []llm.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}, 0.2)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(reply)
	bad := ask.NewFacts(a.Question, res.Rows, len(res.Rows)).Check(text)
	return &askWordsResult{text: ask.Mark(text, bad, AskUnverifiedMark), unverified: bad}, nil
}

// withhold replaces the personal values of rows: whole columns named
// like a personal column, values that look personal by themselves, and
// values found in any personal column of the project.
func (w *Workspace) withhold(ctx context.Context, columns []string, rows [][]string) ([][]string, error) {
	tables, err := w.Tables(ctx)
	if err != nil {
		return nil, err
	}
	personalCol := map[string]bool{}
	var sources []string
	for _, t := range tables {
		roles, err := w.ColumnRoles(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		for _, c := range t.Columns {
			if askPersonal(c.Name, roles[c.Name]) {
				personalCol[strings.ToLower(c.Name)] = true
				sources = append(sources, `SELECT `+storage.Quote(c.Name)+`::VARCHAR AS v FROM `+storage.Quote(t.Name))
			}
		}
	}
	out := make([][]string, len(rows))
	cand := map[string]bool{}
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
		for j, v := range r {
			switch {
			case personalCol[strings.ToLower(columns[j])] || personalValue(columns[j], v):
				out[i][j] = askWithheld
			case v != "":
				cand[v] = true
			}
		}
	}
	if len(cand) == 0 || len(sources) == 0 {
		return out, nil
	}
	var lits []string
	for v := range cand {
		lits = append(lits, "("+storage.Literal(v)+")")
	}
	sort.Strings(lits)
	found := map[string]bool{}
	q := `SELECT DISTINCT c.v FROM (VALUES ` + strings.Join(lits, ", ") + `) AS c(v) WHERE c.v IN (` + strings.Join(sources, " UNION ALL ") + `)`
	rs, err := w.DB().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			return nil, err
		}
		found[v] = true
	}
	for i := range out {
		for j, v := range out[i] {
			if found[v] {
				out[i][j] = askWithheld
			}
		}
	}
	return out, rs.Err()
}

// quotedRE finds 'text' in a database message.
var quotedRE = regexp.MustCompile(`'[^']*'|"[^"]*"`)

// withholdQuoted keeps quoted text of an error message only when the
// query itself holds it: a conversion error can quote a value of the data.
func withholdQuoted(msg, sql string) string {
	return quotedRE.ReplaceAllStringFunc(msg, func(q string) string {
		if strings.Contains(sql, q[1:len(q)-1]) {
			return q
		}
		return q[:1] + "…" + q[:1]
	})
}

// The chart kinds of an answer.
const (
	AskChartBar  = "bar"  // a label and a number per row
	AskChartLine = "line" // a number per date
)

// askChartKind chooses a chart from the result's shape: a number per date
// is a line, a number per label (2 to 30 of them) bars, anything else
// (one value, many columns of text) no chart.
func askChartKind(res *storage.Result) string {
	label, value := askChartColumns(res)
	if label < 0 || value < 0 || len(res.Rows) < 2 {
		return ""
	}
	if (storage.Column{Type: res.Types[label]}).IsTemporal() {
		return AskChartLine
	}
	if len(res.Rows) <= 30 {
		return AskChartBar
	}
	return ""
}

// askChartColumns is the first text or date column and the first number
// column after it (or before, when the label comes second).
func askChartColumns(res *storage.Result) (label, value int) {
	label, value = -1, -1
	for i, t := range res.Types {
		c := storage.Column{Type: t}
		switch {
		case c.IsNumeric() && value < 0:
			value = i
		case !c.IsNumeric() && label < 0 && (c.IsTemporal() || strings.HasPrefix(strings.ToUpper(t), "VARCHAR") || c.IsBool()):
			label = i
		}
	}
	return label, value
}

// AskChart draws an answer's chart (see AskAnswer.Chart); nil without one.
func AskChart(a *AskAnswer) (*plot.Plot, error) {
	if a == nil || a.Chart == "" {
		return nil, nil
	}
	label, value := -1, -1
	for j := range a.Columns {
		allNum, allText := true, true
		for _, r := range a.Rows {
			switch r[j].(type) {
			case int64, float64:
				allText = false
			case nil:
			default:
				allNum = false
			}
		}
		if allNum && !allText && value < 0 {
			value = j
		} else if allText && !allNum && label < 0 {
			label = j
		}
	}
	if label < 0 || value < 0 {
		return nil, nil
	}
	title := a.Question
	if title == "" {
		title = a.Columns[value] + " / " + a.Columns[label]
	}
	switch a.Chart {
	case AskChartLine:
		var pts []chart.Dated
		for _, r := range a.Rows {
			s, _ := r[label].(string)
			at, err := parseDay(s)
			if err != nil || r[value] == nil {
				continue
			}
			pts = append(pts, chart.Dated{At: at, Value: toFloat(r[value])})
		}
		sort.Slice(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })
		return chart.Line(title, a.Columns[value], pts)
	case AskChartBar:
		var bars []chart.Bar
		for _, r := range a.Rows {
			s := fmt.Sprint(r[label])
			if r[label] == nil {
				s = i18n.T("(empty)")
			}
			bars = append(bars, chart.Bar{Label: s, Key: s, Value: toFloat(r[value])})
		}
		return chart.Bars(title, a.Columns[value], bars)
	}
	return nil, nil
}

func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
