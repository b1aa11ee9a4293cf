package core

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/ingest"
)

// The planted person: distinctive enough to search the file's bytes for.
const (
	plantID    = "ZQXERASE77"
	plantEmail = "zelda.erasure.q@example.org"
	plantPhone = "+1 (555) 013-9787"
)

// erasable builds a project where the planted person is in imported
// tables, a derived table, campaign and journey state and the
// suppression list, and exports the customers once.
func erasable(t *testing.T) (*Workspace, string, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w, err := Create(filepath.Join(dir, "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,first_name,email,phone,email_consent\n")
	for i := range 40 {
		fmt.Fprintf(&b, "C%03d,Ann%d,c%03d@example.com,+1 555 000 %04d,true\n", i, i, i, i)
	}
	fmt.Fprintf(&b, "%s,Zelda,%s,%s,true\n", plantID, plantEmail, plantPhone)
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(ctx, csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	// A table keyed by the customer and one that only has the addresses.
	orders := filepath.Join(dir, "orders.csv")
	os.WriteFile(orders, []byte("order_id,customer_id,amount\n1,C001,10\n2,"+plantID+",99.5\n3,"+plantID+",12\n"), 0o644)
	if _, err := w.Import(ctx, orders, ingest.Options{Table: "orders"}); err != nil {
		t.Fatal(err)
	}
	leads := filepath.Join(dir, "leads.csv")
	os.WriteFile(leads, []byte("email,phone,source\nc001@example.com,+1 555 000 0001,fair\n"+strings.ToUpper(plantEmail)+",,web\n,15550139787,call\n"), 0o644)
	if _, err := w.Import(ctx, leads, ingest.Options{Table: "leads"}); err != nil {
		t.Fatal(err)
	}
	roles, _ := w.ColumnRoles(ctx, "leads")
	if roles["email"] != storage.Email || roles["phone"] != storage.Phone {
		t.Fatalf("leads roles: %v", roles)
	}
	for _, q := range []string{
		// Derived tables as RFM, models (scores and clusters), CLV,
		// recommendations and NBA write them: a customer_id column, with
		// or without the role.
		`CREATE TABLE rfm_scores AS SELECT customer_id, 5 AS r_score FROM customers`,
		`CREATE TABLE model_scores AS SELECT customer_id, 0.5 AS churn, 2 AS c3 FROM customers`,
		`CREATE TABLE clv_scores AS SELECT customer_id, 100.0 AS clv FROM customers`,
		`CREATE TABLE recommendations AS SELECT customer_id, 1 AS rank, 'P1' AS product_id FROM customers`,
		`CREATE TABLE nba_plan AS SELECT customer_id, 'Email' AS action FROM customers`,
		`INSERT INTO mb_column_roles VALUES ('model_scores', 'customer_id', 'customer_id', true)`,
		`INSERT INTO mb_segment_members VALUES ('Fixed', '` + plantID + `'), ('Fixed', 'C001')`,
		`INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status) VALUES ('S', '` + plantID + `', 'A', 'k1', 'sent'), ('S', 'C001', 'A', 'k2', 'sent')`,
		`INSERT INTO mb_campaign_events (campaign, customer_id, event) VALUES ('S', '` + plantID + `', 'open'), ('S', 'C001', 'open')`,
		`INSERT INTO mb_journey_entries VALUES ('J', '` + plantID + `', 1, 's1', now(), 'waiting', NULL, now(), now()), ('J', 'C001', 1, 's1', now(), 'waiting', NULL, now(), now())`,
		`INSERT INTO mb_journey_log VALUES ('J', '` + plantID + `', 1, 's1', 'entered', NULL, now()), ('J', 'C001', 1, 's1', 'entered', NULL, now())`,
		`INSERT INTO mb_journey_seen VALUES ('J', 'c:` + plantID + `'), ('J', 'c:C001')`,
		`INSERT INTO mb_customer_tags VALUES ('` + plantID + `', 'vip', 'J', now()), ('C001', 'vip', 'J', now())`,
		// Consent history: the import recorded one event each; a proof
		// that quotes the address must go too.
		`INSERT INTO mb_consent_events VALUES (nextval('mb_seq'), '` + plantID + `', 'email_consent', false, now(), 'unsubscribe link', 'reply from ` + plantEmail + `', now()),
			(nextval('mb_seq'), 'C001', 'email_consent', false, now(), 'unsubscribe link', NULL, now())`,
		`INSERT INTO mb_suppression (kind, value, reason) VALUES ('email', '` + plantEmail + `', 'unsubscribed'), ('phone', '15550139787', 'stop'), ('email', 'c002@example.com', 'unsubscribed')`,
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exported := filepath.Join(dir, "customers-export.csv")
	if _, err := w.Export(ctx, "customers", exported); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "c001-orders.csv")
	if _, err := w.Export(ctx, "sql:SELECT * FROM orders WHERE customer_id = 'C001'", other); err != nil {
		t.Fatal(err)
	}
	return w, csv, exported
}

// planted says which of the planted values the project file (and its
// .wal) holds, byte for byte.
func planted(t *testing.T, path string) []string {
	t.Helper()
	var found []string
	for _, f := range []string{path, path + ".wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, v := range []string{plantID, plantEmail, strings.ToUpper(plantEmail), plantPhone, "15550139787"} {
			if bytes.Contains(b, []byte(v)) {
				found = append(found, filepath.Base(f)+": "+v)
			}
		}
	}
	return found
}

func countRows(t *testing.T, w *Workspace, q string) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestEraseEverywhereAndFromTheBytes(t *testing.T) {
	ctx := context.Background()
	w, _, exported := erasable(t)
	path := w.Path
	// The search can fail: before the erasure the bytes hold them.
	w.Close()
	if got := planted(t, path); len(got) == 0 {
		t.Fatal("the planted values are not in the file before the erasure: the bytes test would prove nothing")
	}
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// By e-mail, spelt differently: resolves to the id, and from the id to
	// the phone.
	rep, err := w.Erase(ctx, Subject{Email: "  Zelda.Erasure.Q@EXAMPLE.org"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 1 || !rep.Rewritten {
		t.Fatalf("report: %+v", rep)
	}
	want := map[string]int64{"customers": 1, "orders": 2, "leads": 2, "clv_scores": 1, "recommendations": 1,
		"rfm_scores": 1, "model_scores": 1, "nba_plan": 1,
		"mb_segment_members": 1, "mb_deliveries": 1, "mb_campaign_events": 1, "mb_journey_entries": 1,
		"mb_journey_log": 1, "mb_journey_seen": 1, "mb_customer_tags": 1, "mb_suppression": 2, "mb_consent_events": 2}
	for table, n := range want {
		if rep.Tables[table] != n {
			t.Errorf("%s: %d rows erased, want %d (all: %v)", table, rep.Tables[table], n, rep.Tables)
		}
	}
	// The others are untouched.
	if n := countRows(t, w, `SELECT count(*) FROM customers`); n != 40 {
		t.Errorf("customers left: %d", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM mb_deliveries`) + countRows(t, w, `SELECT count(*) FROM mb_journey_seen`); n != 2 {
		t.Errorf("other customers' state: %d rows, want 2", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM mb_consent_events`); n != 41 {
		t.Errorf("consent events left: %d, want the other 40 customers' 41", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM mb_suppression`); n != 1 {
		t.Errorf("suppression rows left: %d, want 1", n)
	}
	// The ledger: the table export held them; the query's did not (known
	// not to: it is not listed).
	abs, _ := filepath.Abs(exported)
	if len(rep.Exports) != 1 || rep.Exports[0].Path != abs || rep.Exports[0].Rows != 41 {
		t.Errorf("exports holding them: %+v", rep.Exports)
	}
	// The audit says "erase" and counts, not who.
	var detail string
	w.DB().QueryRow(`SELECT detail FROM mb_audit WHERE action = 'erase'`).Scan(&detail)
	if detail == "" || strings.Contains(strings.ToLower(detail), "zelda") {
		t.Errorf("audit detail: %q", detail)
	}
	w.Close()
	if got := planted(t, path); len(got) > 0 {
		t.Fatalf("erased values still in the file's bytes: %v", got)
	}
}

func TestEraseReimportSkipsAndSendsExclude(t *testing.T) {
	ctx := context.Background()
	w, csv, _ := erasable(t)
	defer func() { w.Close() }()
	// A phone without the country code is another number: nobody is
	// found (its tombstone still keeps it out of later imports).
	if rep, err := w.Erase(ctx, Subject{Phone: "(555) 013 9787"}); err != nil || rep.Customers != 0 || rep.Rows != 0 {
		t.Fatalf("unknown phone: %+v, %v", rep, err)
	}
	rep, err := w.Erase(ctx, Subject{Phone: "1-555-013-9787"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 1 || rep.Tables["customers"] != 1 {
		t.Fatalf("by phone: %+v", rep)
	}
	res, err := w.Import(ctx, csv, ingest.Options{Table: "customers", Mode: ingest.Replace, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.ErasedSkipped != 1 || res.Rows != 40 {
		t.Fatalf("re-import: %d rows, %d erased skipped", res.Rows, res.ErasedSkipped)
	}
	if n := countRows(t, w, `SELECT count(*) FROM customers WHERE customer_id = '`+plantID+`'`); n != 0 {
		t.Fatal("the erased customer came back with the re-import")
	}
	// Rows that reach a table another way are still never sent to.
	if _, err := w.DB().ExecContext(ctx, `INSERT INTO customers VALUES ('X9', 'Zed', '`+plantEmail+`', NULL, true)`); err != nil {
		t.Fatal(err)
	}
	c := &campaign.Campaign{Name: "S", Table: "customers", Fields: []string{"email"}, Variants: []campaign.Variant{{Name: "A", Percent: 100}}}
	recs, err := campaign.AudienceOf(ctx, w.Project, c, `SELECT 'X9' AS customer_id UNION ALL SELECT 'C005'`, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		switch r.CustomerID {
		case "X9":
			if r.Excluded != "erased (right to be forgotten)" {
				t.Errorf("erased e-mail not excluded: %+v", r)
			}
		case "C005":
			if r.Excluded != "" {
				t.Errorf("C005 excluded: %q", r.Excluded)
			}
		}
	}
}

// Free text that names the person cannot be rewritten safely: the erasure
// says where it is, column by column, and nothing else.
func TestEraseNamesTextThatStillMentions(t *testing.T) {
	ctx := context.Background()
	w, _, _ := erasable(t)
	defer w.Close()
	if _, err := w.DB().ExecContext(ctx, `CREATE TABLE notes AS SELECT * FROM (VALUES
		('Called Zelda.Erasure.Q@example.org back', 'fine'),
		('nothing here', 'ring her on 555 013 9787'),
		('about `+plantID+`', 'x'),
		('C001 asked for a refund', 'y')) v(note, memo)`); err != nil {
		t.Fatal(err)
	}
	rep, err := w.Erase(ctx, Subject{CustomerID: plantID})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, m := range rep.Mentions {
		got[m.Table+"."+m.Column] = m.Rows
	}
	want := map[string]int64{"notes.note": 2, "notes.memo": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("mentions: %v, want %v", got, want)
	}
}

// A source plugin's loads skip erased people too: on the first load once
// the new table's roles are known, on later loads in each checkpoint.
func TestSourceImportSkipsErased(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins")
	}
	ctx := context.Background()
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "csv-folder"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	w, err := Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Erase(ctx, Subject{CustomerID: plantID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.EnablePlugin(ctx, "marketbench.org/csv-folder"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "day1.csv"), []byte("customer_id,event\nC001,signup\n"+plantID+",signup\n"), 0o644)
	cfg := sdk.Config{"folder": dir}
	r, err := w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "signups", nil)
	if err != nil || r.Rows != 1 || r.ErasedSkipped != 1 {
		t.Fatalf("first load: %+v %v", r, err)
	}
	os.WriteFile(filepath.Join(dir, "day2.csv"), []byte("customer_id,event\n"+plantID+",open\nC002,signup\n"), 0o644)
	if r, err = w.ImportFromSource(ctx, "marketbench.org/csv-folder", "folder", "events", cfg, "signups", nil); err != nil || r.Rows != 1 || r.ErasedSkipped != 1 {
		t.Fatalf("second load: %+v %v", r, err)
	}
	if n := countRows(t, w, `SELECT count(*) FROM signups WHERE customer_id = '`+plantID+`'`); n != 0 {
		t.Fatalf("%d erased rows came back", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM signups`); n != 2 {
		t.Fatalf("%d rows, want 2", n)
	}
}
