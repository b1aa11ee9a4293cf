package core

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
)

// TestCampaignPreviewRecommendations: a real campaign's preview shows each
// customer's recommended products by name, with links; a customer with
// one recommendation renders rec2_link empty; the editor's field check
// knows the fields.
func TestCampaignPreviewRecommendations(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	// The table as ScoreRecommendations writes it: C002 gets three, every
	// other customer one.
	for _, q := range []string{
		`CREATE TABLE recommendations (customer_id VARCHAR, rank INTEGER, product_id VARCHAR, product_name VARCHAR,
			category VARCHAR, score DOUBLE, reason VARCHAR, link VARCHAR, model VARCHAR, scored_at TIMESTAMP)`,
		`INSERT INTO recommendations SELECT customer_id, 1, 'P1', 'Teapot', 'Kitchen', 0.9, 'best seller', 'https://shop.example/p/P1', 'default', now() FROM customers`,
		`INSERT INTO recommendations VALUES ('C002', 2, 'P2', 'Rake', 'Garden', 0.5, 'because you bought Teapot', 'https://shop.example/p/P2', 'default', now()),
			('C002', 3, 'P3', 'Mug', 'Kitchen', 0.4, 'best seller', 'https://shop.example/p/P3', 'default', now())`,
	} {
		if _, err := w.Project.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	c := spring(sdk.Config{"mode": "ok"})
	c.HoldoutPercent, c.Variants = 0, c.Variants[:1]
	c.Variants[0].Percent = 100
	c.Variants[0].Text = `{{.first_name}}, you may like {{.recommendations}}: {{.rec1_link}}{{if .rec2_link}} and {{.rec2_link}}{{end}}.`
	c.Variants[0].HTML = `<p>{{if .rec1_name}}<a href="{{.rec1_link}}">{{.rec1_name}}</a>{{end}}</p>`
	fields, err := w.MergeFields(ctx, "customers")
	if err != nil {
		t.Fatal(err)
	}
	if probs := CheckVariant(c.Variants[0], fields); len(probs) != 0 {
		t.Fatalf("field check: %v", probs)
	}
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	pv, err := w.PreviewCampaign(ctx, c.Name, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, s := range pv.Samples {
		switch s.CustomerID {
		case "C002":
			seen++
			if s.Text != "Ann2, you may like Teapot, Rake and Mug: https://shop.example/p/P1 and https://shop.example/p/P2." {
				t.Errorf("C002: %q", s.Text)
			}
		case "C004":
			seen++
			if s.Text != "Ann4, you may like Teapot: https://shop.example/p/P1." || s.HTML != `<p><a href="https://shop.example/p/P1">Teapot</a></p>` {
				t.Errorf("C004: %q %q", s.Text, s.HTML)
			}
		}
		if !strings.Contains(s.Text, "Teapot") {
			t.Errorf("%s: %q", s.CustomerID, s.Text)
		}
	}
	if seen != 2 {
		t.Fatalf("samples %+v", pv.Samples)
	}
}
