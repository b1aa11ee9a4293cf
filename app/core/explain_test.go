package core

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/analytics/model"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/app/llm/numcheck"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/models"
	"github.com/marketbench/marketbench/storage/segment"
)

// explainDemo is a small demo project with the app settings in a temp
// folder, so no real Ollama setting leaks in.
func explainDemo(t *testing.T, locale string) *Workspace {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo.mbproj"),
		DemoOptions{Locale: locale, Customers: 1500, Orders: 12000, Products: 80}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// factText is the shown text of the fact whose label starts with label.
func factText(t *testing.T, fs []ExplainFact, label string) string {
	t.Helper()
	for _, f := range fs {
		if strings.HasPrefix(f.Label, label) {
			return f.Text
		}
	}
	t.Fatalf("no fact %q in %+v", label, fs)
	return ""
}

func promptsOf(s *ollamatest.Server) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.All)
	}
	return out
}

func TestExplainResults(t *testing.T) {
	ctx := context.Background()
	w := explainDemo(t, "")
	var servers []*ollamatest.Server
	fake := func() *ollamatest.Server { s := ollamatest.New(t); servers = append(servers, s); return s }
	s := fake()
	seg := "Consenting champions"
	fl, err := w.explainFacts(ctx, ExplainSegment, seg)
	if err != nil {
		t.Fatal(err)
	}
	size, share := factText(t, fl.facts, "Customers in the segment"), factText(t, fl.facts, "Share of all customers")
	good := "The segment has " + size + " customers, " + share + " of all customers. Keep them close with early access."

	t.Run("correct numbers are accepted", func(t *testing.T) {
		s.On(good, "Consenting champions")
		e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: s.URL})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Verified() || e.Retried || e.Text != good || e.Warning() != "" {
			t.Errorf("explanation %+v, want the text accepted at once", e)
		}
		if len(e.Numbers) != 2 || e.Numbers[0].Fact != "Customers in the segment" {
			t.Errorf("numbers %+v", e.Numbers)
		}
		if !strings.Contains(e.Prompt, "- Customers in the segment: "+size) || !strings.Contains(e.System, "English") {
			t.Errorf("prompt lacks the facts or the language:\n%s\n%s", e.System, e.Prompt)
		}
		// Cities and categories are named only when 5 or more customers share them.
		ids, err := segment.IDsSQL(ctx, w.Project, seg)
		if err != nil {
			t.Fatal(err)
		}
		cities, cats := 0, 0
		for _, f := range e.Facts {
			if strings.HasPrefix(f.Label, "Category ") {
				cats++
			}
			city, ok := strings.CutPrefix(f.Label, "City ")
			if !ok {
				continue
			}
			cities++
			city = strings.TrimSuffix(city, ", share of the segment's customers")
			var n int
			w.Q().QueryRowContext(ctx, `SELECT count(*) FROM customers WHERE city = ? AND CAST(customer_id AS VARCHAR) IN (`+ids+`)`, city).Scan(&n)
			if n < minGroup {
				t.Errorf("city %q named for %d customers", city, n)
			}
		}
		if cities == 0 || cities > 3 || cats == 0 || cats > 3 {
			t.Errorf("%d cities and %d categories in the facts, want 1 to 3 each", cities, cats)
		}
	})

	t.Run("an invented number is retried, then marked", func(t *testing.T) {
		s2 := fake()
		s2.Otherwise("The segment has " + size + " customers who spend 987,654 a year.")
		e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: s2.URL})
		if err != nil {
			t.Fatal(err)
		}
		reqs := s2.Requests()
		if len(reqs) != 2 || !strings.Contains(reqs[1].User, "not in the facts: 987,654") {
			t.Fatalf("want one retry naming the bad number, got %d requests", len(reqs))
		}
		if !e.Retried || e.Verified() || len(e.Unverified) != 1 || e.Unverified[0] != "987,654" ||
			!strings.Contains(e.Text, "987,654⚠") || strings.Contains(e.Text, size+"⚠") {
			t.Errorf("explanation %+v, want 987,654 marked and listed", e)
		}
		if !strings.Contains(e.Warning(), "987,654") {
			t.Errorf("warning %q does not name the number", e.Warning())
		}
	})

	t.Run("a retry that fixes the numbers is accepted", func(t *testing.T) {
		s3 := fake()
		s3.On(good, "not in the facts")
		s3.Otherwise("The segment has 42,424 customers.")
		e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: s3.URL})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Retried || !e.Verified() || e.Text != good {
			t.Errorf("explanation %+v, want the retried text accepted", e)
		}
	})

	t.Run("model", func(t *testing.T) {
		m, err := w.Train(ctx, TrainRequest{Name: "churn", Target: &models.Target{Kind: models.Churn, Days: 90}, Spec: model.Spec{Algo: model.LogReg, Seed: 42}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		fl, err := w.explainFacts(ctx, ExplainModel, m.Name)
		if err != nil {
			t.Fatal(err)
		}
		auc := factText(t, fl.facts, "AUC on the test rows")
		s.On("The churn model ranks customers well: an AUC of "+auc+" on the test rows, where guessing gives 0.5.", `model "churn"`)
		e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "model", Name: "churn", URL: s.URL})
		if err != nil {
			t.Fatal(err)
		}
		if !e.Verified() {
			t.Errorf("model explanation not verified: %+v", e.Numbers)
		}
		if n := strings.Count(e.Prompt, "- Importance of "); n < 1 || n > 5 {
			t.Errorf("%d feature importances in the facts, want 1 to 5:\n%s", n, e.Prompt)
		}
	})

	t.Run("unknown names and kinds say what to do", func(t *testing.T) {
		if _, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: "nope", URL: s.URL}); err == nil || !strings.Contains(err.Error(), "segment list") {
			t.Errorf("unknown segment: %v", err)
		}
		if _, err := w.ExplainResults(ctx, ExplainRequest{Kind: "shoe", Name: "x", URL: s.URL}); err == nil || !strings.Contains(err.Error(), "segment, model, campaign or journey") {
			t.Errorf("unknown kind: %v", err)
		}
	})

	t.Run("absent and slow Ollama", func(t *testing.T) {
		e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: ollamatest.AbsentURL(t)})
		var ue *llm.UnreachableError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "ollama serve") {
			t.Errorf("absent: %v", err)
		}
		if e == nil || len(e.Facts) == 0 {
			t.Errorf("the facts should come back without the model")
		}
		slow := fake()
		slow.Delay = 2 * time.Second
		slow.Otherwise(good)
		_, err = w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: slow.URL, Idle: 200 * time.Millisecond})
		var te *llm.TimeoutError
		if !errors.As(err, &te) {
			t.Errorf("slow: %v, want a timeout", err)
		}
	})

	t.Run("no prompt holds personal data", func(t *testing.T) {
		values := personalValues(t, w)
		if len(values) < 1000 {
			t.Fatalf("only %d personal values", len(values))
		}
		var prompts []string
		for _, s := range servers {
			prompts = append(prompts, promptsOf(s)...)
		}
		if len(prompts) < 6 {
			t.Fatalf("only %d prompts", len(prompts))
		}
		if l := leaks(prompts, values); len(l) > 0 {
			t.Errorf("personal data in prompts: %v", l[:min(5, len(l))])
		}
		// The scan finds a value when there is one.
		if l := leaks([]string{"Facts:\n- Top customer: " + values[0]}, values); len(l) == 0 {
			t.Errorf("the scan misses %q", values[0])
		}
	})
}

func TestExplainChinese(t *testing.T) {
	defer i18n.Use(i18n.English)
	i18n.Use(i18n.Chinese)
	ctx := context.Background()
	w := explainDemo(t, "zh-CN")
	s := ollamatest.New(t)
	seg := "流失的高消费客户"
	fl, err := w.explainFacts(ctx, ExplainSegment, seg)
	if err != nil {
		t.Fatal(err)
	}
	size := factText(t, fl.facts, "细分中的客户")
	s.On("这个细分共有"+size+"位客户，约占百分之九十九的订单。建议尽快发送挽回优惠。", seg)
	e, err := w.ExplainResults(ctx, ExplainRequest{Kind: "segment", Name: seg, URL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.System, "Simplified Chinese") {
		t.Errorf("the model was not asked for Chinese: %s", e.System)
	}
	// 百分之九十九 is not a fact: retried (same answer), then marked.
	if !e.Retried || len(e.Unverified) != 1 || e.Unverified[0] != "百分之九十九" || !strings.Contains(e.Text, "百分之九十九⚠") {
		t.Errorf("explanation %+v", e)
	}
	if e.Numbers[0].Fact == "" {
		t.Errorf("the size %s was not matched: %+v", size, e.Numbers)
	}
	if !strings.Contains(e.Warning(), "不在事实中") {
		t.Errorf("warning not in Chinese: %q", e.Warning())
	}
	if l := leaks(promptsOf(s), personalValues(t, w)); len(l) > 0 {
		t.Errorf("personal data in prompts: %v", l[:min(5, len(l))])
	}
}

// TestExplainCampaignAndJourneyFacts checks the facts of a campaign's and
// a journey's readout and that a text quoting them passes the checker.
func TestExplainCampaignAndJourneyFacts(t *testing.T) {
	rep, err := abtest.Analyze(abtest.Group{Name: "holdout", N: 1000, Conversions: 40},
		[]abtest.Group{{Name: "A", N: 4000, Conversions: 252}, {Name: "B", N: 4000, Conversions: 170}}, abtest.Options{Adjust: abtest.AdjustHolm})
	if err != nil {
		t.Fatal(err)
	}
	res := &Results{Groups: []campaign.GroupStat{{Group: "holdout", N: 1000}, {Group: "A", N: 4000}, {Group: "B", N: 4000}},
		Reports: map[string]*abtest.Report{"conversion": rep}, Control: "holdout"}
	fl := campaignFacts("Spring", res)
	want := map[string]string{"Conversion rate of A": "6.3%", "Conversion rate of holdout": "4.0%",
		"Difference A minus holdout (percentage points)": "2.3%", "Customers in group B": "4,000", "Verdict for A": "better than the holdout, and the difference is likely real"}
	for label, text := range want {
		if got := factText(t, fl.facts, label); got != text {
			t.Errorf("%s = %q, want %q", label, got, text)
		}
	}
	text := "Variant A converted 6.3% of its 4,000 customers against 4% in the holdout: 2.3 percentage points more, a 57.5% uplift."
	if bad := checkText(text, fl); len(bad) > 0 {
		t.Errorf("unverified %v in %q", bad, text)
	}
	if bad := checkText("Variant A converted 7.1% of its customers.", fl); len(bad) != 1 {
		t.Errorf("7.1%% should be unverified, got %v", bad)
	}

	st := &JourneyStats{AttributionDays: 30, Summary: JourneySummary{Entered: 800, Active: 120, Done: 600, Exited: 20, Converted: 60, Sent: 1400},
		Steps: []StepStats{{ID: "s1", Title: "Offer 2", Kind: "send", Passed: 680, Delivered: 650, Ordered: 75}}, Holdout: rep}
	st.Name = "Win back"
	jl := journeyFacts(st)
	text = `Of 800 customers who entered "Win back", 60 reached the goal (7.5%); the step "Offer 2" delivered 650 messages and 75 ordered within 30 days.`
	if bad := checkText(text, jl); len(bad) > 0 {
		t.Errorf("unverified %v in %q", bad, text)
	}
	if bad := checkText("900 customers entered.", jl); len(bad) != 1 {
		t.Errorf("900 should be unverified, got %v", bad)
	}
}

func checkText(text string, fl *factList) []string {
	var out []string
	for _, n := range numcheck.Unverified(numcheck.Check(text, checkFacts(fl.facts), fl.names...)) {
		out = append(out, n.Text)
	}
	return out
}
