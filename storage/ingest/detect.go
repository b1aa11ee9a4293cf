package ingest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Format is a kind of input file.
type Format string

// The formats Import reads.
const (
	CSV     Format = "csv"
	XLSX    Format = "xlsx"
	Parquet Format = "parquet"
	JSON    Format = "json"
)

// sniffSize is how much of a file detection looks at.
const sniffSize = 64 << 10

func readHead(path string, n int) ([]byte, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.IsDir() {
		return nil, 0, fmt.Errorf("%s is a folder, not a file", path)
	}
	var r io.Reader = f
	if isGzip(path) {
		// DuckDB reads .csv.gz itself; detection looks at the unpacked text.
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, 0, fmt.Errorf("%s is not a valid gzip file: %v", filepath.Base(path), err)
		}
		r = zr
	}
	buf := make([]byte, n)
	m, err := io.ReadFull(r, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, 0, err
	}
	return buf[:m], st.Size(), nil
}

// detectFormat decides by content first (a renamed file is still what it
// is), then by extension.
func detectFormat(path string, head []byte) Format {
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return Parquet
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return XLSX
	}
	switch strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.TrimSuffix(path, ".gz"), ".GZ"))) {
	case ".xlsx", ".xlsm":
		return XLSX
	case ".parquet", ".pq":
		return Parquet
	case ".json", ".ndjson", ".jsonl":
		return JSON
	}
	return CSV
}

// binaryKind names well-known binary formats so the user hears what the file
// really is.
func binaryKind(head []byte) string {
	magics := []struct {
		magic, name string
	}{
		{"%PDF", "a PDF document"}, {"\x89PNG", "a PNG image"}, {"\xff\xd8\xff", "a JPEG image"},
		{"GIF8", "a GIF image"}, {"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file; save it as .xlsx or .csv"},
		{"\x7fELF", "a program"}, {"MZ", "a Windows program"}, {"\x1f\x8b", "a gzip archive; unpack it first"},
		{"SQLite format 3", "an SQLite database"}, {"PK\x03\x04", "a ZIP archive"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return m.name
		}
	}
	return ""
}

// Encoding names understood by Options.Encoding.
const (
	UTF8        = "utf-8"
	UTF8BOM     = "utf-8-bom"
	UTF16LE     = "utf-16le"
	UTF16BE     = "utf-16be"
	GB18030     = "gb18030"
	Windows1252 = "windows-1252"
)

// Encodings lists the encodings a user can choose.
var Encodings = []string{UTF8, UTF16LE, UTF16BE, GB18030, Windows1252}

// detectEncoding looks at the start of a file: a BOM decides; valid UTF-8 is
// UTF-8; otherwise bytes that pair up as GB18030 double-byte characters mean
// a Chinese export, else a Western one (Windows-1252, a superset of Latin-1
// for printable text).
func detectEncoding(head []byte, full bool) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE
	}
	h := head
	if !full {
		h = trimPartialRune(h)
	}
	if utf8.Valid(h) {
		return UTF8
	}
	if hasUTF8Multibyte(h) {
		// Real UTF-8 text with a few broken bytes: a damaged file, not a
		// legacy encoding. Import reports the bad line.
		return UTF8
	}
	if looksGB(h) {
		return GB18030
	}
	return Windows1252
}

func trimPartialRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		r, size := utf8.DecodeLastRune(b)
		if r != utf8.RuneError || size != 1 {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// hasUTF8Multibyte reports whether b holds at least a few valid multi-byte
// UTF-8 sequences.
func hasUTF8Multibyte(b []byte) bool {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError && size > 1 {
			n++
		}
		b = b[size:]
	}
	return n >= 3
}

// looksGB counts high bytes that pair up as GB2312 characters; Western text
// has isolated high bytes (é, ü, £) that mostly do not pair.
func looksGB(b []byte) bool {
	pairs, lone := 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		// Chinese characters (GB2312) have both bytes >= 0xA1. An accented
		// Western letter is usually followed by an ASCII one: "Müller".
		if c >= 0x81 && c <= 0xFE && i+1 < len(b) && b[i+1] >= 0xA1 && b[i+1] <= 0xFE {
			pairs++
			i++
			continue
		}
		lone++
	}
	return pairs > 0 && pairs >= 4*lone
}

// findNUL reports the 1-based line of the first NUL byte, or 0.
func findNUL(b []byte) int {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return 0
	}
	return bytes.Count(b[:i], []byte{'\n'}) + 1
}

var delimiters = []byte{',', ';', '\t', '|'}

// detectDelimiter picks the candidate that splits the first lines into the
// same number (>1) of fields most often, counting outside double quotes.
func detectDelimiter(head []byte) byte {
	lines := splitLines(head, 50)
	best, bestScore := byte(','), -1
	for _, d := range delimiters {
		counts := map[int]int{}
		for _, l := range lines {
			counts[countFields(l, d)]++
		}
		mode, freq := 0, 0
		for n, f := range counts {
			if f > freq || (f == freq && n > mode) {
				mode, freq = n, f
			}
		}
		if mode < 2 {
			continue
		}
		score := freq*1000 + mode
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

func splitLines(b []byte, max int) [][]byte {
	var out [][]byte
	for len(b) > 0 && len(out) < max {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			// The last line may be cut by the sniff window; use it only if whole.
			if len(out) == 0 {
				out = append(out, b)
			}
			break
		}
		line := bytes.TrimRight(b[:i], "\r")
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line)
		}
		b = b[i+1:]
	}
	return out
}

func countFields(line []byte, d byte) int {
	n, inQ := 1, false
	for _, c := range line {
		switch {
		case c == '"':
			inQ = !inQ
		case c == d && !inQ:
			n++
		}
	}
	return n
}

// splitHeader splits one line into fields with quotes removed.
func splitHeader(line []byte, d byte) []string {
	var out []string
	var cur []byte
	inQ := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' && inQ && i+1 < len(line) && line[i+1] == '"':
			cur = append(cur, '"')
			i++
		case c == '"':
			inQ = !inQ
		case c == d && !inQ:
			out = append(out, strings.TrimSpace(string(cur)))
			cur = cur[:0]
		default:
			cur = append(cur, c)
		}
	}
	return append(out, strings.TrimSpace(string(cur)))
}

// duplicateNames finds header names that collide; DuckDB names are
// case-insensitive, so "Email" and "email" collide too.
func duplicateNames(names []string) []string {
	seen := map[string]string{}
	var dup []string
	for _, n := range names {
		k := strings.ToLower(n)
		if k == "" {
			continue
		}
		if first, ok := seen[k]; ok {
			dup = append(dup, fmt.Sprintf("%q and %q", first, n))
			continue
		}
		seen[k] = n
	}
	return dup
}

var decimalCommaRe = regexp.MustCompile(`^-?(\d{1,3}(\.\d{3})+|\d+),\d+$`)

// usesDecimalComma: European exports write 1.234,56 and separate fields by
// semicolons or tabs. True when some field looks like a decimal-comma number
// and none like a decimal-point number with a fractional part.
func usesDecimalComma(head []byte, d byte) bool {
	if d == ',' {
		return false
	}
	comma, point := 0, 0
	pointRe := regexp.MustCompile(`^-?\d+\.\d+$`)
	for i, l := range splitLines(head, 200) {
		if i == 0 {
			continue
		}
		for _, f := range splitHeader(l, d) {
			switch {
			case decimalCommaRe.MatchString(f):
				comma++
			case pointRe.MatchString(f):
				point++
			}
		}
	}
	return comma > 0 && point == 0
}

func isGzip(path string) bool { return strings.EqualFold(filepath.Ext(path), ".gz") }
