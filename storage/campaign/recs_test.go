package campaign

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
	"github.com/marketbench/marketbench/storage/segment"
)

// recShop is a project with customers C1..C4 (all with e-mail consent), a
// segment of them all, and recommendations: C1 three, C2 one, C3 none, C4
// four (only the first three are used), ranked out of order.
func recShop(t *testing.T) *storage.Project {
	t.Helper()
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	for _, q := range []string{
		`CREATE TABLE customers AS SELECT * FROM (VALUES ('C1', 'Ann', 'a@x.org', true), ('C2', 'Bo', 'b@x.org', true),
			('C3', 'Cy', 'c@x.org', true), ('C4', 'Di', 'd@x.org', true)) t(id, first_name, email, email_ok)`,
		`CREATE TABLE recommendations (customer_id VARCHAR, rank INTEGER, product_id VARCHAR, product_name VARCHAR,
			category VARCHAR, score DOUBLE, reason VARCHAR, link VARCHAR, model VARCHAR, scored_at TIMESTAMP)`,
		`INSERT INTO recommendations VALUES
			('C1', 2, 'P2', 'Rake', 'Garden', 0.5, 'best seller', 'https://shop.example/p/P2', 'default', now()),
			('C1', 1, 'P1', 'Teapot', 'Kitchen', 0.9, 'because you bought Cups', 'https://shop.example/p/P1', 'default', now()),
			('C1', 3, 'P3', NULL, 'Kitchen', 0.4, 'best seller', 'https://shop.example/p/P3', 'default', now()),
			('C2', 1, 'P1', 'Teapot', 'Kitchen', 0.8, 'best seller', 'https://shop.example/p/P1', 'default', now()),
			('C4', 4, 'P4', 'Hose', 'Garden', 0.1, '', '', 'default', now()),
			('C4', 1, 'P1', 'Teapot', 'Kitchen', 0.7, '', '', 'default', now()),
			('C4', 2, 'P2', 'Rake', 'Garden', 0.6, '', '', 'default', now()),
			('C4', 3, 'P5', 'Mug', 'Kitchen', 0.5, '', '', 'default', now())`,
	} {
		if _, err := p.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID, "first_name": storage.FirstName,
		"email": storage.Email, "email_ok": storage.EmailConsent}, true); err != nil {
		t.Fatal(err)
	}
	n, _ := rule.Parse(`email IS NOT EMPTY`)
	if _, err := segment.Create(ctx, p, "Everyone", "customers", n); err != nil {
		t.Fatal(err)
	}
	return p
}

// render fills a text template for each customer of the audience.
func render(t *testing.T, p *storage.Project, c *Campaign, text string) map[string]string {
	t.Helper()
	rs, err := Audience(context.Background(), p, c)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(Variant{Name: "A", Subject: "Hi {{.first_name}}", Text: text})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		if r.Excluded != "" {
			t.Fatalf("%s excluded: %s", r.CustomerID, r.Excluded)
		}
		m, err := tpl.Render(r.Data)
		if err != nil {
			t.Fatalf("%s: %v", r.CustomerID, err)
		}
		out[r.CustomerID] = m.Text
	}
	return out
}

// TestRecommendationFields: a template can list a customer's top three
// recommendations with names and links; fewer (or none) render empty, not
// an error; the list in words follows the language.
func TestRecommendationFields(t *testing.T) {
	defer i18n.Use(i18n.English)
	p := recShop(t)
	c := &Campaign{Name: "Picks", Segment: "Everyone", Table: "customers", Variants: []Variant{{Name: "A", Percent: 100}}}
	text := `{{.first_name}}: {{.recommendations}}.{{if .rec1_name}} 1 {{.rec1_name}} ({{.rec1_category}}, {{.rec1_reason}}) {{.rec1_link}}{{end}}` +
		`{{if .rec2_link}} 2 {{.rec2_link}}{{end}}|{{.rec3_id}}`
	got := render(t, p, c, text)
	want := map[string]string{
		"C1": "Ann: Teapot, Rake and P3. 1 Teapot (Kitchen, because you bought Cups) https://shop.example/p/P1 2 https://shop.example/p/P2|P3",
		"C2": "Bo: Teapot. 1 Teapot (Kitchen, best seller) https://shop.example/p/P1|",
		"C3": "Cy: .|",
		"C4": "Di: Teapot, Rake and Mug. 1 Teapot (Kitchen, ) |P5",
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s:\n got %q\nwant %q", id, got[id], w)
		}
	}
	i18n.Use(i18n.Chinese)
	if got := render(t, p, c, `{{.recommendations}}`); got["C1"] != "Teapot、Rake和P3" {
		t.Errorf("Chinese list %q", got["C1"])
	}
	fields, err := MergeFields(context.Background(), p, "customers")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"first_name", "rec1_name", "rec2_link", "rec3_category", "recommendations"} {
		if !slices.Contains(fields, f) {
			t.Errorf("merge fields %v lack %s", fields, f)
		}
	}

	// A narrowing rule's arguments reach the recommendations query too.
	c.Rule = `first_name IN ('Bo', 'Di')`
	if got := render(t, p, c, `{{.rec1_id}}`); len(got) != 2 || got["C2"] != "P1" || got["C4"] != "P1" {
		t.Errorf("narrowed %v", got)
	}
}

// TestRecommendationFieldsAbsent: without a recommendations table the
// fields are not offered, and a template using one says to score them.
func TestRecommendationFieldsAbsent(t *testing.T) {
	p := recShop(t)
	if _, err := p.DB().Exec(`DROP TABLE recommendations`); err != nil {
		t.Fatal(err)
	}
	fields, err := MergeFields(context.Background(), p, "customers")
	if err != nil || slices.Contains(fields, "rec1_name") {
		t.Fatalf("fields %v %v", fields, err)
	}
	c := &Campaign{Name: "Picks", Segment: "Everyone", Table: "customers", Variants: []Variant{{Name: "A", Percent: 100}}}
	rs, err := Audience(context.Background(), p, c)
	if err != nil || len(rs) != 4 {
		t.Fatalf("%d %v", len(rs), err)
	}
	tpl, _ := Parse(Variant{Name: "A", Text: `{{.rec1_name}}`})
	if _, err := tpl.Render(rs[0].Data); err == nil || !strings.Contains(err.Error(), "score them first") {
		t.Fatalf("render: %v", err)
	}
}

// TestRecommendationLoopLimit: the loop budget still holds with the
// recommendation fields in the data.
func TestRecommendationLoopLimit(t *testing.T) {
	p := recShop(t)
	rs, err := Audience(context.Background(), p, &Campaign{Name: "x", Segment: "Everyone", Table: "customers", Variants: []Variant{{Name: "A", Percent: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(Variant{Name: "A", Text: `{{range $a := .}}{{range $b := $}}{{range $c := $}}{{range $d := $}}{{end}}{{end}}{{end}}{{end}}`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Render(rs[0].Data); err == nil || !strings.Contains(err.Error(), "loops more than") {
		t.Fatalf("render: %v", err)
	}
}
