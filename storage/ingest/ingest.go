// Package ingest brings CSV/TSV, XLSX, Parquet, JSON and NDJSON files into a
// project through DuckDB's own readers. An import is all or nothing: it
// either adds every good row and records what it did, or changes nothing.
package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
)

// Mode says what happens when the target table exists.
type Mode string

// Import modes.
const (
	Create  Mode = "create"  // the table must not exist yet
	Append  Mode = "append"  // add rows to the existing table (columns matched by name)
	Replace Mode = "replace" // swap the table's content for the file's
)

// Progress reports a stage and how far it is (0..1, or -1 when unknown).
type Progress func(stage string, frac float64)

// Options steer an import. Zero values mean "detect".
type Options struct {
	Table        string
	Format       Format
	Encoding     string
	Delimiter    string
	Header       *bool
	DecimalComma *bool
	Sheet        string
	SkipBadRows  bool
	Mode         Mode
	Force        bool                    // import even if this exact file was imported before
	Roles        map[string]storage.Role // nil: detect
	Progress     Progress
}

// Preview is what the import dialog shows before anything is written.
type Preview struct {
	Path     string
	Size     int64
	SHA256   string
	Format   Format
	Encoding string
	// EncodingCandidates are the encodings the file could be in when
	// detection is not sure (empty when it is): the dialog shows each
	// one's reading side by side and asks.
	EncodingCandidates []EncodingCandidate `json:",omitempty"`
	Delimiter          string
	Header             bool
	DecimalComma       bool
	Sheets             []string
	Sheet              string
	Table              string
	TableExists        bool
	Columns            []storage.Column
	Rows               [][]string
	Roles              map[string]storage.Role
	Previous           *Prior // this exact file was imported before
}

// Prior is an earlier import of the same file content.
type Prior struct {
	Table string
	At    time.Time
	Rows  int64
}

// Result is what an import did.
type Result struct {
	Table       string
	Mode        Mode
	Rows        int64 // rows added
	Rejected    int64
	RejectTable string
	Format      Format
	Encoding    string
	Delimiter   string
	Columns     []storage.Column
	Roles       map[string]storage.Role
	// Renamed maps a file's column name to the table's where the import
	// had to rename it (a column named rowid would hide DuckDB's row ids).
	Renamed map[string]string `json:",omitempty"`
	// ErasedSkipped are rows left out because they name an erased person.
	ErasedSkipped int64 `json:",omitempty"`
	// ConsentChanges are the consent values the import set or changed,
	// each recorded as a consent event with the file as its source.
	ConsentChanges int64 `json:",omitempty"`
}

// source is a resolved input: what to read and how.
type source struct {
	path     string // original file
	read     string // file DuckDB reads (a UTF-8 copy for other encodings or XLSX)
	format   Format
	enc      string
	delim    byte
	header   bool
	decComma bool
	sheets   []string
	sheet    string
	size     int64
	cleanup  []string
	cands    []EncodingCandidate // set when the encoding was guessed without confidence
	types    map[string]string   // column type overrides
	convert  map[string]string   // text columns to load as numbers (BIGINT or DOUBLE)
	ids      map[string]bool     // long digit identifiers, loaded as trimmed text
	colNames []string
}

func (s *source) close() {
	for _, f := range s.cleanup {
		os.Remove(f)
	}
}

// readMode says how lenient a read is.
type readMode struct {
	rejects string // collect bad rows in this temp table
	lenient bool   // skip bad rows silently (previews and samples)
	allText bool   // read every column as text
}

// isCSV: CSV files, and XLSX sheets, which are converted to CSV first.
func (s *source) isCSV() bool { return s.format == CSV || s.format == XLSX }

// relation is the DuckDB table function call that reads the source.
func (s *source) relation(m readMode) string {
	switch s.format {
	case Parquet:
		return `read_parquet(` + storage.Literal(s.read) + `)`
	case JSON:
		return `read_json(` + storage.Literal(s.read) + `, format = 'auto')`
	}
	var b strings.Builder
	// buffer_size: DuckDB sizes its read buffers from max_line_size, which
	// made the project file 70% larger and memory 100 MB higher; pinning it
	// to twice the longest line keeps both as with the defaults.
	fmt.Fprintf(&b, `read_csv(%s, delim = %s, quote = '"', escape = '"', header = %t, max_line_size = %d, buffer_size = %d`,
		storage.Literal(s.read), storage.Literal(string(s.delim)), s.header, maxLine, 2*maxLine)
	if s.decComma {
		b.WriteString(`, decimal_separator = ','`)
	}
	switch {
	case m.rejects != "":
		fmt.Fprintf(&b, `, store_rejects = true, rejects_table = %s, rejects_scan = %s`,
			storage.Literal(m.rejects), storage.Literal(m.rejects+"_scan"))
	case m.lenient:
		b.WriteString(`, ignore_errors = true`)
	}
	if m.allText {
		b.WriteString(`, all_varchar = true`)
	} else if len(s.types) > 0 {
		var parts []string
		for c, t := range s.types {
			parts = append(parts, storage.Literal(c)+": "+storage.Literal(t))
		}
		sort.Strings(parts)
		b.WriteString(`, types = {` + strings.Join(parts, ", ") + `}`)
	}
	b.WriteString(`)`)
	return b.String()
}

// maxLine is the longest line accepted; longer lines are reported, not read.
const maxLine = 8 << 20

func report(p Progress, stage string, frac float64) {
	if p != nil {
		p(stage, frac)
	}
}

// open checks a file and works out how to read it. Nothing is written to
// the project.
func open(ctx context.Context, path string, opt Options) (*source, error) {
	head, size, err := readHead(path, sniffSize)
	if errors.Is(err, os.ErrNotExist) {
		return nil, i18n.Errorf("cannot import %s: no such file; check the path", path)
	}
	if err != nil {
		return nil, i18n.Errorf("cannot import %s: %v", path, err)
	}
	s := &source{path: path, read: path, size: size, format: opt.Format}
	if size == 0 || len(strings.TrimSpace(strings.TrimPrefix(string(head), "\ufeff"))) == 0 {
		return nil, newParseError(path, 0, i18n.Errorf("the file is empty; export it again from the source system"))
	}
	if s.format == "" {
		s.format = detectFormat(path, head)
	}
	switch s.format {
	case XLSX:
		err = s.openXLSX(ctx, opt)
	case Parquet, JSON:
		// DuckDB reads these itself; damage is reported when reading.
	case CSV:
		err = s.openCSV(ctx, head, opt)
	default:
		err = i18n.Errorf("unknown format %q; choose csv, xlsx, parquet or json", s.format)
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *source) openCSV(ctx context.Context, head []byte, opt Options) error {
	s.enc = strings.ToLower(opt.Encoding)
	if s.enc == "" {
		s.enc, s.cands = guessEncoding(head, int64(len(head)) == s.size)
	}
	if s.enc != UTF16LE && s.enc != UTF16BE {
		if kind := binaryKind(head); kind != "" {
			return newParseError(s.path, 0, i18n.Errorf("this is %v, not a text (CSV) file", errors.New(kind)))
		}
		if line := findNUL(head); line > 0 {
			return newParseError(s.path, int64(line), i18n.Errorf("the file contains NUL bytes: it is binary or damaged, not a text (CSV) file"))
		}
		if !mostlyText(head) {
			return newParseError(s.path, 0, i18n.Errorf("the file is not text: it looks binary; check that you chose the right file"))
		}
	}
	convert := s.enc != UTF8
	if !convert {
		mixed, err := mixedLineEnds(ctx, s.path, head)
		if err != nil {
			return err
		}
		convert = mixed
	}
	if convert {
		tmp, err := os.CreateTemp("", "mb-import-*.csv")
		if err != nil {
			return err
		}
		tmp.Close()
		s.cleanup = append(s.cleanup, tmp.Name())
		stage := i18n.T("Converting to UTF-8")
		if s.enc == UTF8 {
			stage = i18n.T("Making line ends the same")
		}
		if err := transcode(ctx, s.path, tmp.Name(), s.enc, func(n int64) {
			report(opt.Progress, stage, float64(n)/float64(s.size))
		}); err != nil {
			return err
		}
		s.read = tmp.Name()
		if head, _, err = readHead(s.read, sniffSize); err != nil {
			return err
		}
	}
	if s.enc == UTF8BOM {
		s.enc = UTF8
	}
	switch {
	case opt.Delimiter == `\t` || opt.Delimiter == "tab":
		s.delim = '\t'
	case len(opt.Delimiter) == 1:
		s.delim = opt.Delimiter[0]
	case opt.Delimiter == "":
		s.delim = detectDelimiter(head)
	default:
		return i18n.Errorf("the delimiter must be one character, got %q", opt.Delimiter)
	}
	lines := splitLines(head, 2)
	if len(lines) == 1 && int64(len(head)) == sniffSize && !strings.Contains(string(head), "\n") {
		return newParseError(s.path, 1, i18n.Errorf("the first line is longer than %d KB without a line break: this is not a table of rows", sniffSize>>10))
	}
	s.header = true
	if opt.Header != nil {
		s.header = *opt.Header
	} else if len(lines) > 1 {
		s.header = looksLikeHeader(splitHeader(lines[0], s.delim), splitHeader(lines[1], s.delim))
	}
	if s.header && len(lines) > 0 {
		s.colNames = splitHeader(lines[0], s.delim)
		if dup := duplicateNames(s.colNames); len(dup) > 0 {
			return newParseError(s.path, 1, i18n.Errorf("the header names a column twice (%s); rename one of them in the file and import again",
				strings.Join(dup, ", ")))
		}
	}
	if opt.DecimalComma != nil {
		s.decComma = *opt.DecimalComma
	} else {
		s.decComma = usesDecimalComma(head, s.delim)
	}
	return nil
}

// mostlyText: fewer than 1 in 20 bytes are control characters.
func mostlyText(b []byte) bool {
	bad := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			bad++
		}
	}
	return bad*20 < len(b)+1
}

// looksLikeHeader: a header row has no numbers where the data row has them,
// or all its fields are distinct non-empty words.
func looksLikeHeader(first, second []string) bool {
	isNum := func(s string) bool {
		if s == "" {
			return false
		}
		for _, r := range s {
			if !unicode.IsDigit(r) && r != '.' && r != '-' && r != ',' {
				return false
			}
		}
		return true
	}
	for i, f := range first {
		if isNum(f) {
			return false
		}
		if i < len(second) && isNum(second[i]) {
			return true
		}
	}
	return len(duplicateNames(first)) == 0
}

// PreviewFile reads the start of a file the way Import would and proposes a
// table name and column roles. It writes nothing.
func PreviewFile(ctx context.Context, p *storage.Project, path string, opt Options) (*Preview, error) {
	s, err := open(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	defer s.close()
	pv := &Preview{Path: path, Size: s.size, Format: s.format, Encoding: s.enc, EncodingCandidates: s.cands,
		Delimiter: string(s.delim), Header: s.header, DecimalComma: s.decComma, Sheets: s.sheets, Sheet: s.sheet}
	if pv.SHA256, err = hashFile(ctx, path); err != nil {
		return nil, err
	}
	pv.Previous, err = prior(ctx, p, pv.SHA256)
	if err != nil {
		return nil, err
	}
	pv.Table = opt.Table
	if pv.Table == "" {
		pv.Table = TableName(path)
	}
	if pv.TableExists, err = p.TableExists(ctx, pv.Table); err != nil {
		return nil, err
	}
	// A preview shows good rows even when later lines are bad.
	sample := `(SELECT * FROM ` + s.relation(readMode{lenient: true}) + ` LIMIT 1000)`
	rows, err := p.DB().QueryContext(ctx, `DESCRIBE SELECT * FROM `+sample)
	if err != nil {
		return nil, readError(s, err)
	}
	for rows.Next() {
		var c storage.Column
		var n, k, d, e sql.NullString
		if err := rows.Scan(&c.Name, &c.Type, &n, &k, &d, &e); err != nil {
			rows.Close()
			return nil, err
		}
		pv.Columns = append(pv.Columns, c)
	}
	rows.Close()
	res, err := p.ReadOnly(ctx, `SELECT * FROM `+sample+` LIMIT 20`, 20, 30*time.Second)
	if err != nil {
		return nil, readError(s, err)
	}
	pv.Rows = res.Rows
	if pv.Roles, err = p.DetectRolesIn(ctx, sample, pv.Columns); err != nil {
		return nil, err
	}
	return pv, nil
}

// TableName turns a file name into a table name: "Orders 2024-05.csv" → "orders_2024_05".
func TableName(path string) string {
	base := filepath.Base(path)
	if isGzip(base) {
		base = base[:len(base)-3]
	}
	base = strings.TrimSuffix(base, filepath.Ext(base))
	var b strings.Builder
	lastUnderscore := false
	for _, r := range strings.ToLower(base) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			lastUnderscore = false
		} else if !lastUnderscore && b.Len() > 0 {
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	name := strings.Trim(b.String(), "_")
	if name == "" || unicode.IsDigit([]rune(name)[0]) {
		name = "t_" + name
	}
	if storage.Reserved(name) != nil {
		name = "data_" + name
	}
	return name
}

type hashResult struct {
	sum string
	err error
}

func hashFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, &countingReader{ctx: ctx, r: f}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func prior(ctx context.Context, p *storage.Project, sum string) (*Prior, error) {
	var pr Prior
	err := p.DB().QueryRowContext(ctx, `SELECT table_name, imported_at, rows_imported FROM mb_imports
		WHERE sha256 = ? ORDER BY id DESC LIMIT 1`, sum).Scan(&pr.Table, &pr.At, &pr.Rows)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &pr, nil
}

// testHookLoaded, set only by tests, runs inside the import's transaction
// once the rows are in the staging table and nothing is committed yet. A
// test blocks in it to cancel or kill an import that is certainly half
// done, instead of racing a fast machine. (A named pipe cannot stand in
// for a slow file: DuckDB 1.5 opens the file several times and read a
// 200,000-row CSV fed through a FIFO as 689,596 rows.)
var testHookLoaded func()

// Import reads a file into a table. Either every good row lands, the import
// is recorded in mb_imports and the audit log, and roles are stored — or the
// project is left exactly as it was.
func Import(ctx context.Context, p *storage.Project, path string, opt Options) (*Result, error) {
	res, err := importFile(ctx, p, path, opt)
	if err != nil && ctx.Err() != nil {
		return nil, ErrCancelled
	}
	return res, err
}

func importFile(ctx context.Context, p *storage.Project, path string, opt Options) (*Result, error) {
	report(opt.Progress, i18n.T("Checking the file"), -1)
	s, err := open(ctx, path, opt)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if len(s.cands) > 0 {
		return nil, &EncodingError{File: path, Candidates: s.cands}
	}
	// The file's hash identifies a re-import. It is computed while DuckDB
	// reads the file and checked before the import commits, so it costs no
	// wall time; a refused duplicate rolls back.
	hashCtx, stopHash := context.WithCancel(ctx)
	defer stopHash()
	hashed := make(chan hashResult, 1)
	go func() {
		sum, err := hashFile(hashCtx, path)
		hashed <- hashResult{sum, err}
	}()
	var sum string
	checkDuplicate := func() error {
		h := <-hashed
		hashed <- h // later attempts read it again
		if h.err != nil {
			return h.err
		}
		sum = h.sum
		pr, err := prior(ctx, p, sum)
		if err != nil {
			return err
		}
		if pr != nil && !opt.Force {
			return i18n.Errorf("%w into %q on %s (%d rows); import it again only if you mean to (--force)",
				ErrDuplicate, pr.Table, pr.At.Local().Format("2006-01-02 15:04"), pr.Rows)
		}
		return nil
	}
	if s.size < 32<<20 {
		// Small files hash in a blink: say "already imported" before anything else.
		if err := checkDuplicate(); err != nil {
			return nil, err
		}
	}
	table := opt.Table
	if table == "" {
		table = TableName(path)
	}
	if err := storage.Reserved(table); err != nil {
		return nil, err
	}
	stored, err := p.StoredName(ctx, table)
	if err != nil {
		return nil, err
	}
	exists := stored != ""
	if exists {
		table = stored // names are case-insensitive; keep the table's own spelling
	}
	mode := opt.Mode
	switch {
	case mode == "" || mode == Create:
		if exists {
			return nil, i18n.Errorf("a table %q already exists; choose append or replace, or another table name", table)
		}
		mode = Create
	case !exists:
		mode = Create
	}
	var before int64
	if exists {
		if before, err = p.RowCount(ctx, table); err != nil {
			return nil, err
		}
	}
	res := &Result{Table: table, Mode: mode, Format: s.format, Encoding: s.enc, Delimiter: string(s.delim)}
	staging := fmt.Sprintf("mb_staging_%d", time.Now().UnixNano())
	s.planConversions(ctx, p)
	report(opt.Progress, i18n.T("Reading rows"), -1)
	load := func() error {
		return p.Tx(ctx, func(tx *storage.Tx) error {
			rejects, err := s.load(ctx, tx, staging)
			if err != nil {
				return err
			}
			if testHookLoaded != nil {
				testHookLoaded()
			}
			if len(rejects) > 0 && !opt.SkipBadRows {
				first := rejects[0]
				why := first.why
				if why == nil {
					why = errors.New(first.Reason)
				}
				first.why = i18n.Errorf("%v (%d bad row(s) in all; fix the file, or import with 'skip bad rows' to keep the good rows and review the rest)", why, len(rejects))
				first.Reason = first.why.Error()
				return first
			}
			if err := refineTypes(ctx, tx, staging, s.decComma); err != nil {
				return err
			}
			var n int64
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+storage.Quote(staging)).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if len(rejects) > 0 {
					return newParseError(path, 0, i18n.Errorf("no row could be read; every row was bad"))
				}
				return newParseError(path, 0, i18n.Errorf("the file has a header but no data rows; nothing to import"))
			}
			if err := checkDuplicate(); err != nil {
				return err
			}
			res.Rows, res.Rejected = n, int64(len(rejects))
			if res.Renamed, err = freeRowID(ctx, tx, staging, table, mode); err != nil {
				return err
			}
			// Consent the import changes becomes consent history.
			snap, err := consent.Before(ctx, p.InTx(tx), tx, table)
			if err != nil {
				return err
			}
			if err := s.place(ctx, tx, staging, table, mode); err != nil {
				return err
			}
			if len(rejects) > 0 {
				res.RejectTable = table + "_rejects"
				if err := saveRejects(ctx, tx, res.RejectTable, sum, rejects); err != nil {
					return err
				}
			}
			optsJSON, _ := json.Marshal(map[string]any{"header": s.header, "decimal_comma": s.decComma, "sheet": s.sheet, "skip_bad_rows": opt.SkipBadRows})
			if _, err := tx.ExecContext(ctx, `INSERT INTO mb_imports (table_name, source_path, sha256, format, encoding, delimiter, mode,
			rows_imported, rows_rejected, reject_table, options_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				table, path, sum, string(s.format), s.enc, string(s.delim), string(mode), n, len(rejects), res.RejectTable, string(optsJSON)); err != nil {
				return err
			}
			after := n
			if mode == Append {
				after = before + n
			}
			detail := fmt.Sprintf("%s import of %s (%d rows, %d rejected)", mode, filepath.Base(path), n, len(rejects))
			for from, to := range res.Renamed {
				detail += fmt.Sprintf("; column %s renamed to %s", from, to)
			}
			was := before
			if !exists {
				was = -1
			}
			if err := p.Audit(ctx, tx, "import", table, was, after, detail); err != nil {
				return err
			}
			// Roles are part of the import: they commit with the rows.
			report(opt.Progress, i18n.T("Detecting column roles"), -1)
			pt := p.InTx(tx)
			cols, err := pt.Columns(ctx, table)
			if err != nil {
				return err
			}
			roles, err := finalRoles(ctx, pt, table, mode, opt.Roles, cols)
			if err != nil {
				return err
			}
			res.Columns, res.Roles = cols, roles
			if err := pt.SetRoles(ctx, table, roles, opt.Roles != nil); err != nil {
				return err
			}
			// Erased people stay erased: their rows are skipped and counted.
			skipped, err := pt.DropErased(ctx, table)
			if err != nil {
				return err
			}
			res.Rows -= skipped
			res.ErasedSkipped = skipped
			var asOf time.Time
			if fi, err := os.Stat(path); err == nil {
				asOf = fi.ModTime()
			}
			res.ConsentChanges, err = snap.After(ctx, pt, tx, "import of "+filepath.Base(path), "sha256 "+sum, asOf)
			return err
		})
	}
	err = load()
	if err != nil && len(s.convert) > 0 && strings.Contains(err.Error(), errConvert) {
		// A value past the sample is not a number: load those columns as
		// text and let refineTypes decide from every value.
		s.convert = nil
		err = load()
	}
	if err != nil {
		return nil, err
	}
	report(opt.Progress, i18n.T("Done"), 1)
	return res, nil
}

// finalRoles decides the roles after an import: the user's choice, else the
// roles an appended or replaced table already had (for columns it still
// has), else detection. Roles naming columns the table lacks are dropped.
func finalRoles(ctx context.Context, p *storage.Project, table string, mode Mode, given map[string]storage.Role, cols []storage.Column) (map[string]storage.Role, error) {
	roles := given
	if roles == nil {
		detected, err := p.DetectRoles(ctx, table)
		if err != nil {
			return nil, err
		}
		roles = detected
		if mode != Create {
			if have, err := p.ColumnRoles(ctx, table); err == nil {
				for c, r := range have {
					// Roles the table already had outlive a re-import; a role
					// the user moved wins over where detection would put it.
					if r != storage.Text {
						for dc, dr := range roles {
							if dr == r && dc != c {
								delete(roles, dc)
							}
						}
					}
					roles[c] = r
				}
			}
		}
	}
	exists := map[string]bool{}
	for _, c := range cols {
		exists[c.Name] = true
	}
	out := map[string]storage.Role{}
	for c, r := range roles {
		if exists[c] {
			out[c] = r
		}
	}
	return out, nil
}

// load creates the staging table. Values that do not fit a column's sniffed
// type (a "C536379" among invoice numbers) widen that column to text and the
// read is repeated, so only structural problems count as bad rows.
func (s *source) load(ctx context.Context, tx *storage.Tx, staging string) ([]*ParseError, error) {
	for attempt := 0; ; attempt++ {
		rejectsTable := ""
		if s.isCSV() {
			rejectsTable = fmt.Sprintf("%s_rej%d", staging, attempt)
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE `+storage.Quote(staging)+` AS SELECT `+s.convertSQL()+` FROM `+s.relation(readMode{rejects: rejectsTable}))
		if err != nil {
			return nil, readError(s, err)
		}
		if rejectsTable == "" {
			return nil, nil
		}
		rejects, widen, err := s.readRejects(ctx, tx, rejectsTable)
		if err != nil {
			return nil, err
		}
		if len(widen) == 0 || attempt == 3 {
			return rejects, nil
		}
		if s.types == nil {
			s.types = map[string]string{}
		}
		for _, c := range widen {
			s.types[c] = "VARCHAR"
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+storage.Quote(staging)); err != nil {
			return nil, err
		}
	}
}

// readError turns a DuckDB reader failure into words about the file.
func readError(s *source, err error) error {
	if errors.Is(err, context.Canceled) {
		return ErrCancelled
	}
	msg := err.Error()
	switch s.format {
	case Parquet:
		return newParseError(s.path, 0, i18n.Errorf("the Parquet file is damaged or incomplete (%s); copy or export it again", storage.FirstLine(msg)))
	case JSON:
		return newParseError(s.path, 0, i18n.Errorf("the JSON could not be read (%s); it must be an array of objects or one object per line", storage.FirstLine(msg)))
	}
	if strings.Contains(msg, "sniffing") {
		if line := s.openQuoteLine(); line > 0 {
			return newParseError(s.path, line, i18n.Errorf("a quote opened on this line is never closed; fix the quote or remove it"))
		}
		return newParseError(s.path, 0, i18n.Errorf("the layout of the file (delimiter, quotes, columns) could not be worked out; check that it is a CSV table"))
	}
	if strings.Contains(msg, "Maximum line size") {
		return newParseError(s.path, 0, i18n.Errorf("a line is longer than %d MB; is the file really a table of rows?", maxLine>>20))
	}
	if strings.Contains(msg, "unicode") || strings.Contains(msg, "UTF") {
		return newParseError(s.path, 0, i18n.Errorf("the file is not valid %s text; choose its real encoding", s.enc))
	}
	return &ParseError{File: s.path, Reason: storage.FirstLine(msg)}
}
