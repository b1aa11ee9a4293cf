package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2/test"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/segment"
)

// rfmWorkspace is a project with four customers' orders. As of 2024-04-01:
// A 1 day, 3 orders, 300; B 31 days, 1, 50; C 61 days, 2, 20; D 91 days, 1,
// 10 (means 46, 1.75, 95; medians 46, 1.5, 35).
func rfmWorkspace(t *testing.T) *core.Workspace {
	t.Helper()
	ws, err := core.Create(filepath.Join(t.TempDir(), "shop"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Project.DB().Exec(`CREATE TABLE orders AS SELECT * FROM (VALUES
		(1, 'A', DATE '2024-01-01', 100.0), (2, 'A', DATE '2024-02-01', 100.0), (3, 'A', DATE '2024-03-31', 100.0),
		(4, 'B', DATE '2024-03-01', 50.0), (5, 'C', DATE '2024-01-01', 10.0), (6, 'C', DATE '2024-01-31', 10.0),
		(7, 'D', DATE '2024-01-01', 10.0)) t(order_id, customer_id, order_date, amount)`); err != nil {
		t.Fatal(err)
	}
	if err := ws.Project.SetRoles(context.Background(), "orders", map[string]storage.Role{"order_id": storage.OrderID,
		"customer_id": storage.CustomerID, "order_date": storage.OrderDate, "amount": storage.Amount}, true); err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestRFMEightTypesScheme: the Segments screen offers the eight customer
// types by mean and by median, and running them fills the summary with
// the Chinese type names, worked by hand.
func TestRFMEightTypesScheme(t *testing.T) {
	_, p := open(t, rfmWorkspace(t))
	p.goTo("Segments")
	idle(t, p)
	s := p.segments
	for label, want := range map[string][]string{
		"8 customer types, vs the mean":   {"重要价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"},
		"8 customer types, vs the median": {"重要价值客户", "重要发展客户", "一般保持客户", "一般挽留客户"},
	} {
		if !slices.Contains(s.schemeSel.Options, label) {
			t.Fatalf("schemes offered: %v", s.schemeSel.Options)
		}
		s.schemeSel.SetSelected(label)
		s.asOf.SetText("2024-04-01")
		test.Tap(s.runBtn)
		idle(t, p)
		note := map[bool]string{true: "frequency over 1.75 orders, monetary over 95 ", false: "frequency over 1.5 orders, monetary over 35 "}[strings.HasSuffix(label, "mean")]
		if !strings.HasPrefix(s.rfmInfo.Text, "Scored 4 customers") || !strings.Contains(s.rfmInfo.Text, label) || !strings.Contains(s.rfmInfo.Text, note) {
			t.Fatalf("%s: RFM info %q", label, s.rfmInfo.Text)
		}
		var got []string
		for _, r := range s.summary.rows {
			if r[1] == "rfm" {
				got = append(got, r[0])
			}
		}
		// The summary lists the types in scheme order.
		if !slices.Equal(got, want) {
			t.Errorf("%s: summary %v, want %v", label, got, want)
		}
	}
}

// Every built-in scheme's title and segment names have a Chinese
// translation: analytics/rfm cannot use the catalogue, so the screen and
// the charts translate them when they show them.
func TestRFMSchemesTranslated(t *testing.T) {
	i18n.Use(i18n.Chinese)
	defer i18n.Use(i18n.English)
	for _, sc := range core.RFMSchemes() {
		names := []string{sc.Title}
		if sc.Other != "" {
			names = append(names, sc.Other)
		}
		for _, r := range sc.Rules {
			names = append(names, r.Segment)
		}
		for _, n := range names {
			if !i18n.Has(n) && !hasHan(n) {
				t.Errorf("scheme %s: %q has no Chinese translation", sc.Name, n)
			}
		}
	}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// In Chinese the Segments screen offers the schemes by their Chinese
// titles, and shows the classic segments, the summary's headings and the
// charts in Chinese; the segments keep their English names in the project.
func TestRFMSegmentsInChinese(t *testing.T) {
	i18n.Use(i18n.Chinese)
	defer i18n.Use(i18n.English)
	_, p := open(t, rfmWorkspace(t))
	s := p.segments
	s.shown()
	idle(t, p)
	if !slices.Contains(s.schemeSel.Options, "经典 RFM 分群") {
		t.Fatalf("schemes offered: %v", s.schemeSel.Options)
	}
	s.schemeSel.SetSelected("经典 RFM 分群")
	s.asOf.SetText("2024-04-01")
	test.Tap(s.runBtn)
	idle(t, p)
	if !strings.HasPrefix(s.rfmInfo.Text, "已为 orders 中的 4 位客户评分，截至 2024年4月1日，使用经典 RFM 分群") {
		t.Errorf("RFM info %q", s.rfmInfo.Text)
	}
	if s.summary.cols[0] != "分群" || s.summary.cols[len(s.summary.cols)-1] != "距上次消费（天）" {
		t.Errorf("summary headings %q", s.summary.cols)
	}
	var names []string
	for _, r := range s.summary.rows {
		if r[1] != "RFM" {
			t.Errorf("row %q: kind %q, want RFM", r[0], r[1])
		}
		names = append(names, r[0])
	}
	if !slices.Contains(names, "冠军客户") {
		t.Errorf("summary names %q, want 冠军客户 among them", names)
	}
	sums, err := p.ws.Segments(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(sums, func(x segment.Summary) bool { return x.Name == "Champions" }) {
		t.Errorf("stored segments %v: the names must stay English", sums)
	}
	pl, err := p.ws.Chart(p.ctx, core.ChartSpec{Kind: core.ChartSegmentSize})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range pl.Y.Tick.Marker.Ticks(pl.Y.Min, pl.Y.Max) {
		labels = append(labels, tk.Label)
	}
	if pl.Title.Text != "各 RFM 分群客户数" || pl.X.Label.Text != "客户（占已评分客户的比例）" || !slices.Contains(labels, "冠军客户") {
		t.Errorf("chart %q, axis %q, bars %q", pl.Title.Text, pl.X.Label.Text, labels)
	}
}
