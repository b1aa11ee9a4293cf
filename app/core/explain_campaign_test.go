package core

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
)

// A campaign sent through a real channel plugin, its results imported,
// then explained: the facts are the results screen's own figures, a text
// quoting them passes, an invented figure is marked after one retry, and
// no prompt holds a customer's address.
func TestExplainCampaignAfterASend(t *testing.T) {
	ctx := context.Background()
	w := shop(t, filepath.Join(t.TempDir(), "p.mbproj"))
	defer w.Close()
	c := spring(sdk.Config{"mode": "ok"})
	if err := w.SaveCampaign(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	if _, err := w.SendCampaign(ctx, c.Name, SendOptions{Mode: campaign.Live}, nil); err != nil {
		t.Fatal(err)
	}
	// Conversions for the first eight customers who were sent something.
	rows, err := w.DB().QueryContext(ctx, `SELECT customer_id FROM mb_deliveries WHERE campaign = ? AND status = 'sent' ORDER BY customer_id LIMIT 8`, c.Name)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("customer_id,event,value\n")
	for rows.Next() {
		var id string
		rows.Scan(&id)
		fmt.Fprintf(&b, "%s,conversion,25\n", id)
	}
	rows.Close()
	results := filepath.Join(t.TempDir(), "results.csv")
	os.WriteFile(results, []byte(b.String()), 0o644)
	if _, err := w.ImportCampaignResults(ctx, c.Name, results); err != nil {
		t.Fatal(err)
	}
	res, err := w.CampaignResults(ctx, c.Name, 0)
	if err != nil {
		t.Fatal(err)
	}
	var groupA int64 = -1
	for _, g := range res.Groups {
		if g.Group == "A" {
			groupA = g.N
		}
	}
	if groupA <= 0 {
		t.Fatalf("no group A in %+v", res.Groups)
	}

	s := ollamatest.New(t)
	s.Otherwise(fmt.Sprintf("Spring sale reached %d customers in variant A.", groupA))
	ex, err := w.ExplainResults(ctx, ExplainRequest{Kind: "campaign", Name: c.Name, URL: s.URL, Model: "llama3.2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Unverified) != 0 || ex.Retried {
		t.Errorf("a text quoting the results was not accepted: %+v", ex)
	}
	if got := factText(t, ex.Facts, "Customers in group A"); got != fmt.Sprint(groupA) {
		t.Errorf("facts say %q customers in A, the results %d", got, groupA)
	}

	s2 := ollamatest.New(t)
	s2.Otherwise("Spring sale converted 87.5% of variant A.")
	ex, err = w.ExplainResults(ctx, ExplainRequest{Kind: "campaign", Name: c.Name, URL: s2.URL, Model: "llama3.2"})
	if err != nil {
		t.Fatal(err)
	}
	if !ex.Retried || len(ex.Unverified) != 1 || !strings.Contains(ex.Text, "⚠") {
		t.Errorf("an invented rate was not retried and marked: %+v", ex)
	}
	for _, r := range append(s.Requests(), s2.Requests()...) {
		if strings.Contains(r.All, "@example.com") || strings.Contains(r.All, "Ann1") {
			t.Fatalf("a prompt holds a customer's data: %q", r.All)
		}
	}
}
