package privacy

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/storage"
)

// Why a column is reported.
const (
	ReasonRole    = "role"    // its role says it (email, phone, national_id, first_name…)
	ReasonName    = "name"    // its name says it (address, 姓名, birth_date…)
	ReasonContent = "content" // enough of its sampled values are of the kind
)

// DefaultSample is how many rows a scan reads per table.
const DefaultSample = 1000

// MinShare is the share of a column's non-empty sampled values that must be
// of a kind for the content alone to report it: a column where a few
// values happen to pass a checksum (order numbers passing Luhn) is not.
const MinShare = 0.5

// Finding is one kind of personal data in one column.
type Finding struct {
	Kind       Kind     `json:"kind"`
	Reasons    []string `json:"reasons"`    // role, name, content
	Confidence float64  `json:"confidence"` // 0..1
	Sampled    int      `json:"sampled"`    // non-empty values read
	Matched    int      `json:"matched"`    // of those, values of the kind (all, when only the role or name says it)
	Share      float64  `json:"share"`      // Matched / Sampled
	// EstimatedRows is how many of the table's rows hold it: the rows
	// where the column is not empty when its role or name says so, else
	// Share times those rows.
	EstimatedRows int64 `json:"estimated_rows"`
}

// ColumnScan is what a scan found in one column.
type ColumnScan struct {
	Column   string    `json:"column"`
	Role     string    `json:"role"`
	Findings []Finding `json:"findings"`
}

// TableScan is what a scan found in one table: only columns with
// findings are listed.
type TableScan struct {
	Table   string       `json:"table"`
	Rows    int64        `json:"rows"`
	Sampled int          `json:"sampled_rows"`
	Columns []ColumnScan `json:"columns"`
}

// ScanReport is a privacy scan of a project's tables.
type ScanReport struct {
	ScannedAt time.Time   `json:"scanned_at"`
	Sample    int         `json:"sample"` // rows read per table at most
	Tables    []TableScan `json:"tables"`
}

// roleKinds are the roles that make a column personal data by themselves.
var roleKinds = map[storage.Role]Kind{
	storage.Email: KindEmail, storage.Phone: KindPhone, storage.NationalID: KindNationalID,
	storage.FirstName: KindName, storage.LastName: KindName, storage.FullName: KindName,
	storage.CustomerID: KindCustomerID, storage.WeChatOpenID: KindOnlineID, storage.PushToken: KindOnlineID,
}

// Options tune a scan.
type Options struct {
	Sample int       // rows per table (DefaultSample when 0)
	Now    time.Time // for dates of birth (time.Now when zero)
}

// Scan samples every user table (or only table, when not empty) and
// reports the personal data in each column.
func Scan(ctx context.Context, p *storage.Project, table string, opt Options) (*ScanReport, error) {
	if opt.Sample <= 0 {
		opt.Sample = DefaultSample
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	var names []string
	if table != "" {
		stored, err := p.StoredName(ctx, table)
		if err != nil {
			return nil, err
		}
		if stored == "" {
			return nil, fmt.Errorf("%w %q", storage.ErrNoTable, table)
		}
		names = []string{stored}
	} else {
		ts, err := p.Tables(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			names = append(names, t.Name)
		}
	}
	rep := &ScanReport{ScannedAt: opt.Now.UTC(), Sample: opt.Sample, Tables: []TableScan{}}
	for _, name := range names {
		ts, err := scanTable(ctx, p, name, opt)
		if err != nil {
			return nil, err
		}
		rep.Tables = append(rep.Tables, *ts)
	}
	return rep, nil
}

func scanTable(ctx context.Context, p *storage.Project, table string, opt Options) (*TableScan, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return nil, err
	}
	// One query counts the rows and each column's non-empty values, one
	// reads the sample: every column as text.
	counts := make([]any, len(cols)+1)
	nonEmpty := make([]int64, len(cols))
	var rows int64
	counts[0] = &rows
	cast := make([]string, len(cols))
	sel := make([]string, len(cols))
	for i, c := range cols {
		cast[i] = `NULLIF(trim(CAST(` + storage.Quote(c.Name) + ` AS VARCHAR)), '')`
		sel[i] = `count(` + cast[i] + `)`
		counts[i+1] = &nonEmpty[i]
	}
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*), `+strings.Join(sel, ", ")+` FROM `+storage.Quote(table)).Scan(counts...); err != nil {
		return nil, err
	}
	q := `SELECT ` + strings.Join(cast, ", ") + ` FROM ` + storage.Quote(table)
	if rows > int64(opt.Sample) {
		q += fmt.Sprintf(` USING SAMPLE reservoir(%d ROWS) REPEATABLE (14)`, opt.Sample)
	}
	rs, err := p.Q().QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	acc := make([]columnCount, len(cols))
	sampled := 0
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		sampled++
		for i, v := range vals {
			if v.Valid {
				acc[i].add(cols[i].Name, v.String, opt.Now)
			}
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	ts := &TableScan{Table: table, Rows: rows, Sampled: sampled, Columns: []ColumnScan{}}
	for i, c := range cols {
		fs := acc[i].findings(c, roles[c.Name], nonEmpty[i])
		if len(fs) > 0 {
			ts.Columns = append(ts.Columns, ColumnScan{Column: c.Name, Role: string(roles[c.Name]), Findings: fs})
		}
	}
	return ts, nil
}

// columnCount counts a column's sampled values per kind.
type columnCount struct {
	sampled int
	matched map[Kind]int
	conf    map[Kind]float64 // the highest confidence seen
	text    int              // values with a letter: an address column holds text
}

func (a *columnCount) add(col, v string, now time.Time) {
	a.sampled++
	if a.matched == nil {
		a.matched, a.conf = map[Kind]int{}, map[Kind]float64{}
	}
	if strings.IndexFunc(v, isLetter) >= 0 {
		a.text++
	}
	for _, m := range DetectValue(col, v, now) {
		a.matched[m.Kind]++
		a.conf[m.Kind] = max(a.conf[m.Kind], m.Confidence)
	}
}

func isLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x2e80
}

// findings combines a column's role, its name and its content. A role or a
// name reports the column whatever its content (names have no content
// test; an address column by name needs text in it); content alone reports
// a kind when at least MinShare of the values are of it.
func (a *columnCount) findings(c storage.Column, role storage.Role, nonEmpty int64) []Finding {
	byKind := map[Kind]*Finding{}
	get := func(k Kind) *Finding {
		if f := byKind[k]; f != nil {
			return f
		}
		f := &Finding{Kind: k, Reasons: []string{}, Sampled: a.sampled}
		byKind[k] = f
		return f
	}
	if k, ok := roleKinds[role]; ok {
		f := get(k)
		f.Reasons, f.Confidence = append(f.Reasons, ReasonRole), 1
	}
	if k, ok := NameKind(c.Name); ok {
		// A date of birth is known by its name and its dates together;
		// a name column that holds no text (ids) is not one of names.
		switch {
		case k == KindBirthDate && a.matched[KindBirthDate]*2 >= a.sampled && a.sampled > 0,
			k == KindName && a.text*2 >= a.sampled && a.sampled > 0,
			k == KindAddress && a.text*2 >= a.sampled && a.sampled > 0:
			f := get(k)
			f.Reasons, f.Confidence = append(f.Reasons, ReasonName), max(f.Confidence, 0.7)
		}
	}
	for k, n := range a.matched {
		if a.sampled > 0 && float64(n)/float64(a.sampled) >= MinShare {
			f := get(k)
			f.Reasons, f.Confidence = append(f.Reasons, ReasonContent), max(f.Confidence, a.conf[k])
		}
	}
	out := []Finding{}
	for _, k := range Kinds {
		f := byKind[k]
		if f == nil {
			continue
		}
		f.Matched = a.matched[k]
		if !hasContentTest(k) {
			f.Matched = a.sampled // only the role or the name says it: every value counts
		}
		if f.Sampled > 0 {
			f.Share = math.Round(float64(f.Matched)/float64(f.Sampled)*1e4) / 1e4
		}
		f.EstimatedRows = int64(math.Round(f.Share * float64(nonEmpty)))
		if slices.Contains(f.Reasons, ReasonRole) || slices.Contains(f.Reasons, ReasonName) {
			// The role or the name makes every value personal data,
			// whether or not it is well formed.
			f.EstimatedRows = nonEmpty
		}
		sort.Strings(f.Reasons)
		out = append(out, *f)
	}
	return out
}

// hasContentTest says whether values of a kind can be recognised alone.
func hasContentTest(k Kind) bool {
	switch k {
	case KindName, KindCustomerID, KindOnlineID:
		return false
	}
	return true
}
