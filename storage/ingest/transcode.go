package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/marketbench/marketbench/assets/i18n"
)

func decoder(enc string) (encoding.Encoding, error) {
	switch enc {
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), nil
	case GB18030, "gbk", "gb2312":
		return simplifiedchinese.GB18030, nil
	case Big5, "big-5", "cp950":
		return traditionalchinese.Big5, nil
	case Windows1252, "cp1252", "latin-1", "latin1", "iso-8859-1":
		return charmap.Windows1252, nil
	case UTF8BOM:
		return unicode.UTF8BOM, nil
	}
	return nil, i18n.Errorf("unknown encoding %q; choose one of utf-8, utf-16le, utf-16be, gb18030 (gbk), big5, windows-1252 (latin-1)", enc)
}

// transcode streams src in encoding enc into a new UTF-8 file without a BOM
// and with LF line ends (DuckDB's reader refuses a file that mixes CRLF and
// LF), so memory use does not grow with the file. It reports bytes read.
// For UTF-8 it only normalises line ends.
func transcode(ctx context.Context, srcPath, dst, enc string, progress func(int64)) error {
	var t transform.Transformer = lfOnly{}
	if enc != UTF8 {
		dec, err := decoder(enc)
		if err != nil {
			return err
		}
		t = transform.Chain(dec.NewDecoder(), lfOnly{})
	}
	in, err := os.Open(srcPath)
	if err != nil {
		return err
	}
	defer in.Close()
	var src io.Reader = in
	if isGzip(srcPath) {
		zr, err := gzip.NewReader(in)
		if err != nil {
			return err
		}
		src = zr
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	r := transform.NewReader(&countingReader{ctx: ctx, r: src, progress: progress}, t)
	if _, err := io.Copy(w, r); err != nil {
		out.Close()
		return i18n.Errorf("cannot read the file as %s: %v", enc, err)
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

type countingReader struct {
	ctx      context.Context
	r        io.Reader
	n        int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress(c.n)
	}
	return n, err
}

// lfOnly turns CRLF line ends into LF; a lone CR stays.
type lfOnly struct{ transform.NopResetter }

func (lfOnly) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c == '\r' {
			if nSrc+1 == len(src) {
				if !atEOF {
					return nDst, nSrc, transform.ErrShortSrc
				}
			} else if src[nSrc+1] == '\n' {
				nSrc++
				continue
			}
		}
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = c
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}

// mixedLineEnds reports whether a UTF-8 file has both CRLF and bare LF line
// ends. The start of the file decides when it has both or only LF; a file
// that starts with CRLF is read on until a bare LF shows up.
func mixedLineEnds(ctx context.Context, path string, head []byte) (bool, error) {
	crlf, lf := lineEnds(head, false)
	if crlf && lf {
		return true, nil
	}
	if !crlf || int64(len(head)) < sniffSize {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var r io.Reader = f
	if isGzip(path) {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return false, err
		}
		r = zr
	}
	buf := make([]byte, 1<<20)
	prevCR := false
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		n, err := r.Read(buf)
		b := buf[:n]
		if n > 0 {
			if b[0] == '\n' && !prevCR {
				return true, nil
			}
			if _, lf := lineEnds(b, true); lf {
				return true, nil
			}
			prevCR = b[n-1] == '\r'
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// lineEnds reports whether b has CRLF and bare LF line ends; a LF at the
// start of b counts only when skipFirst is false (the chunk before ended
// with CR).
func lineEnds(b []byte, skipFirst bool) (crlf, lf bool) {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		k := i + j
		switch {
		case k > 0 && b[k-1] == '\r':
			crlf = true
		case k == 0 && skipFirst:
		default:
			lf = true
		}
		if crlf && lf {
			return
		}
		i = k + 1
	}
	return
}
