package campaign

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	if IdempotencyKey("x", "a") == IdempotencyKey("y", "a") {
		t.Error("two campaigns share a key")
	}
}

// TestAssignAndKeysPinned: a customer's group and key must never change
// between versions (a resumed campaign would reassign customers and send
// them twice). The expected values were computed independently, with
// Python's hashlib from the documented rule (SHA-256 of name NUL id; the
// first 8 bytes, >> 11, / 2^53 × 100, against the cumulative percentages
// after the holdout):
//
//	u = (int.from_bytes(sha256(b"Spring\0" + id).digest()[:8], "big") >> 11) / 2**53 * 100
func TestAssignAndKeysPinned(t *testing.T) {
	c := &Campaign{Name: "Spring", HoldoutPercent: 10, Variants: []Variant{{Name: "A", Percent: 70}, {Name: "B", Percent: 30}}}
	want := strings.Fields("A A holdout holdout holdout A A A A holdout A A A A B A A A holdout A A A A holdout")
	for i, w := range want {
		if got := c.Assign(fmt.Sprintf("C%06d", i)); got != w {
			t.Errorf("C%06d: %s, want %s", i, got, w)
		}
	}
	if got, want := IdempotencyKey("Spring", "C000001"), "mb-29516c314bf1aa8d5fc4a542"; got != want {
		t.Errorf("key %s, want %s", got, want)
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

// A template cannot fill the memory or stall the app: nested loops, a
// loop that writes nothing, a huge printf width and a message over the
// size cap are each refused with a reason, quickly.
func TestRenderLimits(t *testing.T) {
	data := map[string]string{"first_name": "Ann", "a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10"}
	for _, c := range []struct{ name, text, html, want string }{
		{"nested ranges writing", `{{range .}}{{range $}}{{range $}}{{range $}}{{range $}}{{range $}}{{range $}}{{range $}}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}`, "", "over 64 KB"},
		{"loops writing nothing", `{{range 1000000000}}{{range 1000000000}}{{end}}{{end}}`, "", "loops more than"},
		{"loops in a defined template", `{{define "x"}}{{range 1000000000}}{{end}}{{end}}{{template "x"}}`, "", "loops more than"},
		{"printf width", `{{printf "%0999999999d" 1}}`, "", "printf widths"},
		{"printf star width", `{{printf "%*d" 999999999 1}}`, "", "printf widths"},
		{"big HTML", "hi", `{{range 100000}}<p>{{$.first_name}} and more text</p>{{end}}`, "over 64 KB"},
		{"HTML loops", "hi", `<script>{{range 1000000000}}{{end}}</script>`, "loops more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := Parse(Variant{Name: "A", Subject: "Hi", Text: c.text, HTML: c.html})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = tpl.Render(data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			if d := time.Since(start); d > 2*MaxRenderTime {
				t.Errorf("took %v", d)
			}
			if strings.Count(err.Error(), "\n") > 0 || len(err.Error()) > 200 {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}
	// Ordinary loops and widths still work, and the step counter leaves no
	// trace in the output, HTML script context included.
	tpl, err := Parse(Variant{Name: "A", Subject: "Hi {{.first_name}}", Text: `{{range $k, $v := .}}{{if eq $k "a" "b"}}{{$k}}={{$v}};{{end}}{{end}}{{printf "%05d" 42}}`,
		HTML: `<p>{{range 3}}x{{end}}</p><script>var n = [{{range 2}}1,{{end}}];</script>`})
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "a=1;b=2;00042" || got.HTML != "<p>xxx</p><script>var n = [1,1,];</script>" {
		t.Errorf("rendered %q / %q", got.Text, got.HTML)
	}
}

func TestRenderTimeLimit(t *testing.T) {
	defer func(d time.Duration) { MaxRenderTime = d }(MaxRenderTime)
	MaxRenderTime = time.Millisecond
	tpl, err := Parse(Variant{Name: "A", Subject: "Hi", Text: `{{range 90000}}{{$x := printf "%500s" "a"}}{{end}}done`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Render(nil); err == nil || !strings.Contains(err.Error(), "took too long for one customer (over 1ms") {
		t.Fatalf("got %v", err)
	}
	MaxRenderTime = time.Minute
	if c, err := tpl.Render(nil); err != nil || c.Text != "done" {
		t.Fatalf("with time to spare: %q %v", c.Text, err)
	}
}
