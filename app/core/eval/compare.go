package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Tolerance is the relative difference under which two numbers are equal:
// a model may sum in another order, or cast, and get the last digits wrong.
const Tolerance = 1e-6

// cell is a value as the comparison sees it: a number (whatever its type
// or text) or text. NULL is the empty text, as the console shows it.
type cell struct {
	num   float64
	isNum bool
	text  string
}

func (c cell) String() string {
	if c.isNum {
		return strconv.FormatFloat(c.num, 'g', 10, 64)
	}
	if c.text == "" {
		return "NULL"
	}
	return strconv.Quote(c.text)
}

// toCell reads any value an answer may hold: the console's display text,
// or a Go value from a driver or from JSON.
func toCell(v any) cell {
	switch x := v.(type) {
	case nil:
		return cell{}
	case bool:
		return cell{text: strconv.FormatBool(x)}
	case float64:
		return cell{num: x, isNum: true}
	case float32:
		return cell{num: float64(x), isNum: true}
	case int:
		return cell{num: float64(x), isNum: true}
	case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		f, _ := strconv.ParseFloat(fmt.Sprint(x), 64)
		return cell{num: f, isNum: true}
	case time.Time, []byte:
		return toCell(storage.Format(x))
	case string:
		s := strings.TrimSpace(x)
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
			return cell{num: f, isNum: true}
		}
		return cell{text: s}
	case fmt.Stringer:
		return toCell(x.String())
	}
	return toCell(storage.Format(v))
}

func (c cell) equal(d cell) bool {
	if c.isNum != d.isNum {
		return false
	}
	if !c.isNum {
		return c.text == d.text
	}
	diff := math.Abs(c.num - d.num)
	return diff <= Tolerance*math.Max(math.Abs(c.num), math.Abs(d.num)) || diff < 1e-12
}

func (c cell) compare(d cell) int {
	switch {
	case c.isNum && d.isNum:
		return cmp.Compare(c.num, d.num)
	case c.isNum:
		return -1
	case d.isNum:
		return 1
	}
	return strings.Compare(c.text, d.text)
}

type table [][]cell

func toTable[T any](rows [][]T) table {
	out := make(table, len(rows))
	for i, r := range rows {
		out[i] = make([]cell, len(r))
		for j, v := range r {
			out[i][j] = toCell(v)
		}
	}
	return out
}

func (t table) column(j int) []cell {
	out := make([]cell, len(t))
	for i, r := range t {
		if j < len(r) {
			out[i] = r[j]
		}
	}
	return out
}

// project keeps the columns cols of each row, in that order.
func (t table) project(cols []int) table {
	out := make(table, len(t))
	for i, r := range t {
		out[i] = make([]cell, len(cols))
		for k, j := range cols {
			if j < len(r) {
				out[i][k] = r[j]
			}
		}
	}
	return out
}

func rowsEqual(a, b []cell) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].equal(b[i]) {
			return false
		}
	}
	return true
}

func compareRows(a, b []cell) int {
	for i := range min(len(a), len(b)) {
		if c := a[i].compare(b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// sameRows says whether got holds the rows of want: in the same order when
// ordered, else as multisets. It returns a row of want that got lacks.
func sameRows(want, got table, ordered bool) (bool, []cell) {
	if ordered {
		for i := range want {
			if !rowsEqual(want[i], got[i]) {
				return false, want[i]
			}
		}
		return true, nil
	}
	w, g := slices.Clone(want), slices.Clone(got)
	slices.SortFunc(w, compareRows)
	slices.SortFunc(g, compareRows)
	aligned := true
	for i := range w {
		if !rowsEqual(w[i], g[i]) {
			aligned = false
			break
		}
	}
	if aligned {
		return true, nil
	}
	// Numbers within the tolerance may sort differently: match row by row.
	used := make([]bool, len(g))
next:
	for _, r := range w {
		for i, s := range g {
			if !used[i] && rowsEqual(r, s) {
				used[i] = true
				continue next
			}
		}
		return false, r
	}
	return true, nil
}

// Verdict is a comparison's outcome and, when wrong, why in words.
type Verdict struct {
	Correct bool
	Reason  string
}

// Compare says whether an answer's result (columns and rows) gives the
// expected result: the same rows (as a multiset, or in order when ordered),
// numbers equal within Tolerance, column names ignored, extra columns
// allowed as long as the expected ones are among them.
func Compare(want *storage.Result, gotRows [][]any, gotCols int, ordered bool) Verdict {
	w, g := toTable(want.Rows), toTable(gotRows)
	if len(g) != len(w) {
		return Verdict{Reason: i18n.T("%d rows, expected %d", len(g), len(w))}
	}
	k := len(want.Columns)
	if gotCols < k {
		return Verdict{Reason: i18n.T("%d columns, expected at least %d", gotCols, k)}
	}
	// Candidates for each expected column: answer columns holding the
	// same values (in order when ordered). Then try the assignments.
	cand := make([][]int, k)
	for j := range k {
		wc := w.column(j)
		for c := range gotCols {
			if ok, _ := sameRows(single(wc), single(g.column(c)), ordered); ok {
				cand[j] = append(cand[j], c)
			}
		}
		if len(cand[j]) == 0 && len(w) == 1 {
			return Verdict{Reason: i18n.T("the answer is %s, expected %s", rowText(g[0]), rowText(w[0]))}
		}
		if len(cand[j]) == 0 {
			return Verdict{Reason: i18n.T("no column holds the expected values of %s", want.Columns[j])}
		}
	}
	var missing []cell
	chosen := make([]int, 0, k)
	taken := make([]bool, gotCols)
	var try func(j int) bool
	try = func(j int) bool {
		if j == k {
			ok, miss := sameRows(w, g.project(chosen), ordered)
			if !ok && missing == nil {
				missing = miss
			}
			return ok
		}
		for _, c := range cand[j] {
			if taken[c] {
				continue
			}
			taken[c] = true
			chosen = append(chosen, c)
			if try(j + 1) {
				return true
			}
			chosen = chosen[:len(chosen)-1]
			taken[c] = false
		}
		return false
	}
	if try(0) {
		return Verdict{Correct: true}
	}
	if missing == nil {
		return Verdict{Reason: i18n.T("the columns hold the expected values but not together in the same rows")}
	}
	what := i18n.T("the expected row %s is not in the answer", rowText(missing))
	if ordered {
		what = i18n.T("the rows are not in the expected order (or differ): expected %s", rowText(missing))
	}
	return Verdict{Reason: what}
}

func single(c []cell) table {
	t := make(table, len(c))
	for i, v := range c {
		t[i] = []cell{v}
	}
	return t
}

func rowText(r []cell) string {
	s := make([]string, len(r))
	for i, c := range r {
		s[i] = c.String()
	}
	return "(" + strings.Join(s, ", ") + ")"
}
