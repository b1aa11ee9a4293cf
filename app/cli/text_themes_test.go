package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

func TestTextThemesCLI(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	for _, loc := range []string{"en", "zh-CN"} {
		t.Run(loc, func(t *testing.T) {
			proj := filepath.Join(t.TempDir(), "demo.mbproj")
			w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Locale: loc, Customers: 300, Orders: 2500, Products: 60}, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
			s := ollamatest.New(t)
			s.Otherwise("Fast delivery")

			// JSON: the method, the themes, row numbers but no text.
			out := ok(t, "-p", proj, "--json", "text", "themes", "--table", "reviews", "--column", "review_text", "--k", "3", "--url", s.URL, "--save")
			checkJSONStyle(t, "text themes", out)
			var res core.ThemesResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			if res.Method != "embeddings" || res.K != 3 || len(res.Themes) != 3 || res.Themes[0].Name != "Fast delivery" || len(res.Saved) != 2 {
				t.Fatalf("%+v", res)
			}
			if strings.Contains(out, "example_texts") || len(res.Themes[0].Examples) == 0 {
				t.Errorf("examples: %s", out)
			}
			// With --show-text the texts are printed.
			out = ok(t, "-p", proj, "text", "themes", "--table", "reviews", "--column", "review_text", "--k", "3", "--url", s.URL, "--show-text")
			if !strings.Contains(out, "Fast delivery") || !strings.Contains(out, "[row ") || !strings.Contains(out, "no text was sent") {
				t.Errorf("human output:\n%s", out)
			}
			_, errs, code := run(t, "-p", proj, "text", "themes", "--table", "reviews")
			if code == 0 || !strings.Contains(errs, "--table T --column C") {
				t.Errorf("missing column: %d %s", code, errs)
			}
			// Ollama absent: offline themes with a note that says what to do.
			out = ok(t, "-p", proj, "text", "themes", "--table", "reviews", "--column", "review_text", "--url", ollamatest.AbsentURL(t))
			if !strings.Contains(out, "TF-IDF") || !strings.Contains(out, "ollama serve") {
				t.Errorf("offline output:\n%s", out)
			}
		})
	}
	_, errs, code := run(t, "text", "themes", "--k", "50")
	if code == 0 || !strings.Contains(errs, "--k") {
		t.Errorf("--k 50: %d %s", code, errs)
	}
}
