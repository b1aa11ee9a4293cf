package core

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/llm/ollamatest"
	"github.com/marketbench/marketbench/storage"
)

func themesWorkspace(t *testing.T, locale string) *Workspace {
	t.Helper()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	w, err := CreateDemo(context.Background(), filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{Locale: locale, Customers: 300, Orders: 2500, Products: 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// themesPersonalValues are every e-mail, name, phone and customer id of the
// project: what no prompt may contain.
func themesPersonalValues(t *testing.T, w *Workspace) []string {
	t.Helper()
	var out []string
	for _, col := range []string{"email", "first_name", "last_name", "phone", "customer_id"} {
		rows, err := w.Q().QueryContext(context.Background(), `SELECT DISTINCT CAST(`+storage.Quote(col)+` AS VARCHAR) FROM customers WHERE `+storage.Quote(col)+` IS NOT NULL`)
		if err != nil {
			continue // the demo has no such column
		}
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil && len([]rune(s)) > 1 {
				out = append(out, strings.ToLower(s))
			}
		}
		rows.Close()
	}
	if len(out) < 100 {
		t.Fatalf("only %d personal values found in the demo", len(out))
	}
	return out
}

// themesLeaks returns the personal values found in the prompts (chat requests:
// the embedding inputs are the texts themselves, sent to the local model).
func themesLeaks(reqs []ollamatest.Request, values []string) []string {
	var out []string
	for _, r := range reqs {
		if r.Endpoint == "embed" {
			continue
		}
		all := strings.ToLower(r.All)
		for _, v := range values {
			if containsWord(all, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// containsWord finds v in s as a whole word (Latin) or anywhere (Chinese).
func containsWord(s, v string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], v)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(v)
		isW := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
		if v[0] >= 0x80 || ((a == 0 || !isW(s[a-1])) && (b == len(s) || !isW(s[b]))) {
			return true
		}
		i = a + 1
	}
}

func TestThemesWithOllama(t *testing.T) {
	for _, loc := range []string{"en", "zh-CN"} {
		t.Run(loc, func(t *testing.T) {
			ctx := context.Background()
			w := themesWorkspace(t, loc)
			s := ollamatest.New(t)
			s.Otherwise("Delivery and packaging")
			s.On("质量问题", "Simplified Chinese")
			var stages []string
			res, err := w.Themes(ctx, ThemesRequest{Table: "reviews", Column: "review_text", URL: s.URL, Model: "qwen2.5:7b", Save: true},
				func(st string, f float64) { stages = append(stages, st) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Method != ThemesEmbeddings || res.EmbedModel != "nomic-embed-text" || res.NameModel != "qwen2.5:7b" || res.K < 2 || len(res.Themes) != res.K {
				t.Fatalf("result: %+v", res)
			}
			if res.Chinese != (loc == "zh-CN") {
				t.Errorf("chinese = %v", res.Chinese)
			}
			total, share := 0, 0.0
			for i, th := range res.Themes {
				total += th.Size
				share += th.Share
				if th.NamedBy != "model" || len(th.Keywords) == 0 || len(th.Examples) == 0 || th.Sentiment <= 0 || th.Sentiment >= 1 {
					t.Errorf("theme %d: %+v", i, th)
				}
				if i > 0 && th.Size > res.Themes[i-1].Size {
					t.Error("themes are not largest first")
				}
			}
			if total != res.Rows || share < 0.999 || share > 1.001 {
				t.Errorf("sizes add to %d of %d, shares to %v", total, res.Rows, share)
			}
			want := "Delivery and packaging"
			if loc == "zh-CN" {
				want = "质量问题"
			}
			if res.Themes[0].Name != want {
				t.Errorf("name %q, want %q", res.Themes[0].Name, want)
			}
			var embeds, chats int
			for _, r := range s.Requests() {
				switch r.Endpoint {
				case "embed":
					embeds++
				case "chat":
					chats++
					if !strings.Contains(r.User, res.Themes[0].Keywords[0]) && !strings.Contains(r.User, "Keywords") {
						t.Errorf("naming prompt without keywords: %q", r.User)
					}
					if strings.Contains(r.User, "Typical reviews") {
						t.Error("review text sent without --allow-text")
					}
				}
			}
			if embeds != res.Rows || chats != res.K {
				t.Errorf("%d embeddings for %d rows, %d chats for %d themes", embeds, res.Rows, chats, res.K)
			}
			if l := themesLeaks(s.Requests(), themesPersonalValues(t, w)); len(l) > 0 {
				t.Errorf("prompts contain personal values: %v", l)
			}
			// Every row got its theme; the numbers match the result.
			var n, named int
			if err := w.Q().QueryRowContext(ctx, `SELECT count(review_text_theme), count(*) FILTER (WHERE review_text_theme = 1) FROM reviews`).Scan(&n, &named); err != nil {
				t.Fatal(err)
			}
			if n != res.Rows || named != res.Themes[0].Size {
				t.Errorf("saved %d rows, %d in theme 1 (want %d, %d)", n, named, res.Rows, res.Themes[0].Size)
			}
			if len(stages) < 5 {
				t.Errorf("progress: %v", stages)
			}
		})
	}
}

// With --allow-text the model sees the typical reviews of each theme,
// and the scan finds a personal value planted in one: it can fail.
func TestThemesAllowTextAndPrivacyScan(t *testing.T) {
	ctx := context.Background()
	w := themesWorkspace(t, "en")
	s := ollamatest.New(t)
	s.Otherwise("Some theme")
	var email string
	if err := w.Q().QueryRowContext(ctx, `SELECT email FROM customers LIMIT 1`).Scan(&email); err != nil {
		t.Fatal(err)
	}
	// A customer wrote their e-mail into every review: the keywords must
	// not carry it, and the keyword-only prompts stay clean.
	if _, err := w.Q().ExecContext(ctx, `UPDATE reviews SET review_text = review_text || ' write to `+email+`'`); err != nil {
		t.Fatal(err)
	}
	res, err := w.Themes(ctx, ThemesRequest{Table: "reviews", Column: "review_text", URL: s.URL, K: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	values := themesPersonalValues(t, w)
	if l := themesLeaks(s.Requests(), values); len(l) > 0 {
		t.Fatalf("keyword prompts contain personal values: %v", l)
	}
	for _, th := range res.Themes {
		for _, k := range th.Keywords {
			if strings.Contains(k, "@") || strings.Contains(email, k) && len(k) > 4 {
				t.Errorf("keyword %q comes from the e-mail %s", k, email)
			}
		}
	}
	if res.TextSent {
		t.Error("text_sent_to_model without AllowText")
	}
	res, err = w.Themes(ctx, ThemesRequest{Table: "reviews", Column: "review_text", URL: s.URL, K: 3, AllowText: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.TextSent {
		t.Error("AllowText not reported")
	}
	if l := themesLeaks(s.Requests(), values); len(l) == 0 {
		t.Fatal("the scan did not find the e-mail the allowed review texts carried")
	}

	// A model that answers with a customer's name: the keyword name stays.
	var first, last string
	if err := w.Q().QueryRowContext(ctx, `SELECT first_name, last_name FROM customers WHERE length(last_name) > 3 LIMIT 1`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	s2 := ollamatest.New(t)
	s2.Otherwise("Complaints of " + first + " " + last)
	res, err = w.Themes(ctx, ThemesRequest{Table: "reviews", Column: "review_text", URL: s2.URL, K: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range res.Themes {
		if th.NamedBy != "keywords" || strings.Contains(th.Name, last) {
			t.Errorf("a model's name with a customer's name was kept: %+v", th)
		}
	}
}

func TestThemesOffline(t *testing.T) {
	for _, loc := range []string{"en", "zh-CN"} {
		t.Run(loc, func(t *testing.T) {
			w := themesWorkspace(t, loc)
			absent := ollamatest.AbsentURL(t)
			res, err := w.Themes(context.Background(), ThemesRequest{Table: "reviews", Column: "review_text", URL: absent, K: 4}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Method != ThemesTFIDF || res.EmbedModel != "" || res.NameModel != "" || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "ollama serve") {
				t.Fatalf("fallback: %+v", res)
			}
			if len(res.Themes) != 4 {
				t.Fatalf("%d themes", len(res.Themes))
			}
			for _, th := range res.Themes {
				if th.NamedBy != "keywords" || th.Name == "" || !strings.Contains(th.Name, th.Keywords[0]) {
					t.Errorf("theme %+v", th)
				}
			}
			// Offline on request: no note, no Ollama.
			res, err = w.Themes(context.Background(), ThemesRequest{Table: "reviews", Column: "review_text", Offline: true}, nil)
			if err != nil || res.Method != ThemesTFIDF || len(res.Notes) != 0 || res.K < 2 {
				t.Fatalf("offline: %+v %v", res, err)
			}
		})
	}
}

// Reviews that share words end up together, by either method.
func TestThemesSeparateTopics(t *testing.T) {
	ctx := context.Background()
	w := themesWorkspace(t, "en")
	topics := []string{"parcel delivery courier late arrived", "fabric stitching seams quality thread", "refund return service support agent"}
	fillers := []string{"really", "honestly", "today", "again", "overall"}
	var b strings.Builder
	b.WriteString(`CREATE TABLE notes AS SELECT * FROM (VALUES `)
	for i := 0; i < 25; i++ {
		for j, tp := range topics {
			if i+j > 0 {
				b.WriteString(",")
			}
			w := strings.Fields(tp)
			// Four of the topic's five words, in varying order, and a filler every topic uses.
			b.WriteString(fmt.Sprintf("(%d, '%s: %s %s, %s %s')", j, fillers[(i+j)%5], w[i%5], w[(i+1)%5], w[(i+2)%5], w[(i+3)%5]))
		}
	}
	b.WriteString(`) AS t(topic, note)`)
	if _, err := w.Q().ExecContext(ctx, b.String()); err != nil {
		t.Fatal(err)
	}
	s := ollamatest.New(t)
	s.Otherwise("A theme")
	for _, off := range []bool{false, true} {
		// Chosen by silhouette: no theme mixes topics.
		res, err := w.Themes(ctx, ThemesRequest{Table: "notes", Column: "note", URL: s.URL, Offline: off, Save: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var mixed int
		if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT note_theme FROM notes GROUP BY note_theme HAVING count(DISTINCT topic) > 1)`).Scan(&mixed); err != nil {
			t.Fatal(err)
		}
		if res.K < 3 || mixed != 0 {
			t.Errorf("offline %v: %d themes, %d mixing topics", off, res.K, mixed)
		}
		// Three themes asked: the three topics exactly.
		if _, err = w.Themes(ctx, ThemesRequest{Table: "notes", Column: "note", URL: s.URL, Offline: off, Save: true, K: 3}, nil); err != nil {
			t.Fatal(err)
		}
		if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT topic FROM notes GROUP BY topic HAVING count(DISTINCT note_theme) > 1)
			UNION ALL SELECT 0 LIMIT 1`).Scan(&mixed); err != nil {
			t.Fatal(err)
		}
		var pure int
		if err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM (SELECT note_theme FROM notes GROUP BY note_theme HAVING count(DISTINCT topic) = 1)`).Scan(&pure); err != nil {
			t.Fatal(err)
		}
		if mixed != 0 || pure != 3 {
			t.Errorf("offline %v, k=3: %d topics split, %d pure themes", off, mixed, pure)
		}
	}
}

func TestThemesSlowCancel(t *testing.T) {
	w := themesWorkspace(t, "en")
	s := ollamatest.New(t)
	s.Delay = 2 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	_, err := w.Themes(ctx, ThemesRequest{Table: "reviews", Column: "review_text", URL: s.URL}, nil)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancel took %v", time.Since(start))
	}
	// Too slow without a cancel: the idle limit gives up with advice.
	_, err = w.Themes(context.Background(), ThemesRequest{Table: "reviews", Column: "review_text", URL: s.URL, Idle: 200 * time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("slow: %v", err)
	}
}

func TestThemesBadInput(t *testing.T) {
	w := themesWorkspace(t, "en")
	ctx := context.Background()
	for _, r := range []ThemesRequest{
		{Table: "reviews", Column: "nope", Offline: true},
		{Table: "nope", Column: "review_text", Offline: true},
		{Table: "reviews", Column: "review_text", K: 1, Offline: true},
		{Table: "reviews", Column: "review_text", K: 99, Offline: true},
	} {
		if _, err := w.Themes(ctx, r, nil); err == nil {
			t.Errorf("%+v: no error", r)
		}
	}
}
