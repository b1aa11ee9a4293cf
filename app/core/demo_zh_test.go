package core

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/models"
)

// The whole headless demo in Chinese, on a smaller data set so the test
// stays quick: Chinese data imported with province and city roles, RFM with
// the eight Chinese customer types, the Chinese example segments, charts,
// exports, a churn model, sentiment and the campaign to 重要价值客户.
func TestChineseDemo(t *testing.T) {
	ctx := context.Background()
	bundledDemoPlugins(t)
	dir := t.TempDir()
	res, err := RunDemo(ctx, dir, DemoOptions{Locale: "zh-CN", Customers: 4000, Orders: 40000, Products: 200}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, want := range []string{"| customers | 4000 |", "| orders | 40000 |", "重要价值客户", "一般挽留客户", "同意营销的重要价值客户",
		"流失的高消费客户", "近期App买家", "## Churn model", "## Review sentiment", `"感谢重要价值客户" to the 重要价值客户 segment`,
		`"新客欢迎" welcomes first-time buyers`, `"重要挽留客户召回" takes in the customers of the RFM segment 重要挽留客户`} {
		if !strings.Contains(res.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.Summary)
		}
	}
	w, err := Open(res.Project)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The win-back sent its Chinese offers to the outbox.
	lines := outboxLines(t, filepath.Join(dir, "demo-outbox", "outbox.jsonl"))
	if len(lines) == 0 {
		t.Error("the win-back sent nothing to the outbox")
	}
	for _, l := range lines {
		if l["campaign"] != "重要挽留客户召回 › offer" || !strings.Contains(l["text"], "您好") {
			t.Fatalf("outbox line %v", l)
		}
	}
	// Amounts are in yuan: the project says so and the summary shows it.
	if w.Currency(ctx) != "CNY" || !strings.Contains(res.Summary, "| ¥") {
		t.Errorf("currency %s; summary:\n%s", w.Currency(ctx), res.Summary)
	}
	roles, err := w.Project.ColumnRoles(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	if roles["province"] != storage.Region || roles["city"] != storage.City || roles["phone"] != storage.Phone {
		t.Errorf("customer roles %v", roles)
	}
	// Detection agrees with the roles the demo states: by name, and by
	// content when the names say nothing.
	if _, err := w.Project.DB().Exec(`CREATE TABLE places AS SELECT province AS a, city AS b, phone AS c FROM customers`); err != nil {
		t.Fatal(err)
	}
	got, err := w.Project.DetectRoles(ctx, "places")
	if err != nil {
		t.Fatal(err)
	}
	if got["a"] != storage.Region || got["b"] != storage.City || got["c"] != storage.Phone {
		t.Errorf("roles by content: %v", got)
	}
	// Every generated province and city is one role detection knows.
	rows, err := w.Project.DB().Query(`SELECT DISTINCT province, coalesce(city, '') FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p, c string
		rows.Scan(&p, &c)
		if _, ok := storage.ChineseProvince(p); !ok {
			t.Errorf("province %q unknown to detection", p)
		}
		if _, ok := storage.ChineseCity(c); c != "" && !ok {
			t.Errorf("city %q unknown to detection", c)
		}
	}
	rows.Close()
	sums, err := w.Segments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	size := map[string]int{}
	for _, s := range sums {
		size[s.Name] = int(s.Size)
	}
	if size["重要价值客户"] < 400 || size["一般挽留客户"] < 400 || size["近期App买家"] < 400 || size["流失的高消费客户"] == 0 || size["Champions"] != 0 {
		t.Errorf("segment sizes %v", size)
	}
	// A second model trains on the Chinese data; recency still predicts churn.
	tr, err := w.Train(ctx, TrainRequest{Target: &models.Target{Kind: models.Churn, Days: 90}, Spec: model.Spec{Algo: model.Forest, Seed: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Eval.AUC < 0.65 || !strings.Contains(strings.Join(tr.Spec.Features(), ","), "province") {
		t.Errorf("churn forest AUC %.3f, features %v", tr.Eval.AUC, tr.Spec.Features())
	}
	// The classic scheme runs on the same data too.
	run, err := w.RFM(ctx, "orders", "rfm", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if run.Customers < 3000 {
		t.Errorf("classic RFM scored %d customers", run.Customers)
	}
}

func TestDemoLocaleRefused(t *testing.T) {
	_, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "x.mbproj"), DemoOptions{Locale: "fr"}, nil)
	if err == nil || !strings.Contains(err.Error(), "zh-CN") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "x.mbproj")); err == nil {
		t.Error("a refused demo left a project behind")
	}
}

// ID numbers of either generation are personal data: copy never gets them
// as a field, while the province beside them is offered.
func TestIDNumbersAreNoCopyField(t *testing.T) {
	ctx := context.Background()
	w, err := Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	csv := filepath.Join(t.TempDir(), "customers.csv")
	data := "customer_id,first_name,id_no,province\n" +
		"C1,伟,310104850110200,广东\nC2,芳,11010519491231002X,广东省\nC3,娜,440305820820182,北京\n"
	if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := w.Import(ctx, csv, ingest.Options{Table: "customers"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Roles["id_no"] != storage.NationalID || res.Roles["province"] != storage.Region {
		t.Fatalf("roles %v", res.Roles)
	}
	fields, err := w.personalFields(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(fields, "id_no") || !slices.Contains(fields, "province") || !slices.Contains(fields, "first_name") {
		t.Errorf("copy fields %v", fields)
	}
}
