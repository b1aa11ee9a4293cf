package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage"
)

// TestRecommendationsInDemoCampaign: the demo project comes with each
// customer's three recommended products (the demo trains and scores the
// default recommender); a campaign's preview shows them by name with
// their links, and a rule on the top recommendation's category selects
// exactly the customers whose first product is in it.
func TestRecommendationsInDemoCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the webhook plugin")
	}
	bundled := filepath.Join(t.TempDir(), "bundled")
	if _, err := host.Bundle("../../plugins", bundled, "webhook"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, bundled)
	t.Setenv(host.DirEnv, t.TempDir())
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")
	p, err := storage.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	var who, first, cat string
	var inCat int
	err = p.DB().QueryRow(`SELECT r.customer_id, r.product_name, r.category, (SELECT count(DISTINCT customer_id) FROM recommendations r2
		WHERE r2.rank = 1 AND r2.category = r.category) FROM recommendations r JOIN customers c ON CAST(c.customer_id AS VARCHAR) = r.customer_id
		WHERE rank = 1 AND lower(CAST(c.email_consent AS VARCHAR)) IN ('true', '1', 'yes') AND c.email LIKE '%@%' ORDER BY r.customer_id LIMIT 1`).Scan(&who, &first, &cat, &inCat)
	p.Close()
	if err != nil {
		t.Fatal(err)
	}

	ok(t, "-p", proj, "plugin", "enable", "marketbench.org/webhook")
	ok(t, "-p", proj, "segment", "create", "Picked", "--table", "customers", "--rule", "customer_id = '"+who+"'")
	ok(t, "-p", proj, "campaign", "create", "Picks", "--segment", "Picked", "--channel", "marketbench.org/webhook/webhook",
		"--config", "url=http://127.0.0.1:9/hook", "--holdout", "0",
		"--variant", "A|100|For you, {{.first_name}}|We picked {{.recommendations}}. {{if .rec1_name}}Start with {{.rec1_name}}: {{.rec1_link}}{{end}}")
	var pv struct {
		Samples []struct {
			CustomerID string `json:"customer_id"`
			Text       string `json:"text"`
		} `json:"samples"`
		Excluded map[string]int `json:"excluded"`
	}
	out := ok(t, "-p", proj, "--json", "campaign", "preview", "Picks")
	if err := json.Unmarshal([]byte(out), &pv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(pv.Excluded) != 0 || len(pv.Samples) != 1 || !strings.Contains(pv.Samples[0].Text, "Start with "+first+": https://shop.example.com/p/") ||
		!strings.HasPrefix(pv.Samples[0].Text, "We picked "+first+", ") || !strings.Contains(pv.Samples[0].Text, " and ") {
		t.Fatalf("preview:\n%s", out)
	}

	var count struct{ Count int }
	json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "segment", "count", "--table", "customers", "--rule", "top_recommendation_category = '"+cat+"'")), &count)
	if count.Count != inCat || inCat == 0 {
		t.Fatalf("top_recommendation_category = %q: %d customers, want %d", cat, count.Count, inCat)
	}
}
