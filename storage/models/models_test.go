package models

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
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

func importCSV(t *testing.T, p *storage.Project, table, content string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), table+".csv")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Import(ctx, p, f, ingest.Options{Table: table}); err != nil {
		t.Fatal(err)
	}
}

// Telco: the feature picker skips the id, keeps TotalCharges as a number
// (blank for 11 new customers) and the plan columns as categories.
func TestTelcoFeaturesAndLoad(t *testing.T) {
	p := newProject(t)
	if _, err := ingest.Import(ctx, p, "../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv", ingest.Options{Table: "telco"}); err != nil {
		t.Fatal(err)
	}
	num, cat, err := Features(ctx, p, "telco", "Churn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(num, "TotalCharges") || !slices.Contains(num, "tenure") || !slices.Contains(cat, "Contract") {
		t.Fatalf("numeric %v categorical %v", num, cat)
	}
	if slices.Contains(append(num, cat...), "customerID") || slices.Contains(append(num, cat...), "Churn") {
		t.Fatalf("id or target picked as a feature: %v %v", num, cat)
	}
	if _, _, err := Features(ctx, p, "telco", "Churn", []string{"customerID"}); err == nil || !strings.Contains(err.Error(), "identifier") {
		t.Errorf("customerID as a feature: %v", err)
	}
	if _, _, err := Features(ctx, p, "telco", "Churn", []string{"nope"}); err == nil || !strings.Contains(err.Error(), `no column "nope"`) {
		t.Errorf("unknown feature: %v", err)
	}
	spec := model.Spec{Algo: model.LogReg, Target: "Churn", Numeric: num, Categorical: cat}
	rows, err := Load(ctx, p, Source{Table: "telco"}, spec, true)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Data.Rows() != 7043 || len(rows.Data.Target) != 7043 {
		t.Fatalf("%d rows", rows.Data.Rows())
	}
	j := slices.Index(num, "TotalCharges")
	missing, yes := 0, 0
	for i := range 7043 {
		if math.IsNaN(rows.Data.Num.At(i, j)) {
			missing++
		}
		if rows.Data.Target[i] == "Yes" || rows.Data.Target[i] == "true" {
			yes++
		}
	}
	if missing != 11 || yes != 1869 {
		t.Errorf("%d missing TotalCharges (want 11), %d churners (want 1869)", missing, yes)
	}
	m, err := model.Train(ctx, rows.Data, spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published results for this data set put logistic regression's AUC
	// around 0.84.
	if m.Eval.AUC < 0.82 || m.Eval.AUC > 0.88 {
		t.Errorf("Telco logistic AUC %v", m.Eval.AUC)
	}
}

const orders = `order_id,customer_id,order_date,amount
1,a,2024-01-05,10
2,a,2024-03-01,20
3,b,2024-01-10,15
4,b,2024-05-02,30
5,c,2024-02-01,5
6,d,2024-04-20,8
7,a,2024-06-10,12
8,e,2024-05-15,-3
`

func TestBuildTarget(t *testing.T) {
	p := newProject(t)
	importCSV(t, p, "orders", orders)
	importCSV(t, p, "customers", "customer_id,plan,age\na,gold,30\nb,silver,40\nc,gold,50\nd,bronze,60\n")
	// Cut-off 2024-03-31, 60 days: a (last 03-01, buys 06-10: outside), b
	// (buys 05-02: inside), c (nothing after). d and e start later.
	b, err := BuildTarget(ctx, p, Target{Kind: Churn, Cutoff: "2024-03-31", Days: 60}, "churn_t")
	if err != nil {
		t.Fatal(err)
	}
	if b.Customers != 3 || b.Positives != 2 || b.Target.Customers != "customers" || !slices.Contains(b.Features, "plan") {
		t.Fatalf("built %+v", b)
	}
	rows, err := p.DB().Query(`SELECT customer_id, recency_days, orders, revenue, tenure_days, churned, plan FROM churn_t ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, churned, plan string
		var rec, n, tenure int
		var rev float64
		rows.Scan(&id, &rec, &n, &rev, &tenure, &churned, &plan)
		got = append(got, strings.Join([]string{id, itoa(rec), itoa(n), ftoa(rev), itoa(tenure), churned, plan}, " "))
	}
	want := []string{"a 30 2 30 86 yes gold", "b 81 1 15 81 no silver", "c 59 1 5 59 yes gold"}
	if !slices.Equal(got, want) {
		t.Fatalf("rows\n%v\nwant\n%v", got, want)
	}
	// Purchase is the opposite outcome; rebuilding a target table is allowed.
	b, err = BuildTarget(ctx, p, Target{Kind: Purchase, Cutoff: "2024-03-31", Days: 60}, "churn_t")
	if err != nil || b.Positives != 1 {
		t.Fatalf("purchase: %+v %v", b, err)
	}
	for _, c := range []struct {
		t    Target
		out  string
		want string
	}{
		{Target{Kind: "upsell"}, "x", "unknown target"},
		{Target{Kind: Churn, Cutoff: "2024-06-01", Days: 60}, "x", "are not all in the data"},
		{Target{Kind: Churn, Cutoff: "2023-12-01", Days: 30}, "x", "no history"},
		{Target{Kind: Churn, Cutoff: "31/03/2024"}, "x", "YYYY-MM-DD"},
		{Target{Kind: Churn, Cutoff: "2024-03-31", Days: 30}, "customers", "already exists"},
		{Target{Kind: Churn, Cutoff: "2024-03-31", Days: 30}, "mb_x", "reserved"},
	} {
		_, err := BuildTarget(ctx, p, c.t, c.out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v → %s: %v, want %q", c.t, c.out, err, c.want)
		}
	}
	// Today's features: every customer with an order, as of the last one.
	tmp, asOf, err := CurrentFeatures(ctx, p, b.Target)
	if err != nil || asOf != "2024-06-10" {
		t.Fatalf("current features %q %q %v", tmp, asOf, err)
	}
	var n int
	p.DB().QueryRow(`SELECT count(*) FROM ` + tmp).Scan(&n)
	if n != 5 {
		t.Errorf("%d customers today, want 5", n)
	}
}

func itoa(i int) string     { return strconv.Itoa(i) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Scores land in model_scores per customer, replace the previous run's,
// survive awkward ids and store NaN as NULL.
func TestWriteColumn(t *testing.T) {
	p := newProject(t)
	ids := []string{"a", `b,"x"`, "c", "a"}
	if err := WriteColumn(ctx, p, "score_m", ids, []float64{0.1, 0.2, math.NaN(), 0.1}, "score", ""); err != nil {
		t.Fatal(err)
	}
	if err := WriteColumn(ctx, p, "cluster_k", []string{"a", "d"}, []float64{1, 2}, "cluster", ""); err != nil {
		t.Fatal(err)
	}
	if err := WriteColumn(ctx, p, "score_m", []string{"a", `b,"x"`}, []float64{0.5, 0.6}, "score", ""); err != nil {
		t.Fatal(err)
	}
	rows, err := p.DB().Query(`SELECT customer_id, score_m, cluster_k FROM model_scores ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id string
		var s, c *float64
		rows.Scan(&id, &s, &c)
		got = append(got, id+" "+ptr(s)+" "+ptr(c))
	}
	want := []string{"a 0.5 1", `b,"x" 0.6 -`, "c - -", "d - 2"}
	if !slices.Equal(got, want) {
		t.Fatalf("model_scores\n%v\nwant\n%v", got, want)
	}
	if err := storage.Reserved("model_scores"); err == nil {
		t.Error("model_scores is not reserved")
	}
}

func ptr(f *float64) string {
	if f == nil {
		return "-"
	}
	return ftoa(*f)
}

// Derived text columns never overwrite a column of the user's own.
func TestSetRowColumns(t *testing.T) {
	p := newProject(t)
	importCSV(t, p, "reviews", "id,text,text_sentiment\n1,good,mine\n2,bad,mine\n")
	err := SetRowColumns(ctx, p, "reviews", []int64{0, 1}, []RowValues{{Name: "text_sentiment", Num: []float64{1, 0}}}, "sentiment", "")
	if err == nil || !strings.Contains(err.Error(), "of its own") {
		t.Fatalf("overwrote the user's column: %v", err)
	}
	vals := []RowValues{{Name: "text_score", Num: []float64{0.9, math.NaN()}}, {Name: "text_label", Text: []string{"pos, \"really\"", ""}}}
	for range 2 { // the second run replaces the first
		if err := SetRowColumns(ctx, p, "reviews", []int64{0, 1}, vals, "sentiment", ""); err != nil {
			t.Fatal(err)
		}
	}
	var s *float64
	var l *string
	var mine string
	p.DB().QueryRow(`SELECT text_score, text_label, text_sentiment FROM reviews WHERE id = 1`).Scan(&s, &l, &mine)
	if s == nil || *s != 0.9 || l == nil || *l != `pos, "really"` || mine != "mine" {
		t.Fatalf("row 1: %v %v %q", s, l, mine)
	}
	p.DB().QueryRow(`SELECT text_score, text_label FROM reviews WHERE id = 2`).Scan(&s, &l)
	if s != nil || l != nil {
		t.Fatalf("row 2 should be NULL: %v %v", s, l)
	}
}

func TestStore(t *testing.T) {
	p := newProject(t)
	r := Record{Name: "churn", Kind: Predictive, Algo: "logreg", Target: "y", Source: Source{Table: "t"}, Spec: []byte(`{}`), Eval: []byte(`{}`)}
	if err := Save(ctx, p, r, []byte{1, 2, 3}, false); err != nil {
		t.Fatal(err)
	}
	if err := Save(ctx, p, r, []byte{1}, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate: %v", err)
	}
	r.Name = "bad name;"
	if err := Save(ctx, p, r, nil, false); err == nil {
		t.Error("bad name accepted")
	}
	got, art, err := Get(ctx, p, "CHURN")
	if err != nil || got.Name != "churn" || len(art) != 3 {
		t.Fatalf("get: %+v %v %v", got, art, err)
	}
	if err := WriteColumn(ctx, p, ScoreColumn("churn"), []string{"a"}, []float64{1}, "score", ""); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, p, "churn"); err != nil {
		t.Fatal(err)
	}
	if l, _ := List(ctx, p, ""); len(l) != 0 {
		t.Errorf("list after delete: %v", l)
	}
	cols, _ := p.Columns(ctx, ScoresTable)
	for _, c := range cols {
		if c.Name == "score_churn" {
			t.Error("scores outlived their model")
		}
	}
}
