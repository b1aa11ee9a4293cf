package segment

import (
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/rule"
)

// recSchema is the recommendations table as app/core writes it.
const recSchema = `CREATE TABLE recommendations (customer_id VARCHAR, rank INTEGER, product_id VARCHAR, product_name VARCHAR,
	category VARCHAR, score DOUBLE, reason VARCHAR, link VARCHAR, model VARCHAR, scored_at TIMESTAMP)`

// recProject has customers a..e and recommendations: a's first is in
// Kitchen, b's first is in Garden (its second in Kitchen), c's first is
// in Kitchen under rank 1 written after rank 2, d has none, e's are in
// Chinese.
func recProject(t *testing.T) *storage.Project {
	t.Helper()
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT * FROM (VALUES (1, 'UK'), (2, 'UK'), (3, 'FR'), (4, 'UK'), (5, 'CN')) t(id, country)`)
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	exec(t, p, recSchema)
	exec(t, p, `INSERT INTO recommendations VALUES
		('1', 1, 'P1', 'Teapot', 'Kitchen', 0.9, 'because you bought Cups', '', 'default', now()),
		('1', 2, 'P2', 'Rake', 'Garden', 0.5, 'best seller', '', 'default', now()),
		('2', 1, 'P2', 'Rake', 'Garden', 0.8, 'best seller', '', 'default', now()),
		('2', 2, 'P1', 'Teapot', 'Kitchen', 0.7, 'best seller', '', 'default', now()),
		('3', 2, 'P2', 'Rake', 'Garden', 0.2, '', '', 'default', now()),
		('3', 1, 'P3', NULL, 'Kitchen', 0.3, '', '', 'default', now()),
		('5', 1, 'P9', '紫砂茶壶', '厨房用品', 0.6, '因为您买过茶杯', '', 'default', now())`)
	return p
}

func ruleMembers(t *testing.T, p *storage.Project, text string) []string {
	t.Helper()
	n, err := rule.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	q, args, err := RuleIDsSQL(ctx, p, "customers", n)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	rows, err := p.DB().Query(q+` ORDER BY 1`, args...)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// TestTopRecommendationRules: rules select customers by their first
// recommendation (name, id, category, score), in English and Chinese
// values, and the rule editor is offered the fields.
func TestTopRecommendationRules(t *testing.T) {
	p := recProject(t)
	for _, tc := range []struct {
		rule string
		want []string
	}{
		{`top_recommendation_category = 'Kitchen'`, []string{"1", "3"}},
		{`top_recommendation_category = 'Kitchen' AND country = 'UK'`, []string{"1"}},
		{`top_recommendation = 'Rake'`, []string{"2"}},
		{`top_recommendation = 'P3'`, []string{"3"}}, // no name: its id
		{`top_recommendation_id IN ('P1', 'P9')`, []string{"1", "5"}},
		{`top_recommendation_score >= 0.6`, []string{"1", "2", "5"}},
		{`top_recommendation_category IS EMPTY`, []string{"4"}},
		{`top_recommendation_category = '厨房用品'`, []string{"5"}},
		{`top_recommendation CONTAINS '茶壶'`, []string{"5"}},
	} {
		if got := ruleMembers(t, p, tc.rule); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.rule, got, tc.want)
		}
	}
	fields, err := FieldList(ctx, p, "customers")
	if err != nil {
		t.Fatal(err)
	}
	var recs []string
	for _, f := range fields {
		if f.Source == FromRecs {
			recs = append(recs, f.Name)
			if (f.Kind == rule.Number) != (f.Name == "top_recommendation_score") {
				t.Errorf("%s is %v", f.Name, f.Kind)
			}
		}
	}
	if !slices.Equal(recs, []string{"top_recommendation", "top_recommendation_id", "top_recommendation_category", "top_recommendation_score"}) {
		t.Fatalf("fields %v", recs)
	}
	names, _, err := Fields(ctx, p, "customers")
	if err != nil || !slices.Contains(names, "top_recommendation_category") {
		t.Fatalf("Fields %v %v", names, err)
	}
	vals, distinct, err := TopValues(ctx, p, "customers", "top_recommendation_category", 10)
	if err != nil || distinct != 3 || vals[0].Value != "Kitchen" || vals[0].Customers != 2 {
		t.Fatalf("values %+v %d %v", vals, distinct, err)
	}
	// A saved segment on it counts each customer once.
	n, _ := rule.Parse(`top_recommendation_category = 'Kitchen'`)
	if s, err := Create(ctx, p, "kitchen", "customers", n); err != nil || s.Size != 2 {
		t.Fatalf("create %+v %v", s, err)
	}
}

// TestRecommendationsTableHostile: a recommendations table that lacks
// what rules need gives no recommendation fields (and a rule naming one
// says the field is unknown) instead of failing every rule; ranks that are
// not numbers do not stop it.
func TestRecommendationsTableHostile(t *testing.T) {
	p := newProject(t)
	exec(t, p, `CREATE TABLE customers AS SELECT * FROM (VALUES ('a'), ('b')) t(id)`)
	if err := p.SetRoles(ctx, "customers", map[string]storage.Role{"id": storage.CustomerID}, true); err != nil {
		t.Fatal(err)
	}
	exec(t, p, `CREATE TABLE recommendations AS SELECT 'a' AS customer_id, 'P1' AS product_id`)
	names, _, err := Fields(ctx, p, "customers")
	if err != nil || slices.Contains(names, "top_recommendation") {
		t.Fatalf("fields %v %v", names, err)
	}
	n, _ := rule.Parse(`top_recommendation = 'x'`)
	if _, err := Count(ctx, p, "customers", n); err == nil || !strings.Contains(err.Error(), "top_recommendation") {
		t.Fatalf("unknown field: %v", err)
	}
	exec(t, p, `DROP TABLE recommendations`)
	exec(t, p, `CREATE TABLE recommendations AS SELECT * FROM (VALUES ('a', 'first', 'P1'), ('a', '2', 'P2'), ('b', NULL, NULL),
		('c', '9', 'P1'), ('c', '5', 'P4'), ('c', '5', 'P3')) t(Customer_ID, "Rank", product_id)`)
	exec(t, p, `INSERT INTO customers VALUES ('c')`)
	if got := ruleMembers(t, p, `top_recommendation_id = 'P2'`); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("numeric rank first: %v", got)
	}
	// A gap (no rank 1) and a repeated rank: the lowest rank, then the product id.
	if got := ruleMembers(t, p, `top_recommendation_id = 'P3'`); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("gap and repeat: %v", got)
	}
	if got := ruleMembers(t, p, `top_recommendation_category IS EMPTY`); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("no category column: %v", got)
	}
}
