package bench

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRetailBaskets(t *testing.T) {
	t.Setenv("MB_BENCH_DIR", t.TempDir())
	path := filepath.Join(t.TempDir(), "retail.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	z := gzip.NewWriter(f)
	z.Write([]byte(`InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
1,A,"a, with comma",2,2010-12-01 08:26:00,1,17850,United Kingdom
1,B,b,1,2010-12-01 08:26:00,1,17850,United Kingdom
1,A,a again,1,2010-12-01 08:26:00,1,17850,United Kingdom
C2,A,cancelled,-1,2010-12-01 09:00:00,1,17850,United Kingdom
3,C,no customer,5,2010-12-01 10:00:00,1,,United Kingdom
3,B,return line,-2,2010-12-01 10:00:00,1,,United Kingdom
4,B,zero,0,2010-12-01 11:00:00,1,12345,France
`))
	z.Close()
	f.Close()
	for range 2 { // extracted, then read back from the cache
		b, err := RetailBaskets(path)
		if err != nil {
			t.Fatal(err)
		}
		// Invoice 1 holds A and B once each; 3 holds C; C2 and 4 are out.
		if got := b.Lists(); b.Baskets != 2 || b.Products != 3 || !slices.Equal(got[0], []int32{0, 1}) || !slices.Equal(got[1], []int32{2}) {
			t.Fatalf("baskets %v (%d baskets, %d products), want [[0 1] [2]]", got, b.Baskets, b.Products)
		}
	}
	if _, err := RetailBaskets(filepath.Join(t.TempDir(), "missing.csv.gz")); err == nil {
		t.Error("a missing file must be an error")
	}
}
