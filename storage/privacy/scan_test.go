package privacy

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// corpusRows is how many rows the corpus has.
const corpusRows = 40

// chineseID makes a valid resident ID from an area, a birth date
// (YYYYMMDD) and a sequence number.
func chineseID(area, born string, seq int) string {
	s := fmt.Sprintf("%s%s%03d", area, born, seq)
	sum := 0
	for i := range 17 {
		sum += int(s[i]-'0') * idWeights[i]
	}
	return s + string("10X98765432"[sum%11])
}

// withLuhn completes a number with its Luhn check digit; badLuhn with a
// wrong one.
func withLuhn(s string) string {
	for d := '0'; d <= '9'; d++ {
		if luhn(s + string(d)) {
			return s + string(d)
		}
	}
	panic("no digit")
}

func badLuhn(s string) string {
	good := withLuhn(s)
	return s + string('0'+(good[len(good)-1]-'0'+1)%10)
}

// corpus is a table with every kind of personal data and columns that
// look like some but are not: order numbers failing Luhn, product codes,
// prices, order dates, version numbers, 18-digit numbers failing the ID
// checksum and free text.
func corpus() [][]string {
	out := [][]string{{"customer_id", "full_name", "email", "contact", "c_phone", "id_no", "card", "iban", "last_ip", "birth_date",
		"address", "first_name", "order_no", "product_code", "price", "order_date", "version", "ref18", "note", "quantity"}}
	names := []string{"Li Wei", "王芳", "John Smith", "Anna Müller", "张伟"}
	phones := []string{"13812345678", "+44 20 7946 0018", "(415) 555-2671", "139 1234 5678", "+86 150-0000-1111"}
	ibans := []string{"GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"}
	ips := []string{"192.168.1.20", "8.8.8.8", "2001:db8::1", "10.0.0.7"}
	addrs := []string{"221B Baker Street, London", "北京市朝阳区建国路88号", "350 Fifth Ave, New York", "上海市黄浦区南京东路100号"}
	versions := []string{"1.2.3.4", "2.10.0", "3.0.1.15", "10.4.2"}
	for i := range corpusRows {
		born := fmt.Sprintf("%d%02d%02d", 1950+i, 1+i%12, 1+i%28)
		id := chineseID([]string{"110105", "440305", "310101", "620102"}[i%4], born, i)
		wrongID := id[:17] + string("10X98765432"[(strings.IndexByte("10X98765432", id[17])+1)%11])
		card := withLuhn(fmt.Sprintf("4%014d", 1000003*i+7))
		if i%2 == 1 {
			card = withLuhn(fmt.Sprintf("5%d%013d", 1+i%5, 999*i))
		}
		out = append(out, []string{
			fmt.Sprintf("C%03d", i), names[i%len(names)], fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("contact%d@mail.cn", i),
			phones[i%len(phones)], id, card, ibans[i%len(ibans)], ips[i%len(ips)],
			fmt.Sprintf("%s-%s-%s", born[:4], born[4:6], born[6:]), addrs[i%len(addrs)], strings.Fields(names[i%len(names)])[0],
			badLuhn(fmt.Sprintf("4%014d", 7777777*i+3)), fmt.Sprintf("SKU-%05d", i*37), fmt.Sprintf("%d.99", 10+i), fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28),
			versions[i%len(versions)], wrongID, "Great product, arrived quickly", fmt.Sprint(1 + i%4),
		})
	}
	return out
}

func writeCorpus(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(corpus())
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// The committed corpus (used by the core and CLI tests) is the one the
// generator writes.
func TestCorpusFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.csv")
	writeCorpus(t, path)
	want, _ := os.ReadFile(path)
	got, err := os.ReadFile("testdata/pii_corpus.csv")
	if os.Getenv("UPDATE_CORPUS") != "" {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile("testdata/pii_corpus.csv", want, 0o644)
		return
	}
	if err != nil || string(got) != string(want) {
		t.Fatalf("testdata/pii_corpus.csv is out of date (%v); run UPDATE_CORPUS=1 go test -run TestCorpusFile", err)
	}
}

func importCorpus(t testing.TB) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	roles := map[string]storage.Role{"customer_id": storage.CustomerID, "full_name": storage.FullName, "email": storage.Email}
	if _, err := ingest.Import(ctx, p, "testdata/pii_corpus.csv", ingest.Options{Table: "people", Roles: roles}); err != nil {
		t.Fatal(err)
	}
	return p
}

// got renders a scan's findings as "column: kind(reasons)" lines.
func got(ts TableScan) []string {
	out := []string{}
	for _, c := range ts.Columns {
		for _, f := range c.Findings {
			out = append(out, fmt.Sprintf("%s: %s(%s) %d/%d %d", c.Column, f.Kind, strings.Join(f.Reasons, ","), f.Matched, f.Sampled, f.EstimatedRows))
		}
	}
	return out
}

// Every kind is found where it is, for the reasons it is, and nothing
// else is: the look-alikes are not reported.
func TestScanCorpus(t *testing.T) {
	p := importCorpus(t)
	rep, err := Scan(context.Background(), p, "", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Tables) != 1 || rep.Tables[0].Table != "people" || rep.Tables[0].Rows != corpusRows || rep.Tables[0].Sampled != corpusRows {
		t.Fatalf("tables: %+v", rep.Tables)
	}
	want := []string{
		"customer_id: customer_id(role) 40/40 40",
		"full_name: name(name,role) 40/40 40",
		"email: email(content,role) 40/40 40",
		"contact: email(content) 40/40 40",
		"c_phone: phone(content) 40/40 40",
		"id_no: national_id(content) 40/40 40",
		"card: payment_card(content) 40/40 40",
		"iban: iban(content) 40/40 40",
		"last_ip: ip_address(content) 40/40 40",
		"birth_date: date_of_birth(content,name) 40/40 40",
		"address: postal_address(content,name) 40/40 40",
		"first_name: name(name) 40/40 40",
	}
	if g := got(rep.Tables[0]); !reflect.DeepEqual(g, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

// A sample smaller than the table: the shares come from the sample, the
// estimates scale to the table; one table by name (any case); an unknown
// table is an error.
func TestScanSampleAndTable(t *testing.T) {
	p := importCorpus(t)
	ctx := context.Background()
	rep, err := Scan(ctx, p, "PEOPLE", Options{Sample: 10, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ts := rep.Tables[0]
	if ts.Sampled != 10 || ts.Rows != corpusRows || len(ts.Columns) != 12 {
		t.Fatalf("sampled %d of %d, %d columns", ts.Sampled, ts.Rows, len(ts.Columns))
	}
	for _, c := range ts.Columns {
		for _, f := range c.Findings {
			if f.Sampled != 10 || f.EstimatedRows != corpusRows || f.Share != 1 {
				t.Errorf("%s: %+v", c.Column, f)
			}
		}
	}
	if _, err := Scan(ctx, p, "nope", Options{}); !errors.Is(err, storage.ErrNoTable) {
		t.Errorf("unknown table: %v", err)
	}
}

// Content alone reports a column when at least half its non-empty sampled
// values are of a kind: 20 e-mails in 40 values are, 19 are not; empty
// values do not count.
func TestScanShareThreshold(t *testing.T) {
	p, err := storage.Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	if _, err := p.Q().ExecContext(ctx, `CREATE TABLE notes AS SELECT
		CASE WHEN i < 20 THEN 'a' || i || '@example.com' ELSE 'note ' || i END AS half,
		CASE WHEN i < 19 THEN 'a' || i || '@example.com' ELSE 'note ' || i END AS fewer,
		CASE WHEN i < 10 THEN 'a' || i || '@example.com' WHEN i < 30 THEN NULL ELSE '' END AS sparse
		FROM range(40) t(i)`); err != nil {
		t.Fatal(err)
	}
	rep, err := Scan(ctx, p, "notes", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"half: email(content) 20/40 20", "sparse: email(content) 10/10 10"}
	if g := got(rep.Tables[0]); !reflect.DeepEqual(g, want) {
		t.Errorf("findings %q, want %q", g, want)
	}
}
