package ingest

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

func decoder(enc string) (encoding.Encoding, error) {
	switch enc {
	case UTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	case UTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), nil
	case GB18030, "gbk", "gb2312":
		return simplifiedchinese.GB18030, nil
	case Windows1252, "cp1252", "latin-1", "latin1", "iso-8859-1":
		return charmap.Windows1252, nil
	case UTF8BOM:
		return unicode.UTF8BOM, nil
	}
	return nil, fmt.Errorf("unknown encoding %q; choose one of utf-8, utf-16le, utf-16be, gb18030, windows-1252", enc)
}

// transcode streams src in encoding enc into a new UTF-8 file without a BOM,
// so memory use does not grow with the file. It reports bytes read.
func transcode(ctx context.Context, srcPath, dst, enc string, progress func(int64)) error {
	dec, err := decoder(enc)
	if err != nil {
		return err
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
	r := transform.NewReader(&countingReader{ctx: ctx, r: src, progress: progress}, dec.NewDecoder())
	if _, err := io.Copy(w, r); err != nil {
		out.Close()
		return fmt.Errorf("cannot read the file as %s: %v", enc, err)
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
