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
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/marketbench/marketbench/assets/i18n"
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
		return nil, 0, i18n.Errorf("%s is a folder, not a file", path)
	}
	var r io.Reader = f
	if isGzip(path) {
		// DuckDB reads .csv.gz itself; detection looks at the unpacked text.
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, 0, i18n.Errorf("%s is not a valid gzip file: %v", filepath.Base(path), err)
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
		{"%PDF", i18n.Mark("a PDF document")}, {"\x89PNG", i18n.Mark("a PNG image")}, {"\xff\xd8\xff", i18n.Mark("a JPEG image")},
		{"GIF8", i18n.Mark("a GIF image")}, {"\xd0\xcf\x11\xe0", i18n.Mark("an old Excel (.xls) or Office file; save it as .xlsx or .csv")},
		{"\x7fELF", i18n.Mark("a program")}, {"MZ", i18n.Mark("a Windows program")}, {"\x1f\x8b", i18n.Mark("a gzip archive; unpack it first")},
		{"SQLite format 3", i18n.Mark("an SQLite database")}, {"PK\x03\x04", i18n.Mark("a ZIP archive")},
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
	Big5        = "big5" // chosen by the user; detection does not propose it
	Windows1252 = "windows-1252"
)

// Encodings lists the encodings a user can choose.
var Encodings = []string{UTF8, UTF16LE, UTF16BE, GB18030, Big5, Windows1252}

// detectEncoding is guessEncoding without the candidates.
func detectEncoding(head []byte, full bool) string {
	enc, _ := guessEncoding(head, full)
	return enc
}

// guessEncoding looks at the start of a file: a BOM decides; valid UTF-8 is
// UTF-8; otherwise each legacy candidate (GB18030, a superset of GBK and
// GB2312; Windows-1252, a superset of Latin-1 for printable text) is scored
// by how plausible its reading is. When both read plausibly, the likelier
// is returned with the candidates, so the caller can ask.
func guessEncoding(head []byte, full bool) (string, []EncodingCandidate) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return UTF8BOM, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return UTF16LE, nil
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16BE, nil
	}
	h := head
	if !full {
		h = trimPartialRune(h)
	}
	if utf8.Valid(h) {
		return UTF8, nil
	}
	if mostlyUTF8(h) {
		// Real UTF-8 text with a few broken bytes: a damaged file, not a
		// legacy encoding. Import reports the bad line.
		return UTF8, nil
	}
	gb, west := gbScore(h, full), westernScore(h)
	switch {
	case gb >= 0.6 && west < 0.5, gb > 0 && west < 0.2:
		return GB18030, nil
	case west >= 0.5 && gb < 0.3:
		return Windows1252, nil
	}
	cands := []EncodingCandidate{
		{Encoding: GB18030, Score: gb, Sample: sampleAs(h, GB18030)},
		{Encoding: Windows1252, Score: west, Sample: sampleAs(h, Windows1252)},
	}
	if west > gb {
		cands[0], cands[1] = cands[1], cands[0]
	}
	// Big5 (Traditional Chinese) is never chosen by detection, which cannot
	// tell it from GBK on a small sample, but it is offered when the file
	// reads as Big5 without a broken character.
	if b5, err := traditionalchinese.Big5.NewDecoder().Bytes(h); err == nil && !bytes.ContainsRune(b5, utf8.RuneError) {
		cands = append(cands, EncodingCandidate{Encoding: Big5, Sample: sampleAs(h, Big5)})
	}
	return cands[0].Encoding, cands
}

// mostlyUTF8: at least 3 valid multi-byte sequences and no more broken
// bytes than those. GBK text pairs bytes that now and then form a valid
// UTF-8 sequence by chance (伟 is CE B0), but most of its pairs do not.
func mostlyUTF8(b []byte) bool {
	good, bad := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			bad++
		case size > 1:
			good++
		}
		b = b[size:]
	}
	return good >= 3 && bad <= good
}

// gbScore is the share of non-ASCII characters that, read as GB18030, are
// common Chinese characters (GB2312 level 1, lead bytes B0–D7) or Chinese
// punctuation and full-width forms (A1–A3); less common characters count
// half. Any byte sequence that is not GB18030 makes the score 0.
func gbScore(b []byte, full bool) float64 {
	var total, score float64
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		if c == 0x80 || c == 0xFF {
			return 0
		}
		if i+1 >= len(b) {
			if full {
				return 0
			}
			break
		}
		d := b[i+1]
		switch {
		case d >= 0x30 && d <= 0x39: // four-byte sequence: rare
			if i+3 >= len(b) {
				if full {
					return 0
				}
				i = len(b)
				continue
			}
			if b[i+2] < 0x81 || b[i+2] > 0xFE || b[i+3] < 0x30 || b[i+3] > 0x39 {
				return 0
			}
			total++
			score += 0.1
			i += 3
		case d >= 0x40 && d <= 0xFE && d != 0x7F:
			total++
			switch {
			case c >= 0xB0 && c <= 0xD7 && d >= 0xA1:
				score++
			case c >= 0xA1 && c <= 0xA3 && d >= 0xA1:
				score++
			case c >= 0xD8 && c <= 0xF7 && d >= 0xA1: // GB2312 level 2
				score += 0.5
			case c >= 0xAA && c <= 0xAF && d >= 0xA1, c >= 0xF8 && d >= 0xA1: // user-defined areas
			default: // GBK extensions: rare characters
				score += 0.2
			}
			i++
		default:
			return 0
		}
	}
	if total == 0 {
		return 0
	}
	return score / total
}

// westernScore is the share of non-ASCII bytes that, read as Windows-1252,
// are letters next to an ASCII letter ("Müller", "José") or common symbols
// (£, €, °, quotes, dashes) next to ASCII text; bytes Windows-1252 leaves
// undefined make the score 0.
func westernScore(b []byte) float64 {
	var total, good float64
	isASCIILetter := func(i int) bool {
		if i < 0 || i >= len(b) {
			return false
		}
		c := b[i] | 0x20
		return c >= 'a' && c <= 'z'
	}
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		switch c {
		case 0x81, 0x8D, 0x8F, 0x90, 0x9D:
			return 0
		}
		total++
		r := charmap.Windows1252.DecodeByte(c)
		if unicode.IsLetter(r) {
			if isASCIILetter(i-1) || isASCIILetter(i+1) {
				good++
			}
			continue
		}
		prevHigh := i > 0 && b[i-1] >= 0x80
		nextHigh := i+1 < len(b) && b[i+1] >= 0x80
		if !prevHigh && !nextHigh {
			good++ // a symbol among ASCII: £12, 20°, “quote”
		}
	}
	if total == 0 {
		return 0
	}
	return good / total
}

// sampleAs reads the first few lines of b in encoding enc.
func sampleAs(b []byte, enc string) []string {
	dec, err := decoder(enc)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range splitLines(b, 6) {
		s, err := dec.NewDecoder().Bytes(l)
		if err != nil {
			s = bytes.ToValidUTF8(l, []byte("\ufffd"))
		}
		out = append(out, string(s))
	}
	return out
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

// EncodingCandidate is one way to read a file whose encoding is uncertain.
type EncodingCandidate struct {
	Encoding string
	Score    float64  // 0..1, how plausible the decoded text is (0 for Big5: not scored)
	Sample   []string // the first lines read this way
}

// Example is the first sample line with a non-ASCII letter, cut to 40
// characters: what tells the readings apart.
func (c EncodingCandidate) Example() string {
	for _, l := range c.Sample {
		for _, r := range l {
			if r >= 0x80 {
				if rs := []rune(l); len(rs) > 40 {
					l = string(rs[:40]) + "…"
				}
				return l
			}
		}
	}
	return ""
}
