package core

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/storage"
)

// privacyShop is a project of 61 customers (identifiers, age, city,
// postcode, a favourite product) and their orders. Beijing's customers
// all favour tea; one customer lives in Lhasa, alone.
func privacyShop(t *testing.T) *Workspace {
	t.Helper()
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	for _, q := range []string{
		`CREATE TABLE customers AS SELECT i AS row_no, 'C' || i AS customer_id, ' User' || i || '@Example.COM ' AS email,
			'Name' || i AS first_name, 20 + (i % 40) AS age,
			CASE WHEN i = 61 THEN 'Lhasa' WHEN i % 3 = 0 THEN 'Shanghai' WHEN i % 3 = 1 THEN 'Beijing' ELSE 'Shenzhen' END AS city,
			'200' || lpad(CAST(i AS VARCHAR), 3, '0') AS postcode,
			CASE WHEN i % 3 = 1 THEN 'tea' WHEN i % 2 = 0 THEN 'coffee' ELSE 'juice' END AS product
			FROM range(1, 62) t(i)`,
		`CREATE TABLE orders AS SELECT i AS order_id, 'C' || (i % 61 + 1) AS customer_id, 'user' || (i % 61 + 1) || '@example.com' AS email,
			10.0 + i AS amount FROM range(1, 201) t(i)`,
	} {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.SetRoles(ctx, "customers", map[string]storage.Role{"customer_id": storage.CustomerID, "email": storage.Email,
		"first_name": storage.FirstName, "city": storage.City}, true); err != nil {
		t.Fatal(err)
	}
	if err := w.SetRoles(ctx, "orders", map[string]storage.Role{"order_id": storage.OrderID, "customer_id": storage.CustomerID,
		"email": storage.Email, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	return w
}

// readCSV reads an export back as rows by column name.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// classes counts the rows and distinct sensitive values of each class of
// the quasi columns, independently of the SQL that wrote the file.
func classes(rows []map[string]string, quasi []string, sensitive string) (map[string]int, map[string]map[string]bool) {
	n, d := map[string]int{}, map[string]map[string]bool{}
	for _, r := range rows {
		var key []string
		for _, q := range quasi {
			key = append(key, r[q])
		}
		k := strings.Join(key, "\x00")
		n[k]++
		if d[k] == nil {
			d[k] = map[string]bool{}
		}
		d[k][r[sensitive]] = true
	}
	return n, d
}

// An anonymised export drops identifiers, generalises age to 10-year
// bands and postcodes to 3 characters, refuses (writing nothing) while a
// class is below k, and with suppression writes only classes of at least
// k rows, as an independent count of the written file confirms.
func TestAnonymisedExportKAnonymity(t *testing.T) {
	ctx := context.Background()
	w := privacyShop(t)
	out := filepath.Join(t.TempDir(), "anon.csv")
	o := PrivateExport{Anonymise: true, K: 3, Quasi: []string{"city", "age"}}
	_, err := w.ExportPrivate(ctx, "customers", out, o)
	if !errors.Is(err, storage.ErrNotAnonymous) || !strings.Contains(err.Error(), "city=Lhasa, age=40-49 (rows: 1)") {
		t.Fatalf("refusal: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused export wrote its file")
	}
	o.Suppress = true
	rep, err := w.ExportPrivate(ctx, "customers", out, o)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, out)
	if int64(len(rows)) != rep.Rows || rep.Rows+rep.Dropped != 61 || rep.Dropped < 1 {
		t.Errorf("rows %d, report %+v", len(rows), rep)
	}
	for _, c := range []string{"customer_id", "email", "first_name"} {
		if _, ok := rows[0][c]; ok {
			t.Errorf("identifier %s was written", c)
		}
	}
	if strings.Join(rep.Unchecked, ",") != "postcode" {
		t.Errorf("unchecked: %v", rep.Unchecked)
	}
	n, _ := classes(rows, []string{"city", "age"}, "")
	min := len(rows)
	for k, c := range n {
		if c < 3 {
			t.Errorf("class %q has %d rows", k, c)
		}
		min = int(minInt(int64(min), int64(c)))
		if strings.Contains(k, "Lhasa") {
			t.Error("Lhasa's class was written")
		}
	}
	if int64(min) != rep.K || int64(len(n)) != rep.Classes || len(rep.Smallest) == 0 || rep.Smallest[0].Rows != rep.K {
		t.Errorf("k %d, classes %d; report %+v", min, len(n), rep)
	}
	for _, r := range rows {
		lo, err := strconv.Atoi(strings.Split(r["age"], "-")[0])
		if err != nil || lo%10 != 0 || r["age"] != strconv.Itoa(lo)+"-"+strconv.Itoa(lo+9) {
			t.Errorf("age %q is no 10-year band", r["age"])
		}
	}

	// Default quasi-identifiers: city by role, age and postcode by name.
	rep, err = w.ExportPrivate(ctx, "customers", out, PrivateExport{Anonymise: true, K: 2, Suppress: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Quasi, ",") != "age,city,postcode" || rep.Generalised["postcode"] != "first 3 characters" {
		t.Errorf("default quasi: %+v", rep)
	}
	for _, r := range readCSV(t, out) {
		if len(r["postcode"]) != 3 {
			t.Errorf("postcode %q", r["postcode"])
		}
	}
}

func minInt(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

// l-diversity: Beijing's classes all favour tea, so with --sensitive
// product and l = 2 they are refused, or suppressed; every written class
// then has at least 2 products, counted from the file.
func TestAnonymisedExportLDiversity(t *testing.T) {
	ctx := context.Background()
	w := privacyShop(t)
	out := filepath.Join(t.TempDir(), "anon.csv")
	o := PrivateExport{Anonymise: true, K: 2, L: 2, Quasi: []string{"city"}, Sensitive: "product"}
	_, err := w.ExportPrivate(ctx, "customers", out, o)
	if !errors.Is(err, storage.ErrNotAnonymous) || !strings.Contains(err.Error(), "distinct values of product") || !strings.Contains(err.Error(), "city=Beijing") {
		t.Fatalf("refusal: %v", err)
	}
	o.Suppress = true
	rep, err := w.ExportPrivate(ctx, "customers", out, o)
	if err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, out)
	n, d := classes(rows, []string{"city"}, "product")
	for k := range n {
		if n[k] < 2 || len(d[k]) < 2 || k == "Beijing" {
			t.Errorf("class %q: %d rows, %d products", k, n[k], len(d[k]))
		}
	}
	if rep.L < 2 || rep.Dropped != 21 || len(rows) != 40 {
		t.Errorf("report %+v, %d rows", rep, len(rows))
	}
	// The sensitive column cannot be a quasi-identifier; k below 2 is refused.
	if _, err := w.ExportPrivate(ctx, "customers", out, PrivateExport{Anonymise: true, K: 2, L: 2, Quasi: []string{"product"}, Sensitive: "product"}); err == nil {
		t.Error("sensitive as quasi accepted")
	}
	if _, err := w.ExportPrivate(ctx, "customers", out, PrivateExport{Anonymise: true, K: 1}); err == nil {
		t.Error("k = 1 accepted")
	}
	if _, err := w.ExportPrivate(ctx, "customers", out, PrivateExport{Anonymise: true, Pseudonymise: true, K: 2}); err == nil {
		t.Error("both accepted")
	}
}

// Pseudonyms are equal for the same customer in two tables (the e-mail
// address normalised), different for different customers, stable across
// exports, different under another project's key; the lookup file turns
// every pseudonym back into the value it replaced.
func TestPseudonymisedExport(t *testing.T) {
	keyringtest.Start(t)
	ctx := context.Background()
	w := privacyShop(t)
	dir := t.TempDir()
	cust, ord, lookup := filepath.Join(dir, "c.csv"), filepath.Join(dir, "o.csv"), filepath.Join(dir, "lookup.csv")
	rep, err := w.ExportPrivate(ctx, "customers", cust, PrivateExport{Pseudonymise: true, Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Pseudonymised, ",") != "customer_id,email,first_name" {
		t.Errorf("pseudonymised %v", rep.Pseudonymised)
	}
	if _, err := w.ExportPrivate(ctx, "orders", ord, PrivateExport{Pseudonymise: true}); err != nil {
		t.Fatal(err)
	}
	crows, orows := readCSV(t, cust), readCSV(t, ord)
	// By the original customer id (row_no i is customer Ci).
	byID := map[string]map[string]string{}
	seen := map[string]bool{}
	for _, r := range crows {
		id := "C" + r["row_no"]
		byID[id] = r
		if !strings.HasPrefix(r["customer_id"], "p_") || len(r["customer_id"]) != 34 || strings.Contains(r["email"], "@") {
			t.Errorf("row %v", r)
		}
		if seen[r["customer_id"]] || seen[r["email"]] {
			t.Errorf("pseudonym repeated for different customers: %v", r)
		}
		seen[r["customer_id"]], seen[r["email"]] = true, true
	}
	for _, r := range orows {
		i, _ := strconv.Atoi(r["order_id"])
		c := byID["C"+strconv.Itoa(i%61+1)]
		if r["customer_id"] != c["customer_id"] || r["email"] != c["email"] {
			t.Fatalf("order %d: %s %s, customer %s %s", i, r["customer_id"], r["email"], c["customer_id"], c["email"])
		}
	}
	// The lookup file round-trips, and only its owner may read it.
	if st, err := os.Stat(lookup); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("lookup file: %v %v", st, err)
	}
	back := map[string]string{}
	for _, r := range readCSV(t, lookup) {
		back[r["column"]+"|"+r["pseudonym"]] = r["value"]
	}
	var orig = map[string]string{}
	rows, err := w.DB().Query(`SELECT CAST(row_no AS VARCHAR), customer_id, email, first_name FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, id, email, name string
		rows.Scan(&n, &id, &email, &name)
		orig[n+"|customer_id"], orig[n+"|email"], orig[n+"|first_name"] = id, email, name
	}
	rows.Close()
	for _, r := range crows {
		for _, c := range []string{"customer_id", "email", "first_name"} {
			if v := back[c+"|"+r[c]]; v != orig[r["row_no"]+"|"+c] {
				t.Errorf("lookup of %s %s: %q, want %q", c, r[c], v, orig[r["row_no"]+"|"+c])
			}
		}
	}
	// Each export is in the audit log.
	log, err := w.AuditLog(ctx, 5)
	if err != nil || len(log) < 2 || log[0].Action != "export pseudonymised" || log[0].Target != "orders" || log[0].RowsAfter.Int64 != 200 {
		t.Errorf("audit log: %+v %v", log, err)
	}
	// The same key next time; another project has its own.
	again := filepath.Join(dir, "c2.csv")
	if _, err := w.ExportPrivate(ctx, "sql:SELECT * FROM customers", again, PrivateExport{Pseudonymise: true}); err != nil {
		t.Fatal(err)
	}
	other := privacyShop(t)
	elsewhere := filepath.Join(dir, "c3.csv")
	if _, err := other.ExportPrivate(ctx, "customers", elsewhere, PrivateExport{Pseudonymise: true}); err != nil {
		t.Fatal(err)
	}
	same, diff := map[string]string{}, map[string]string{}
	for _, r := range readCSV(t, again) {
		same[r["row_no"]] = r["customer_id"]
	}
	for _, r := range readCSV(t, elsewhere) {
		diff[r["row_no"]] = r["customer_id"]
	}
	for _, r := range crows {
		if same[r["row_no"]] != r["customer_id"] {
			t.Errorf("row %s: %s then %s", r["row_no"], r["customer_id"], same[r["row_no"]])
		}
		if diff[r["row_no"]] == r["customer_id"] {
			t.Errorf("row %s: another project's key gave the same pseudonym", r["row_no"])
		}
	}
}

// Without a keyring, pseudonymisation refuses in words and writes
// nothing; anonymisation needs no key.
func TestPseudonymiseWithoutKeyring(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	ctx := context.Background()
	w := privacyShop(t)
	out := filepath.Join(t.TempDir(), "p.csv")
	_, err := w.ExportPrivate(ctx, "customers", out, PrivateExport{Pseudonymise: true})
	if err == nil || !strings.Contains(err.Error(), "no weaker key is used instead") {
		t.Fatalf("without a keyring: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("the file was written")
	}
	if _, err := w.ExportPrivate(ctx, "customers", out, PrivateExport{Anonymise: true, K: 2, Quasi: []string{"city"}, Suppress: true}); err != nil {
		t.Error(err)
	}
}

// Birth dates keep their year, other dates their month; a phone number
// is pseudonymised without its spaces and dashes, an e-mail address
// trimmed and lower-cased.
func TestGeneraliseDatesAndNormalise(t *testing.T) {
	ctx := context.Background()
	w := privacyShop(t)
	out := filepath.Join(t.TempDir(), "d.csv")
	rep, err := w.ExportPrivate(ctx, "sql:SELECT city, DATE '1990-05-17' + (row_no % 2) * INTERVAL 40 DAY AS birth_date, "+
		"DATE '2024-03-30' + (row_no % 2) * INTERVAL 3 DAY AS visit FROM customers", out,
		PrivateExport{Anonymise: true, K: 2, Quasi: []string{"birth_date", "visit", "city"}, Suppress: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range readCSV(t, out) {
		got[r["birth_date"]+" "+r["visit"]] = true
	}
	if len(got) != 2 || !got["1990 2024-03"] || !got["1990 2024-04"] || rep.Generalised["birth_date"] != "year only" || rep.Generalised["visit"] != "month only" {
		t.Errorf("dates: %v %+v", got, rep.Generalised)
	}
	if storage.NormaliseIdentifier(storage.Phone, " 138-0013 8000 ") != "13800138000" ||
		storage.NormaliseIdentifier(storage.Email, " Ann@Example.COM ") != "ann@example.com" {
		t.Error("normalisation")
	}
}
