package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var ctx = context.Background()

func newProject(t testing.TB) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func write(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapshot captures everything a failed import must leave untouched.
func snapshot(t *testing.T, p *storage.Project) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name, estimated_size FROM duckdb_tables() ORDER BY 1`,
		`SELECT count(*) FROM mb_imports`, `SELECT count(*) FROM mb_audit`, `SELECT count(*) FROM mb_column_roles`,
		`SELECT count(*) FROM customers`,
	} {
		rows, err := p.DB().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, c any
			if strings.Contains(q, "table_name") {
				rows.Scan(&a, &c)
			} else {
				rows.Scan(&a)
			}
			fmt.Fprintln(&b, a, c)
		}
		rows.Close()
	}
	return b.String()
}

func mustImport(t *testing.T, p *storage.Project, path string, opt Options) *Result {
	t.Helper()
	res, err := Import(ctx, p, path, opt)
	if err != nil {
		t.Fatalf("import %s: %v", filepath.Base(path), err)
	}
	return res
}

func TestBadInputChangesNothing(t *testing.T) {
	p := newProject(t)
	mustImport(t, p, write(t, "customers.csv", []byte("id,email\n1,a@x.com\n2,b@y.org\n")), Options{})
	long := bytes.Repeat([]byte("x"), 10<<20)
	xlsx0 := write(t, "empty.xlsx", nil)
	truncParquet := func() string {
		full := filepath.Join(t.TempDir(), "full.parquet")
		if _, err := p.DB().Exec(`COPY (SELECT range AS i, 'v' || range AS s FROM range(5000)) TO ` + storage.Literal(full) + ` (FORMAT parquet)`); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(full)
		return write(t, "trunc.parquet", b[:len(b)/2])
	}()
	cases := map[string]struct {
		path string
		opt  Options
		want string // part of the message
	}{
		"missing path":        {filepath.Join(t.TempDir(), "nope.csv"), Options{}, "no such file"},
		"empty":               {write(t, "empty.csv", nil), Options{}, "empty"},
		"header only":         {write(t, "h.csv", []byte("id,email\n")), Options{}, "no data rows"},
		"ragged rows":         {write(t, "r.csv", []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n3,Cy,York,UK\n")), Options{}, "line 3"},
		"unbalanced quote":    {write(t, "q.csv", []byte("id,name\n1,Ann\n2,\"Bob\n3,Cy\n")), Options{}, "quote"},
		"invalid UTF-8":       {write(t, "u.csv", []byte("id,name\n1,Zoë\n2,Chloë\n3,Renée\n4,bad \xff\xfe here\n")), Options{}, "line 5"},
		"binary renamed":      {write(t, "img.csv", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 100)...)), Options{}, "PNG"},
		"random binary":       {write(t, "bin.csv", bytes.Repeat([]byte{0x01, 0x02, 0x03, 0x10, 0x41}, 1000)), Options{}, "not text"},
		"10 MB single line":   {write(t, "long.csv", long), Options{}, "longer than"},
		"duplicate columns":   {write(t, "d.csv", []byte("id,Email,email\n1,a,b\n")), Options{}, "twice"},
		"NUL bytes":           {write(t, "n.csv", []byte("id,name\n1,An\x00n\n")), Options{}, "NUL"},
		"0-byte xlsx":         {xlsx0, Options{}, "empty"},
		"broken xlsx":         {write(t, "b.xlsx", []byte("PK\x03\x04 this is not a workbook")), Options{}, "Excel"},
		"truncated parquet":   {truncParquet, Options{}, "damaged"},
		"bad json":            {write(t, "j.json", []byte(`[{"a": 1}, {"a": `)), Options{}, "JSON"},
		"table exists":        {write(t, "customers.csv", []byte("id,email\n3,c@z.com\n")), Options{}, "already exists"},
		"append wrong column": {write(t, "c2.csv", []byte("id,email,extra\n3,c@z.com,1\n")), Options{Table: "customers", Mode: Append}, "does not"},
		"reserved name":       {write(t, "x.csv", []byte("a\n1\n")), Options{Table: "mb_imports"}, "reserved"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			before := snapshot(t, p)
			_, err := Import(ctx, p, c.path, c.opt)
			if err == nil {
				t.Fatal("import succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line for a person: %q", err)
			}
			if after := snapshot(t, p); after != before {
				t.Fatalf("project changed:\n%s\nvs\n%s", before, after)
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	text := "id,name,city,amount\n1,张伟,北京,12.50\n2,王芳,上海,8.00\n3,Zoë Brontë,Köln,3.10\n"
	gbText := "id,name,city,amount\n1,张伟,北京,12.50\n2,王芳,上海,8.00\n3,李娜,广州,3.10\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(gbText))
	u16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	u16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(text))
	latin := "id,name,city,amount\n1,Zoë Brontë,Köln,12.50\n2,François,Besançon,8.00\n3,Ærø,Søby,3.10\n"
	cp1252, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(latin))
	cases := map[string]struct {
		data []byte
		enc  string
		want string
		name string // expected second row name
	}{
		"utf8":     {[]byte(text), UTF8, text, "王芳"},
		"utf8 BOM": {append([]byte{0xEF, 0xBB, 0xBF}, text...), UTF8, text, "王芳"},
		"utf16le":  {u16le, UTF16LE, text, "王芳"},
		"utf16be":  {u16be, UTF16BE, text, "王芳"},
		"gbk":      {gbk, GB18030, gbText, "王芳"},
		"cp1252":   {cp1252, Windows1252, latin, "François"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProject(t)
			path := write(t, "export.csv", c.data)
			pv, err := PreviewFile(ctx, p, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if pv.Encoding != c.enc {
				t.Fatalf("detected %s, want %s", pv.Encoding, c.enc)
			}
			res := mustImport(t, p, path, Options{})
			if res.Columns[0].Name != "id" {
				t.Fatalf("first column %q (a BOM must not end up in a name)", res.Columns[0].Name)
			}
			var got string
			if err := p.DB().QueryRow(`SELECT name FROM export WHERE id = 2`).Scan(&got); err != nil || got != c.name {
				t.Fatalf("name %q %v", got, err)
			}
			var amount float64
			p.DB().QueryRow(`SELECT sum(amount) FROM export`).Scan(&amount)
			if amount != 23.6 {
				t.Fatalf("amount sum %v", amount)
			}
		})
	}
}

func TestEncodingOverride(t *testing.T) {
	p := newProject(t)
	// Latin-1 bytes that a user says are Windows-1252; forcing UTF-8 must fail with the line.
	data, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("a,b\n1,x\n2,Zoë\n"))
	path := write(t, "l.csv", data)
	if _, err := Import(ctx, p, path, Options{Encoding: "utf-8"}); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("forced utf-8: %v", err)
	}
	mustImport(t, p, path, Options{Encoding: "latin-1"})
}

func TestDelimitersAndDecimalComma(t *testing.T) {
	p := newProject(t)
	semi := write(t, "eu.csv", []byte("Kunde;Betrag;Datum\n\"Müller; GmbH\";1.234,50;2024-01-05\nSchmidt;12,25;2024-02-01\n"))
	pv, err := PreviewFile(ctx, p, semi, Options{})
	if err != nil || pv.Delimiter != ";" || !pv.DecimalComma || !pv.Header {
		t.Fatalf("%+v %v", pv, err)
	}
	mustImport(t, p, semi, Options{})
	var sum float64
	var kunde string
	if err := p.DB().QueryRow(`SELECT sum("Betrag"), min("Kunde") FROM eu`).Scan(&sum, &kunde); err != nil || sum != 1246.75 || kunde != "Müller; GmbH" {
		t.Fatalf("sum %v kunde %q %v", sum, kunde, err)
	}
	money := write(t, "money.csv", []byte("id,price,zip\n1,\"£1,234.50\",01234\n2,$12,02000\n3, ,10115\n"))
	mustImport(t, p, money, Options{})
	var total float64
	var zip string
	if err := p.DB().QueryRow(`SELECT sum(price), min(zip) FROM money`).Scan(&total, &zip); err != nil || total != 1246.5 || zip != "01234" {
		t.Fatalf("money %v zip %q %v", total, zip, err)
	}
	tsv := write(t, "t.tsv", []byte("a\tb\n1\thello, world\n2\tx\n"))
	res := mustImport(t, p, tsv, Options{})
	if res.Delimiter != "\t" || len(res.Columns) != 2 {
		t.Fatalf("%+v", res)
	}
}

func TestSkipBadRowsKeepsRejects(t *testing.T) {
	p := newProject(t)
	path := write(t, "r.csv", []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n3,Cy,York,UK\n4,Di,Hull\n"))
	res := mustImport(t, p, path, Options{SkipBadRows: true})
	if res.Rows != 2 || res.Rejected != 2 || res.RejectTable != "r_rejects" {
		t.Fatalf("%+v", res)
	}
	var lines string
	p.DB().QueryRow(`SELECT string_agg(line::VARCHAR || ':' || raw_text, '|' ORDER BY line) FROM r_rejects`).Scan(&lines)
	if lines != "3:2,Bob|4:3,Cy,York,UK" {
		t.Fatalf("rejects %q", lines)
	}
}

func TestDuplicateAppendReplace(t *testing.T) {
	p := newProject(t)
	jan := write(t, "orders.csv", []byte("order_id,customer_id,amount\n1,A,10\n2,B,20\n"))
	mustImport(t, p, jan, Options{})
	if _, err := Import(ctx, p, jan, Options{Mode: Append}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("re-import: %v", err)
	}
	pv, err := PreviewFile(ctx, p, jan, Options{})
	if err != nil || pv.Previous == nil || pv.Previous.Table != "orders" || !pv.TableExists {
		t.Fatalf("preview %+v %v", pv, err)
	}
	feb := write(t, "orders.csv", []byte("customer_id,order_id,amount\nC,3,30\n"))
	mustImport(t, p, feb, Options{Mode: Append})
	n, _ := p.RowCount(ctx, "orders")
	if n != 3 {
		t.Fatalf("after append %d rows", n)
	}
	mustImport(t, p, jan, Options{Mode: Replace, Force: true})
	n, _ = p.RowCount(ctx, "orders")
	if n != 2 {
		t.Fatalf("after replace %d rows", n)
	}
	log, _ := p.AuditLog(ctx, 10)
	if len(log) != 3 || log[0].RowsBefore.Int64 != 3 || log[0].RowsAfter.Int64 != 2 {
		t.Fatalf("audit %+v", log)
	}
}

func TestXLSXParquetJSON(t *testing.T) {
	p := newProject(t)
	f := excelize.NewFile()
	f.NewSheet("Orders")
	f.SetSheetRow("Sheet1", "A1", &[]any{"note"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"first sheet"})
	f.SetSheetRow("Orders", "A1", &[]any{"Order ID", "Customer", "Amount", "Email", "Ordered", "Paid"})
	f.SetSheetRow("Orders", "A2", &[]any{1001, "张伟", 12.5, "a@x.com", time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC), true})
	f.SetSheetRow("Orders", "A3", &[]any{1002, "Zoë", 7.25, "", time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC), false})
	// Shown rounded to 2 decimals and as a percentage: the stored values must land.
	f.SetSheetRow("Orders", "G1", &[]any{"Rate", "Share"})
	f.SetSheetRow("Orders", "G2", &[]any{2.46912, 0.12345})
	f.SetSheetRow("Orders", "G3", &[]any{1234567.891, 0.5})
	two, _ := f.NewStyle(&excelize.Style{NumFmt: 2})
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	f.SetCellStyle("Orders", "G2", "G3", two)
	f.SetCellStyle("Orders", "H2", "H3", pct)
	xl := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(xl); err != nil {
		t.Fatal(err)
	}
	pv, err := PreviewFile(ctx, p, xl, Options{Sheet: "orders"})
	if err != nil || len(pv.Sheets) != 2 || pv.Sheet != "Orders" || len(pv.Rows) != 2 {
		t.Fatalf("%+v %v", pv, err)
	}
	res := mustImport(t, p, xl, Options{Sheet: "Orders", Table: "xl"})
	if res.Rows != 2 || res.Roles["Order ID"] != storage.OrderID || res.Roles["Email"] != storage.Email {
		t.Fatalf("%+v", res)
	}
	var amount float64
	var last time.Time
	var paid int
	p.DB().QueryRow(`SELECT sum("Amount"), max("Ordered"), count(*) FILTER (WHERE "Paid") FROM xl`).Scan(&amount, &last, &paid)
	if amount != 19.75 || !last.Equal(time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC)) || paid != 1 {
		t.Fatalf("amount %v, last order %v, paid %d", amount, last, paid)
	}
	var rate, share string
	p.DB().QueryRow(`SELECT string_agg("Rate"::VARCHAR, ' ' ORDER BY "Rate"), string_agg("Share"::VARCHAR, ' ' ORDER BY "Share") FROM xl`).Scan(&rate, &share)
	if rate != "2.46912 1234567.891" || share != "0.12345 0.5" {
		t.Fatalf("stored numbers: rate %v share %v", rate, share)
	}
	for _, c := range res.Columns {
		if c.Name == "Ordered" && !strings.HasPrefix(c.Type, "TIMESTAMP") {
			t.Fatalf("Ordered is %s", c.Type)
		}
	}
	if _, err := Import(ctx, p, xl, Options{Sheet: "Nope", Table: "x2", Force: true}); err == nil || !strings.Contains(err.Error(), "Orders") {
		t.Fatalf("missing sheet: %v", err)
	}

	pq := filepath.Join(t.TempDir(), "c.parquet")
	p.DB().Exec(`COPY (SELECT range AS customer_id, 'c' || range || '@x.com' AS email FROM range(100)) TO ` + storage.Literal(pq) + ` (FORMAT parquet)`)
	if r := mustImport(t, p, pq, Options{}); r.Rows != 100 || r.Format != Parquet {
		t.Fatalf("%+v", r)
	}
	nd := write(t, "events.ndjson", []byte("{\"customer_id\": \"A\", \"amount\": 1.5}\n{\"customer_id\": \"B\", \"amount\": 2}\n"))
	if r := mustImport(t, p, nd, Options{}); r.Rows != 2 {
		t.Fatalf("%+v", r)
	}
	arr := write(t, "arr.json", []byte(`[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]`))
	if r := mustImport(t, p, arr, Options{}); r.Rows != 2 || len(r.Columns) != 2 {
		t.Fatalf("%+v", r)
	}
}

func TestRealDatasets(t *testing.T) {
	p := newProject(t)
	root := "../../testdata/real/"
	res := mustImport(t, p, root+"WA_Fn-UseC_-Telco-Customer-Churn.csv", Options{Table: "telco"})
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if res.Rows != 7043 || types["TotalCharges"] != "DOUBLE" || types["MonthlyCharges"] != "DOUBLE" || types["tenure"] != "BIGINT" {
		t.Fatalf("telco %d rows, types %v", res.Rows, types)
	}
	var blanks int
	p.DB().QueryRow(`SELECT count(*) FROM telco WHERE "TotalCharges" IS NULL`).Scan(&blanks)
	if blanks != 11 || res.Roles["customerID"] != storage.CustomerID {
		t.Fatalf("blank TotalCharges %d, roles %v", blanks, res.Roles)
	}

	res = mustImport(t, p, root+"bank-additional-full.csv", Options{Table: "bank"})
	types = map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if res.Rows != 41188 || len(res.Columns) != 21 || res.Delimiter != ";" || types["age"] != "BIGINT" || types["euribor3m"] != "DOUBLE" || types["job"] != "VARCHAR" {
		t.Fatalf("bank %d rows, %d cols, delim %q, types %v", res.Rows, len(res.Columns), res.Delimiter, types)
	}

	res = mustImport(t, p, root+"OnlineRetail.csv.gz", Options{Table: "retail"})
	if res.Rows != 541909 {
		t.Fatalf("retail rows %d", res.Rows)
	}
	want := map[string]storage.Role{"InvoiceNo": storage.OrderID, "CustomerID": storage.CustomerID, "InvoiceDate": storage.OrderDate,
		"Quantity": storage.Quantity, "UnitPrice": storage.UnitPrice, "StockCode": storage.ProductID, "Description": storage.ProductName}
	for c, r := range want {
		if res.Roles[c] != r {
			t.Errorf("role of %s: %q, want %q", c, res.Roles[c], r)
		}
	}
	var customers int
	p.DB().QueryRow(`SELECT count(DISTINCT "CustomerID") FROM retail`).Scan(&customers)
	if customers != 4372 {
		t.Fatalf("customers %d", customers)
	}
	var pound int
	p.DB().QueryRow(`SELECT count(*) FROM retail WHERE "Description" LIKE '%£%' OR "Country" = 'EIRE'`).Scan(&pound)
	if pound == 0 {
		t.Fatal("text lost")
	}
}

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{"Orders 2024-05.csv": "orders_2024_05", "/x/2024.csv": "t_2024",
		"客户.xlsx": "客户", "mb_x.csv": "data_mb_x", "OnlineRetail.csv.gz": "onlineretail"} {
		if got := TableName(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestTranscodeStreamsLargeFile(t *testing.T) {
	// 8 MB of GB18030 must transcode without holding the file in memory.
	var b bytes.Buffer
	b.WriteString("id,name\n")
	for i := 0; b.Len() < 8<<20; i++ {
		fmt.Fprintf(&b, "%d,客户%d\n", i, i)
	}
	enc, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(b.Bytes())
	src := write(t, "big.csv", enc)
	dst := filepath.Join(t.TempDir(), "out.csv")
	if err := transcode(ctx, src, dst, GB18030, nil); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(dst)
	if sha256.Sum256(out) != sha256.Sum256(b.Bytes()) {
		t.Fatal("round trip differs")
	}
}

func TestRejectReasonsInWords(t *testing.T) {
	p := newProject(t)
	_, err := Import(ctx, p, write(t, "r.csv", []byte("id,name,city\n1,Ann,Leeds\n2,Bob\n")), Options{})
	if err == nil || !strings.Contains(err.Error(), "r.csv, line 3") || !strings.Contains(err.Error(), "2 fields where the header has 3") {
		t.Fatalf("%v", err)
	}
}

func TestSignupDateIsNotAnOrderDate(t *testing.T) {
	p := newProject(t)
	res := mustImport(t, p, write(t, "customers.csv", []byte("customer_id,email,signup_date\nC1,a@x.com,2024-01-02\nC2,b@y.com,2024-03-04\n")), Options{})
	if _, ok := res.Roles["signup_date"]; ok {
		t.Fatalf("roles %v", res.Roles)
	}
	res = mustImport(t, p, write(t, "sales.csv", []byte("order_id,customer,placed,total\n1,C1,2024-01-02,5.5\n2,C2,2024-03-04,7\n")), Options{})
	if res.Roles["placed"] != storage.OrderDate || res.Roles["total"] != storage.Amount {
		t.Fatalf("roles %v", res.Roles)
	}
}

// TestLateValuesAreNotLost: the type of a text column is planned from a
// sample; a value far down the file that is not a number must keep the
// column as text (nothing becomes NULL), and one with decimals must make it
// DOUBLE rather than be rounded.
func TestLateValuesAreNotLost(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,charges,count\n")
	for i := 0; i < 30000; i++ {
		c, n := fmt.Sprintf("%d.5", i), fmt.Sprint(i)
		if i%10 == 0 {
			c, n = " ", " "
		}
		switch i {
		case 29000:
			c = "n/a"
		case 29500:
			n = "7.25"
		}
		fmt.Fprintf(&b, "%d,%s,%s\n", i, c, n)
	}
	p := newProject(t)
	res := mustImport(t, p, write(t, "late.csv", []byte(b.String())), Options{})
	types := map[string]string{}
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if types["charges"] != "VARCHAR" || types["count"] != "DOUBLE" {
		t.Fatalf("types %v", types)
	}
	var na string
	var late float64
	p.DB().QueryRow(`SELECT charges FROM late WHERE id = 29000`).Scan(&na)
	p.DB().QueryRow(`SELECT "count" FROM late WHERE id = 29500`).Scan(&late)
	if na != "n/a" || late != 7.25 {
		t.Fatalf("late values %q %v", na, late)
	}
	// The clean case takes the fast path and still gets numbers.
	res = mustImport(t, p, write(t, "clean.csv", []byte(strings.ReplaceAll(strings.ReplaceAll(b.String(), "n/a", "1.5"), "7.25", "7"))), Options{})
	for _, c := range res.Columns {
		types[c.Name] = c.Type
	}
	if types["charges"] != "DOUBLE" || types["count"] != "BIGINT" {
		t.Fatalf("types %v", types)
	}
}

func TestReviewRegressions(t *testing.T) {
	p := newProject(t)
	// Windows-1252 German/French text must not be taken for GBK.
	latin, _ := charmap.Windows1252.NewEncoder().Bytes([]byte("name,city\nMüller,Köln\nFrançois,Besançon\nJosé,Málaga\n"))
	res := mustImport(t, p, write(t, "de.csv", latin), Options{})
	var name string
	p.DB().QueryRow(`SELECT name FROM de WHERE city = 'Köln'`).Scan(&name)
	if res.Encoding != Windows1252 || name != "Müller" {
		t.Fatalf("encoding %s, name %q", res.Encoding, name)
	}
	// 20-digit identifiers keep every digit.
	res = mustImport(t, p, write(t, "ids.csv", []byte("card,amount\n12345678901234567890,1\n98765432109876543210,2\n , 3\n")), Options{})
	var card string
	p.DB().QueryRow(`SELECT card FROM ids WHERE amount = 1`).Scan(&card)
	if card != "12345678901234567890" {
		t.Fatalf("card %q (%+v)", card, res.Columns)
	}
	// Appending decimals to an integer column widens it instead of rounding;
	// text into a number column is refused with the column named.
	mustImport(t, p, write(t, "o.csv", []byte("id,amount\n1,10\n2,20\n")), Options{})
	mustImport(t, p, write(t, "o2.csv", []byte("id,amount\n3,12.75\n")), Options{Table: "o", Mode: Append})
	var sum float64
	p.DB().QueryRow(`SELECT sum(amount) FROM o`).Scan(&sum)
	if sum != 42.75 {
		t.Fatalf("after append: sum %v", sum)
	}
	_, err := Import(ctx, p, write(t, "o3.csv", []byte("id,amount\n4,lots\n")), Options{Table: "o", Mode: Append})
	if err == nil || !strings.Contains(err.Error(), `column "amount"`) {
		t.Fatalf("append of text into numbers: %v", err)
	}
	// Reserved names.
	if _, err := Import(ctx, p, write(t, "rfm_scores.csv", []byte("a\n1\n")), Options{Table: "RFM_Scores"}); err == nil {
		t.Fatal("rfm_scores accepted as a table name")
	}
	if TableName("rfm_scores.csv") == "rfm_scores" {
		t.Fatal("TableName proposes a reserved name")
	}
	// A table name differing only in case is the same table.
	if _, err := Import(ctx, p, write(t, "O.csv", []byte("id,amount\n9,9\n")), Options{Table: "O"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("case-only different name: %v", err)
	}
	// Cancelling says so and matches context.Canceled.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = Import(cctx, p, write(t, "c.csv", []byte("a\n1\n")), Options{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("cancel: %v", err)
	}
}

func TestXLSXLateTextAndSkipBadRows(t *testing.T) {
	p := newProject(t)
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	sw.SetRow("A1", []any{"id", "qty"})
	for i := 2; i <= 30002; i++ {
		var q any = i
		if i == 30001 {
			q = "twelve"
		}
		cell, _ := excelize.CoordinatesToCellName(1, i)
		sw.SetRow(cell, []any{i, q})
	}
	sw.Flush()
	xl := filepath.Join(t.TempDir(), "late.xlsx")
	f.SaveAs(xl)
	res := mustImport(t, p, xl, Options{})
	var q string
	p.DB().QueryRow(`SELECT qty FROM late WHERE id = 30001`).Scan(&q)
	if res.Rows != 30001 || q != "twelve" {
		t.Fatalf("%d rows, qty %q", res.Rows, q)
	}
}

func TestSecondReviewRegressions(t *testing.T) {
	p := newProject(t)
	// A role the user moved survives a re-import of the same shape.
	mustImport(t, p, write(t, "c.csv", []byte("email,work_email,name\na@x.com,b@y.com,Ann\n")), Options{})
	if err := p.SetRoles(ctx, "c", map[string]storage.Role{"work_email": storage.Email, "email": storage.None}, true); err != nil {
		t.Fatal(err)
	}
	res := mustImport(t, p, write(t, "c2.csv", []byte("email,work_email,name\nc@x.com,d@y.com,Bo\n")), Options{Table: "c", Mode: Append})
	if res.Roles["work_email"] != storage.Email || res.Roles["email"] == storage.Email {
		t.Fatalf("roles after re-import: %v", res.Roles)
	}
	// Appending to "Orders" finds "orders".
	mustImport(t, p, write(t, "orders.csv", []byte("id,amount\n1,2\n")), Options{})
	res = mustImport(t, p, write(t, "o2.csv", []byte("id,amount\n2,3\n")), Options{Table: "Orders", Mode: Append})
	if res.Table != "orders" {
		t.Fatalf("appended into %q", res.Table)
	}
	// Long ids lose their padding.
	mustImport(t, p, write(t, "ids.csv", []byte("id,v\n 12345678901234567 ,1\n98765432109876543,2\n")), Options{})
	var n int
	p.DB().QueryRow(`SELECT count(*) FROM ids WHERE id = '12345678901234567'`).Scan(&n)
	if n != 1 {
		t.Fatal("long id kept its spaces")
	}
	// Excel ZIP codes formatted 00000 keep their zeros.
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"zip", "n"})
	f.SetSheetRow("Sheet1", "A2", &[]any{1234, 1})
	f.SetSheetRow("Sheet1", "A3", &[]any{10115, 2})
	code := "00000"
	st, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	f.SetCellStyle("Sheet1", "A2", "A3", st)
	xl := filepath.Join(t.TempDir(), "zips.xlsx")
	f.SaveAs(xl)
	mustImport(t, p, xl, Options{})
	var zips string
	p.DB().QueryRow(`SELECT string_agg(zip::VARCHAR, ',' ORDER BY n) FROM zips`).Scan(&zips)
	if zips != "01234,10115" {
		t.Fatalf("zips %q", zips)
	}
}
