package consent_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/consent"
	"github.com/marketbench/marketbench/storage/ingest"
)

var ctx = context.Background()

// newShop is a project with a customers table: e-mail consent as a
// boolean, SMS consent as the words yes/no.
func newShop(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	exec(t, p, `CREATE TABLE customers (customer_id VARCHAR, email VARCHAR, phone VARCHAR, email_ok BOOLEAN, sms VARCHAR)`)
	exec(t, p, `INSERT INTO customers VALUES ('A1', 'Ann@Example.com', '+44 20 7946 0018', true, 'yes'),
		('B2', 'bob@example.com', '+44 20 7946 0019', false, 'no'), ('C3', 'cat@example.com', NULL, NULL, NULL)`)
	err = p.SetRoles(ctx, "customers", map[string]storage.Role{"customer_id": storage.CustomerID, "email": storage.Email,
		"phone": storage.Phone, "email_ok": storage.EmailConsent, "sms": storage.SMSConsent}, true)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func exec(t *testing.T, p *storage.Project, q string, args ...any) {
	t.Helper()
	if _, err := p.DB().Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func value(t *testing.T, p *storage.Project, q string, args ...any) string {
	t.Helper()
	var v *string
	if err := p.DB().QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		return "NULL"
	}
	return *v
}

func day(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }

// The latest event is the consent, whatever order events arrive in, and
// the customer table's column follows it in the column's own words.
func TestConsentLatestWinsAndColumn(t *testing.T) {
	p := newShop(t)
	res, err := consent.Record(ctx, p, []consent.Change{
		{CustomerID: "A1", Channel: storage.EmailConsent, Granted: true, At: day(1), Source: "web form", Proof: "form 7, 10.0.0.1"},
		{CustomerID: "A1", Channel: storage.EmailConsent, Granted: false, At: day(5), Source: "unsubscribe link"},
		{CustomerID: "A1", Channel: storage.SMSConsent, Granted: false, At: day(2), Source: "phone call"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 3 || res.Withdrawn != 2 || res.Updated != 2 {
		t.Fatalf("result %+v", res)
	}
	if v := value(t, p, `SELECT CAST(email_ok AS VARCHAR) FROM customers WHERE customer_id = 'A1'`); v != "false" {
		t.Errorf("email_ok = %s after the withdrawal", v)
	}
	if v := value(t, p, `SELECT sms FROM customers WHERE customer_id = 'A1'`); v != "no" {
		t.Errorf("sms = %s, want the column's own word no", v)
	}
	// An older event arriving later does not override the newer withdrawal.
	if res, err := consent.Record(ctx, p, []consent.Change{{CustomerID: "A1", Channel: storage.EmailConsent, Granted: true, At: day(3), Source: "import of old.csv"}}); err != nil || res.Superseded != 1 || res.Updated != 0 {
		t.Fatalf("older grant: %+v %v", res, err)
	}
	if v := value(t, p, `SELECT CAST(email_ok AS VARCHAR) FROM customers WHERE customer_id = 'A1'`); v != "false" {
		t.Errorf("email_ok = %s: an older grant overrode the latest withdrawal", v)
	}
	// A newer grant does.
	if _, err := consent.Record(ctx, p, []consent.Change{{CustomerID: "C3", Channel: storage.SMSConsent, Granted: true, At: day(6), Source: "manual"}}); err != nil {
		t.Fatal(err)
	}
	if v := value(t, p, `SELECT sms FROM customers WHERE customer_id = 'C3'`); v != "yes" {
		t.Errorf("C3 sms = %s, want yes", v)
	}
	h, err := consent.History(ctx, p, "A1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		got = append(got, consent.Short(e.Channel)+" "+e.At.Format("02")+" "+e.Source)
	}
	want := "email 01 web form|email 03 import of old.csv|email 05 unsubscribe link|sms 02 phone call"
	if strings.Join(got, "|") != want {
		t.Errorf("history\n got %s\nwant %s", strings.Join(got, "|"), want)
	}
	if cur := consent.Current(h); cur[storage.EmailConsent].Granted || cur[storage.EmailConsent].Source != "unsubscribe link" {
		t.Errorf("current e-mail consent %+v", cur[storage.EmailConsent])
	}
	if h[0].Proof != "form 7, 10.0.0.1" || h[0].RecordedAt.IsZero() {
		t.Errorf("proof or recorded time lost: %+v", h[0])
	}
	// Each batch is in the audit log with counts and sources, not people.
	if v := value(t, p, `SELECT count(*)::VARCHAR || ' ' || max(detail) FILTER (WHERE detail LIKE '3 %') FROM mb_audit WHERE action = 'consent'`); v != "3 3 consent change(s) (1 given, 2 withdrawn) from phone call, unsubscribe link, web form" {
		t.Errorf("audit: %s", v)
	}
	tot, err := consent.Totals(ctx, p)
	if err != nil || len(tot) != 5 {
		t.Fatalf("totals %+v %v", tot, err)
	}
}

// Recording the same changes again adds nothing; one bad change stops
// all of them and the error names every bad row.
func TestConsentIdempotentAndBadRows(t *testing.T) {
	p := newShop(t)
	ch := []consent.Change{
		{Row: 2, CustomerID: "A1", Channel: storage.EmailConsent, Granted: false, At: day(1), Source: "import of x.csv"},
		{Row: 3, CustomerID: "B2", Channel: storage.EmailConsent, Granted: true, At: day(1), Source: "import of x.csv"},
	}
	if _, err := consent.Record(ctx, p, ch); err != nil {
		t.Fatal(err)
	}
	res, err := consent.Record(ctx, p, ch)
	if err != nil || res.Added != 0 || res.Duplicates != 2 {
		t.Fatalf("again: %+v %v", res, err)
	}
	before := value(t, p, `SELECT count(*)::VARCHAR || '/' || string_agg(CAST(email_ok AS VARCHAR), ',' ORDER BY customer_id) FROM customers`)
	events := value(t, p, `SELECT count(*)::VARCHAR FROM mb_consent_events`)
	bad := []consent.Change{
		{Row: 2, CustomerID: "C3", Channel: storage.EmailConsent, Granted: true, At: day(2), Source: "web"},
		{Row: 3, CustomerID: "Z9", Channel: storage.EmailConsent, Granted: true, At: day(2), Source: "web"},
		{Row: 4, CustomerID: "A1", Channel: storage.EmailConsent, Granted: true, At: day(2), Source: " "},
		{Row: 5, CustomerID: "A1", Channel: "fax", Granted: true, At: day(2), Source: "web"},
		{Row: 6, CustomerID: "A1", Channel: storage.EmailConsent, Granted: true, Source: "web"},
	}
	_, err = consent.Record(ctx, p, bad)
	var be *consent.BadRowsError
	if !errors.As(err, &be) || len(be.Rows) != 4 {
		t.Fatalf("want 4 bad rows, got %v", err)
	}
	for _, w := range []string{"row 3: customer \"Z9\"", "row 4: no source", "row 5: unknown channel", "row 6: no time"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	if v := value(t, p, `SELECT count(*)::VARCHAR FROM mb_consent_events`); v != events {
		t.Errorf("events %s → %s after a refused batch", events, v)
	}
	if v := value(t, p, `SELECT count(*)::VARCHAR || '/' || string_agg(CAST(email_ok AS VARCHAR), ',' ORDER BY customer_id) FROM customers`); v != before {
		t.Errorf("customers %s → %s after a refused batch", before, v)
	}
}

// Hostile values are data: quotes and SQL in ids, sources and column
// names change nothing but what they should.
func TestConsentHostileInput(t *testing.T) {
	p, err := storage.Create(filepath.Join(t.TempDir(), "h"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	exec(t, p, `CREATE TABLE "cu""st" ("id'; DROP TABLE x; --" VARCHAR, "opt ""in""" VARCHAR)`)
	exec(t, p, `INSERT INTO "cu""st" VALUES ('O''Brien', 'Y'), ('x'' OR ''1''=''1', 'Y')`)
	if err := p.SetRoles(ctx, `cu"st`, map[string]storage.Role{"id'; DROP TABLE x; --": storage.CustomerID, `opt "in"`: storage.EmailConsent}, true); err != nil {
		t.Fatal(err)
	}
	_, err = consent.Record(ctx, p, []consent.Change{{CustomerID: "O'Brien", Channel: storage.EmailConsent, Granted: false, At: day(1),
		Source: "'); DELETE FROM mb_consent_events; --", Proof: strings.Repeat("证", 600)}})
	if err != nil {
		t.Fatal(err)
	}
	got := value(t, p, `SELECT string_agg("opt ""in""", ',' ORDER BY "id'; DROP TABLE x; --") FROM "cu""st"`)
	if got != "no,Y" {
		t.Errorf("values %s, want only O'Brien withdrawn", got)
	}
	if _, err := consent.Record(ctx, p, []consent.Change{{CustomerID: "A", Channel: storage.EmailConsent, At: day(1), Source: strings.Repeat("s", 3000)}}); err == nil {
		t.Error("a 3000-character source and an unknown customer were accepted")
	}
	h, _ := consent.History(ctx, p, "O'Brien")
	if len(h) != 1 || !strings.HasPrefix(h[0].Source, "');") {
		t.Errorf("history %+v", h)
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A consent file read as import reads it: customers by e-mail, Chinese
// and English values, bad rows named by line.
func TestConsentFromRows(t *testing.T) {
	p := newShop(t)
	exec(t, p, `INSERT INTO customers VALUES ('D4', 'dup@example.com', NULL, NULL, NULL), ('E5', 'dup@example.com', NULL, NULL, NULL)`)
	path := writeFile(t, "signup.csv", "邮箱,渠道,同意,时间,证明\n"+
		"ANN@example.com ,email,不同意,2026-11-03 10:00,unsubscribe link 42\n"+
		"bob@example.com,短信,同意,2026-11-04,\n"+
		"nobody@example.com,email,yes,2026-11-04,\n"+
		"dup@example.com,email,yes,2026-11-04,\n"+
		"cat@example.com,fax,yes,2026-11-04,\n"+
		"cat@example.com,email,maybe,2026-11-04,\n"+
		"cat@example.com,push,opt-in,yesterday,\n")
	header, rows, err := ingest.ReadRows(ctx, p, path, ingest.Options{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	d, err := consent.LoadDirectory(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	ch, bad, cols, err := consent.FromRows(header, rows, d, consent.FileOptions{Source: "import of signup.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if cols.KeyKind != consent.ByEmail || cols.Channel != "渠道" || cols.Granted != "同意" || cols.At != "时间" || cols.Proof != "证明" {
		t.Errorf("columns %+v", cols)
	}
	if len(ch) != 2 || ch[0].CustomerID != "A1" || ch[0].Granted || ch[0].Proof != "unsubscribe link 42" || ch[1].Channel != storage.SMSConsent || !ch[1].Granted {
		t.Errorf("changes %+v", ch)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Row)
	}
	if len(lines) != 5 || lines[0] != 4 || lines[4] != 8 {
		t.Errorf("bad rows %+v", bad)
	}
	for i, w := range []string{"no customer has e-mail address", "belongs to 2 customers", "unknown channel", "not a consent value", "not a time"} {
		if i < len(bad) && !strings.Contains(bad[i].Reason, w) {
			t.Errorf("row %d: %q lacks %q", bad[i].Row, bad[i].Reason, w)
		}
	}
	if _, _, _, err := consent.FromRows([]string{"name", "note"}, nil, d, consent.FileOptions{Source: "x"}); err == nil || !strings.Contains(err.Error(), "--key-column") {
		t.Errorf("no key column: %v", err)
	}
	if _, _, _, err := consent.FromRows([]string{"customer_id", "granted"}, nil, d, consent.FileOptions{Source: "x"}); err == nil || !strings.Contains(err.Error(), "--channel") {
		t.Errorf("no channel: %v", err)
	}
	// A column named for one channel's consent gives the channel.
	ch, _, _, err = consent.FromRows([]string{"customer_id", "sms_opt_in"}, [][]string{{"C3", "1"}}, d, consent.FileOptions{Source: "x", DefaultAt: day(1)})
	if err != nil || len(ch) != 1 || ch[0].Channel != storage.SMSConsent || !ch[0].Granted || !ch[0].At.Equal(day(1)) {
		t.Errorf("wide column: %+v %v", ch, err)
	}
}

// An ordinary import records the consent it sets or changes, once.
func TestConsentOrdinaryImportRecordsChanges(t *testing.T) {
	p, err := storage.Create(filepath.Join(t.TempDir(), "i"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	first := writeFile(t, "customers.csv", "customer_id,email,email_consent\nA1,a@x.com,true\nB2,b@x.com,false\nC3,c@x.com,\n")
	res, err := ingest.Import(ctx, p, first, ingest.Options{Table: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ConsentChanges != 2 {
		t.Errorf("first import recorded %d consent changes, want 2 (C3 has none)", res.ConsentChanges)
	}
	second := writeFile(t, "customers-dec.csv", "customer_id,email,email_consent\nA1,a@x.com,false\nB2,b@x.com,false\nC3,c@x.com,true\n")
	res, err = ingest.Import(ctx, p, second, ingest.Options{Table: "customers", Mode: ingest.Replace})
	if err != nil {
		t.Fatal(err)
	}
	if res.ConsentChanges != 2 {
		t.Errorf("second import recorded %d consent changes, want 2 (A1 withdrew, C3 gave)", res.ConsentChanges)
	}
	h, err := consent.History(ctx, p, "A1")
	if err != nil || len(h) != 2 || h[1].Granted || h[1].Source != "import of customers-dec.csv" || !strings.HasPrefix(h[1].Proof, "sha256 ") {
		t.Errorf("A1 history %+v %v", h, err)
	}
}
