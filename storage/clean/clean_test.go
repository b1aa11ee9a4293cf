package clean

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

var ctx = context.Background()

func setup(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	_, err = p.DB().Exec(`CREATE TABLE c AS SELECT * FROM (VALUES
		(1, '  Ann  Lee ', ' ANN@X.COM ', '07700 900123', 10.0, 2, 'UK'),
		(2, 'bob', 'bob@y.org', '+44 7700 900456', NULL, 3, NULL),
		(3, 'Cy', 'ann@x.com', '0044 7700 900789', 30.0, NULL, 'FR'),
		(4, 'Di', 'not-an-email', '12', 1000.0, 1, 'UK')
	) t(id, name, email, phone, spend, qty, country)`)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func values(t *testing.T, p *storage.Project, q string) string {
	t.Helper()
	var s string
	if err := p.DB().QueryRow(q).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSteps(t *testing.T) {
	cases := map[string]struct {
		steps []Step
		query string
		want  string
	}{
		"impute mean":      {[]Step{{Op: "impute", Column: "spend", Method: "mean"}}, `SELECT string_agg(spend::VARCHAR, ',' ORDER BY id) FROM c`, "10.0,346.7,30.0,1000.0"},
		"impute median":    {[]Step{{Op: "impute", Column: "spend", Method: "median"}}, `SELECT string_agg(spend::VARCHAR, ',' ORDER BY id) FROM c`, "10.0,30.0,30.0,1000.0"},
		"impute constant":  {[]Step{{Op: "impute", Column: "country", Method: "constant", Value: "unknown"}}, `SELECT string_agg(country, ',' ORDER BY id) FROM c`, "UK,unknown,FR,UK"},
		"impute mode":      {[]Step{{Op: "impute", Column: "country", Method: "mode"}}, `SELECT string_agg(country, ',' ORDER BY id) FROM c`, "UK,UK,FR,UK"},
		"drop missing":     {[]Step{{Op: "drop_missing", Columns: []string{"spend", "qty"}}}, `SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM c`, "1,4"},
		"trim":             {[]Step{{Op: "trim", Column: "name"}}, `SELECT name FROM c WHERE id = 1`, "Ann Lee"},
		"title case":       {[]Step{{Op: "trim"}, {Op: "case", Column: "name", Method: "title"}}, `SELECT string_agg(name, ',' ORDER BY id) FROM c`, "Ann Lee,Bob,Cy,Di"},
		"normalize email":  {[]Step{{Op: "normalize_email", Column: "email"}}, `SELECT string_agg(coalesce(email, '-'), ',' ORDER BY id) FROM c`, "ann@x.com,bob@y.org,ann@x.com,-"},
		"dedupe by email":  {[]Step{{Op: "dedupe", Column: "email", Method: "email"}}, `SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM c`, "1,2,4"},
		"normalize phone":  {[]Step{{Op: "normalize_phone", Column: "phone", Value: "44"}}, `SELECT string_agg(coalesce(phone, '-'), ',' ORDER BY id) FROM c`, "+447700900123,+447700900456,+447700900789,-"},
		"cast":             {[]Step{{Op: "cast", Column: "qty", Type: "text"}}, `SELECT typeof(qty) FROM c LIMIT 1`, "VARCHAR"},
		"cast misfits":     {[]Step{{Op: "cast", Column: "country", Type: "integer"}}, `SELECT count(country)::VARCHAR FROM c`, "0"},
		"add expression":   {[]Step{{Op: "add", Into: "total", Expr: "spend * qty"}}, `SELECT string_agg(coalesce(total::VARCHAR, '-'), ',' ORDER BY id) FROM c`, "20.0,-,-,1000.0"},
		"zscore":           {[]Step{{Op: "zscore", Column: "qty", Into: "qty_z"}}, `SELECT string_agg(round(qty_z, 4)::VARCHAR, ',' ORDER BY id) FROM c`, "0.0,1.0,-1.0"},
		"minmax":           {[]Step{{Op: "minmax", Column: "spend", Into: "s01"}}, `SELECT string_agg(round(s01, 4)::VARCHAR, ',' ORDER BY id) FROM c`, "0.0,0.0202,1.0"},
		"cap at quantiles": {[]Step{{Op: "cap", Column: "spend", Lower: 0, Upper: 0.5}}, `SELECT max(spend)::VARCHAR FROM c`, "30.0"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := setup(t)
			pv, err := Preview(ctx, p, "c", tc.steps, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := values(t, p, `SELECT count(*)::VARCHAR FROM c`); got != "4" {
				t.Fatal("preview changed the table")
			}
			eff, err := Apply(ctx, p, "c", "r", tc.steps)
			if err != nil {
				t.Fatal(err)
			}
			if len(eff) != len(tc.steps) || (eff[len(eff)-1].Changed == 0 && tc.steps[0].Op != "cast") || len(pv.Effects) != len(eff) || pv.Effects[0].Changed != eff[0].Changed {
				t.Fatalf("effects %+v preview %+v", eff, pv.Effects)
			}
			if got := values(t, p, tc.query); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBadStepsChangeNothing(t *testing.T) {
	p := setup(t)
	for _, steps := range [][]Step{
		{{Op: "impute", Column: "nope", Method: "mean"}},
		{{Op: "impute", Column: "name", Method: "mean"}},
		{{Op: "add", Into: "x", Expr: "spend * 2; DROP TABLE c"}},
		{{Op: "add", Into: "x", Expr: "system('rm -rf /')"}},
		{{Op: "add", Into: "name", Expr: "1"}},
		{{Op: "cast", Column: "qty", Type: "blob; DROP TABLE c"}},
		{{Op: "cap", Column: "spend", Lower: 0.9, Upper: 0.1}},
		{{Op: "trim"}, {Op: "frobnicate"}},
	} {
		if _, err := Apply(ctx, p, "c", "bad", steps); err == nil {
			t.Errorf("%+v was accepted", steps)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
	}
	if got := values(t, p, `SELECT count(*)::VARCHAR || ' ' || count(DISTINCT name)::VARCHAR FROM c`); got != "4 4" {
		t.Fatal("table changed:", got)
	}
	if r, _ := List(ctx, p); len(r) != 0 {
		t.Fatal("bad recipe saved")
	}
	if _, err := Apply(ctx, p, "MB_audit", "", []Step{{Op: "drop_missing"}}); err == nil {
		t.Fatal("a metadata table was cleaned")
	}
}

func TestRecipeRerunOnNextImport(t *testing.T) {
	p := setup(t)
	steps := []Step{{Op: "normalize_email", Column: "email"}, {Op: "dedupe", Column: "email"}, {Op: "add", Into: "value", Expr: "coalesce(spend, 0) * 2"}}
	if _, err := Apply(ctx, p, "c", "tidy", steps); err != nil {
		t.Fatal(err)
	}
	// Next month's table arrives with the same shape; the saved recipe runs again.
	p.DB().Exec(`DROP TABLE c`)
	p.DB().Exec(`CREATE TABLE c AS SELECT 9 AS id, ' X@Y.COM ' AS email, 5.0 AS spend UNION ALL SELECT 10, 'x@y.com', 1.0`)
	r, err := Get(ctx, p, "tidy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, p, r.Table, "", r.Steps); err != nil {
		t.Fatal(err)
	}
	if got := values(t, p, `SELECT string_agg(id || ':' || email || ':' || value, ',') FROM c`); got != "9:x@y.com:10.0" {
		t.Fatal(got)
	}
	log, _ := p.AuditLog(ctx, 5)
	if log[0].Action != "clean" || log[0].RowsBefore.Int64 != 2 || log[0].RowsAfter.Int64 != 1 {
		t.Fatalf("%+v", log[0])
	}
}
