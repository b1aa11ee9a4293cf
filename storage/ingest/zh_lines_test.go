package ingest

import (
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/transform"
)

func TestMixedLineEndings(t *testing.T) {
	for _, enc := range []string{"utf-8", "gbk"} {
		t.Run(enc, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("id,name,city\r\n")
			for i := 0; i < 12; i++ {
				end := "\n"
				if i%3 == 0 {
					end = "\r\n"
				}
				fmt.Fprintf(&b, "%d,%s,%s%s", i+1, zhNames[i%10], zhCities[i%10], end)
			}
			data := []byte(b.String())
			if enc == "gbk" {
				data = gbkBytes(t, b.String())
			}
			p := newProject(t)
			path := write(t, "mixed.csv", data)
			res := mustImport(t, p, path, Options{})
			if res.Rows != 12 {
				t.Fatalf("rows %d", res.Rows)
			}
			var city string
			if err := p.DB().QueryRow(`SELECT city FROM mixed WHERE id = 2`).Scan(&city); err != nil || city != "上海" {
				t.Fatalf("%q %v", city, err)
			}
		})
	}
}

// A file whose first 64 KB end lines with CRLF and whose later lines end
// with LF: detection reads past the sniffed start.
func TestMixedLineEndsLate(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,note\r\n")
	n := 0
	for b.Len() < 3*sniffSize {
		n++
		end := "\r\n"
		if b.Len() > 2*sniffSize {
			end = "\n"
		}
		fmt.Fprintf(&b, "%d,%s,some words here%s", n, zhNames[n%10], end)
	}
	p := newProject(t)
	path := write(t, "late.csv", []byte(b.String()))
	res := mustImport(t, p, path, Options{})
	if res.Rows != int64(n) {
		t.Fatalf("rows %d, want %d", res.Rows, n)
	}
	var bad int
	if err := p.DB().QueryRow(`SELECT count(*) FROM late WHERE note LIKE '%' || chr(13) || '%'`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d notes keep a CR (%v)", bad, err)
	}
}

func TestLFOnlyTransformChunks(t *testing.T) {
	in := "a\r\nb\nc\r\r\nd\re\r\n"
	for size := 1; size < 8; size++ {
		var out strings.Builder
		r := transform.NewReader(iotest.OneByteReader(strings.NewReader(in)), lfOnly{})
		buf := make([]byte, size)
		for {
			n, err := r.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				break
			}
		}
		if got := out.String(); got != "a\nb\nc\r\nd\re\n" {
			t.Fatalf("size %d: %q", size, got)
		}
	}
}
