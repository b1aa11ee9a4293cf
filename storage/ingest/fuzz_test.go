package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

// FuzzImportCSV feeds arbitrary bytes through the whole CSV path: detection,
// transcoding, DuckDB's reader, type refinement and the transaction. Every
// input must either import or fail with an error and leave the project as
// it was; nothing may panic or hang.
func FuzzImportCSV(f *testing.F) {
	for _, s := range []string{
		"id,name\n1,Ann\n2,Bob\n",
		"a;b\n1,5;x\n",
		"\xef\xbb\xbfid,email\n1,a@x.com\n",
		"\xff\xfei\x00d\x00\n\x001\x00\n\x00",
		"id,name\n1,\"open\n",
		"x\n",
		"",
		"a,a\n1,2\n",
		"id\tv\n1\t 2 \n2\t\n",
		"n,v\n1,\xe4\xb8\xad\n2,\xd6\xd0\n",
	} {
		f.Add([]byte(s))
	}
	p, err := storage.Create(filepath.Join(f.TempDir(), "fuzz"+storage.Ext))
	if err != nil {
		f.Fatal(err)
	}
	defer p.Close()
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var before int
		p.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&before)
		res, err := Import(ctx, p, path, Options{Table: "fz", Mode: Replace, Force: true})
		var after int
		p.DB().QueryRow(`SELECT count(*) FROM mb_imports`).Scan(&after)
		if err != nil {
			if after != before {
				t.Fatalf("failed import was recorded: %v", err)
			}
			var pe *ParseError
			if strings.Contains(err.Error(), "\n") && !errors.As(err, &pe) {
				t.Fatalf("error is not for people: %q", err)
			}
			return
		}
		if after != before+1 || res.Rows <= 0 {
			t.Fatalf("import of %d rows recorded %d→%d", res.Rows, before, after)
		}
	})
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), byte(','))
	f.Add([]byte("\"x;\"\"y\";2,5\n"), byte(';'))
	f.Fuzz(func(t *testing.T, data []byte, d byte) {
		detectEncoding(data, true)
		detectDelimiter(data)
		usesDecimalComma(data, d)
		for _, l := range splitLines(data, 5) {
			splitHeader(l, d)
			countFields(l, d)
		}
		guessEncoding(data, false)
		gbScore(data, false)
		westernScore(data)
		findNUL(data)
	})
}
