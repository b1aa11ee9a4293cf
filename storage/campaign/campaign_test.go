package campaign

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

func TestAssignFollowsTheSplit(t *testing.T) {
	c := &Campaign{Name: "x", HoldoutPercent: 10, Variants: []Variant{{Name: "A", Percent: 70}, {Name: "B", Percent: 30}}}
	n := 100_000
	got := map[string]int{}
	for i := range n {
		got[c.Assign(fmt.Sprintf("C%06d", i))]++
	}
	want := map[string]float64{Holdout: 0.10, "A": 0.63, "B": 0.27}
	for g, p := range want {
		share := float64(got[g]) / float64(n)
		// 5 standard errors of a binomial share.
		if tol := 5 * math.Sqrt(p*(1-p)/float64(n)); math.Abs(share-p) > tol {
			t.Errorf("%s: %.4f of customers, want %.2f ± %.4f", g, share, p, tol)
		}
	}
	if c.Assign("C000001") != c.Assign("C000001") || IdempotencyKey("x", "a") != IdempotencyKey("x", "a") || IdempotencyKey("x", "a") == IdempotencyKey("y", "a") {
		t.Error("assignment or keys are not stable")
	}
}

func TestValidate(t *testing.T) {
	ok := Campaign{Name: "Spring", Segment: "S", Plugin: "p", Component: "c", Variants: []Variant{{Name: "A", Percent: 100, Text: "hi"}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		edit func(*Campaign)
		want string
	}{
		{func(c *Campaign) { c.Variants[0].Percent = 90 }, "add up to 90%"},
		{func(c *Campaign) { c.Variants = append(c.Variants, Variant{Name: "a", Percent: 0, Text: "x"}) }, "two variants"},
		{func(c *Campaign) { c.Variants[0].Name = "holdout" }, "not allowed"},
		{func(c *Campaign) { c.HoldoutPercent = 100 }, "holdout"},
		{func(c *Campaign) { c.Segment = "" }, "audience"},
		{func(c *Campaign) { c.Variants[0].Text = " " }, "no message"},
	} {
		cc := ok
		cc.Variants = append([]Variant(nil), ok.Variants...)
		c.edit(&cc)
		if err := cc.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %v", c.want, err)
		}
	}
}

// HTML bodies escape customer data; a field nobody has is named.
func TestRender(t *testing.T) {
	tpl, err := Parse(Variant{Name: "A", Subject: "Hi {{.first_name}}", Text: "Hello {{.first_name}}", HTML: "<p>Hello {{.first_name}}</p>"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tpl.Render(map[string]string{"first_name": `<b>Ann</b> & "co"`})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTML != "<p>Hello &lt;b&gt;Ann&lt;/b&gt; &amp; &#34;co&#34;</p>" || c.Text != `Hello <b>Ann</b> & "co"` {
		t.Errorf("rendered %+v", c)
	}
	if _, err := tpl.Render(map[string]string{}); err == nil || !strings.Contains(err.Error(), `no field "first_name"`) {
		t.Errorf("missing field: %v", err)
	}
	if _, err := Parse(Variant{Name: "B", Text: "Hello {{.first_name"}); err == nil || !strings.Contains(err.Error(), "variant B, text") {
		t.Errorf("bad template: %v", err)
	}
}

func TestImportEventsErrors(t *testing.T) {
	ctx := context.Background()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p"+storage.Ext))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	f := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(f, []byte("customer_id,event\nC1,open\nC2,purchase\n"), 0o644)
	if _, err := ImportEvents(ctx, p, "x", f); err == nil || !strings.Contains(err.Error(), `line 3: unknown event "purchase"`) {
		t.Errorf("unknown event: %v", err)
	}
	os.WriteFile(f, []byte("who,what\nC1,open\n"), 0o644)
	if _, err := ImportEvents(ctx, p, "x", f); err == nil || !strings.Contains(err.Error(), "needs an event column") {
		t.Errorf("missing columns: %v", err)
	}
}
