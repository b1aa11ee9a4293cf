package core

import (
	"context"
	"strconv"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// Selection is the customers, or rows, behind one element of a chart: an
// RFM segment's bar, an R×F cell, a rule segment's bar, a histogram bin.
type Selection struct {
	// Title says what was chosen: "Champions", "Recency 5, frequency 3".
	Title string
	// Table and Filter are the rows selected, as a rule over Table; saved
	// as a segment, Filter is its rule. Both are empty when the element is
	// a saved segment already (Segment).
	Table, Filter string
	Segment       string
	// Rows counts the rows of Table selected; Customers the distinct
	// customers among them, -1 when Table has no customer id.
	Rows, Customers int64

	query string // SELECT of the rows, for viewing and export
}

// CanSave reports whether the selection can be saved as a rule segment.
func (s *Selection) CanSave() bool { return s.Filter != "" && s.Customers >= 0 }

// ChartSelects reports whether clicking the elements of a chart selects
// customers (see ChartSelection).
func ChartSelects(kind string) bool {
	switch kind {
	case ChartSegmentSize, ChartSegmentRevenue, ChartRuleSegments, ChartRFMHeatmap, ChartHistogram:
		return true
	}
	return false
}

// ChartSelection returns the customers or rows behind an element of the
// chart s, as the GUI hands it back after a click; nil when the element
// stands for no rows (the bins of a date histogram, say).
func (w *Workspace) ChartSelection(ctx context.Context, s ChartSpec, el chart.Element) (*Selection, error) {
	var sel *Selection
	switch {
	case (s.Kind == ChartSegmentSize || s.Kind == ChartSegmentRevenue) && el.Kind == chart.BarElement:
		sel = &Selection{Title: i18n.T(el.Key), Table: segment.ScoresTable,
			Filter: and(cond("rfm_segment", rule.Eq, el.Key))}
		sel.query = `SELECT * FROM ` + storage.Quote(segment.ScoresTable) + ` WHERE rfm_segment = ` + storage.Literal(el.Key)
	case s.Kind == ChartRFMHeatmap && el.Kind == chart.CellElement:
		r, f := int(el.X), int(el.Y)
		sel = &Selection{Title: i18n.T("Recency %d, frequency %d", r, f), Table: segment.ScoresTable,
			Filter: and(cond("r_score", rule.Eq, strconv.Itoa(r)), cond("f_score", rule.Eq, strconv.Itoa(f)))}
		sel.query = `SELECT * FROM ` + storage.Quote(segment.ScoresTable) + ` WHERE r_score = ` + strconv.Itoa(r) + ` AND f_score = ` + strconv.Itoa(f)
	case s.Kind == ChartRuleSegments && el.Kind == chart.BarElement:
		q, err := segment.MembersSQL(ctx, w.Project, el.Key)
		if err != nil {
			return nil, err
		}
		sel = &Selection{Title: el.Key, Segment: el.Key, query: q}
	case s.Kind == ChartHistogram && el.Kind == chart.BinElement:
		return w.binSelection(ctx, s, el)
	default:
		return nil, nil
	}
	return sel, w.count(ctx, sel)
}

// binSelection selects the rows of a histogram's bin: values from Lo up
// to Hi, and Hi itself in the last bin, as the bins were counted.
func (w *Workspace) binSelection(ctx context.Context, s ChartSpec, el chart.Element) (*Selection, error) {
	_, _, temporal, format, err := w.histogram(ctx, s)
	if err != nil || temporal {
		return nil, err // dates: a rule cannot say "from day 19,723.5"
	}
	lo, hi := num(el.Lo), num(el.Hi)
	upper, sqlUpper := rule.Lt, " < "
	if el.Last {
		upper, sqlUpper = rule.Le, " <= "
	}
	col := storage.Quote(s.Column)
	sel := &Selection{Title: i18n.T("%s from %s to %s", s.Column, format(el.Lo), format(el.Hi)), Table: s.Table,
		Filter: and(cond(s.Column, rule.Ge, lo), cond(s.Column, upper, hi))}
	sel.query = `SELECT * FROM ` + storage.Quote(s.Table) + ` WHERE ` + col + `::DOUBLE >= ` + lo + ` AND ` + col + `::DOUBLE` + sqlUpper + hi
	return sel, w.count(ctx, sel)
}

// num writes a number as rules and SQL both read it, without exponent.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func cond(col string, op rule.Op, v string) *rule.Node {
	return &rule.Node{Column: col, Op: op, Values: []string{v}}
}

func and(n ...*rule.Node) string { return (&rule.Node{Logic: rule.And, Children: n}).String() }

// count fills in how many rows and customers a selection holds.
func (w *Workspace) count(ctx context.Context, sel *Selection) error {
	if sel.Segment != "" {
		sel.Customers = -1
		err := w.Q().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT customer_id) FROM (`+sel.query+`)`).Scan(&sel.Rows, &sel.Customers)
		return err
	}
	cust, err := w.ColumnFor(ctx, sel.Table, storage.CustomerID)
	if err != nil {
		return err
	}
	if cust == "" {
		sel.Customers = -1
		return w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (`+sel.query+`)`).Scan(&sel.Rows)
	}
	return w.Q().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT `+storage.Quote(cust)+`) FROM (`+sel.query+`)`).Scan(&sel.Rows, &sel.Customers)
}

// SelectionRows reads the first max rows of a selection, to look at.
func (w *Workspace) SelectionRows(ctx context.Context, sel *Selection, max int) (*storage.Result, error) {
	rows, err := w.Q().QueryContext(ctx, `SELECT * FROM (`+sel.query+`) LIMIT `+strconv.Itoa(max+1))
	if err != nil {
		return nil, err
	}
	return storage.Collect(rows, max)
}

// ExportSelection writes a selection's rows to a CSV, Parquet or XLSX file.
func (w *Workspace) ExportSelection(ctx context.Context, sel *Selection, path string) (int64, error) {
	return w.Project.Export(ctx, sel.query, path)
}

// SaveSelection saves a selection as a rule segment named name.
func (w *Workspace) SaveSelection(ctx context.Context, name string, sel *Selection) (*segment.Segment, error) {
	if !sel.CanSave() {
		if sel.Segment != "" {
			return nil, i18n.Errorf("%s is a segment already", sel.Segment)
		}
		return nil, i18n.Errorf("table %q has no customer id column; set its role to save these rows as a segment", sel.Table)
	}
	return w.CreateSegment(ctx, name, sel.Table, sel.Filter)
}
