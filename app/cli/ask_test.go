package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm/ollamatest"
)

func TestAskCommand(t *testing.T) {
	s := ollamatest.New(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", s.URL)
	dir := t.TempDir()
	proj := filepath.Join(dir, "demo.mbproj")
	w, err := core.CreateDemo(context.Background(), proj, core.DemoOptions{Locale: "zh-CN", Customers: 300, Orders: 3000, Products: 50}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	s.On("App渠道的订单最多，共3000单。", "Result")
	s.On("```sql\nSELECT channel AS 渠道, count(*) AS 订单数 FROM orders GROUP BY channel ORDER BY 订单数 DESC\n```", "各渠道")
	s.On("CLARIFY: 您说的“最好”是指消费金额还是订单数？", "最好")
	s.Otherwise("```sql\nDROP TABLE orders\n```")

	out := ok(t, "-p", proj, "--lang", "zh-Hans", "ask", "各渠道的订单数是多少？", "--chart", filepath.Join(dir, "a.png"))
	for _, want := range []string{"SQL:", "SELECT channel", "渠道", "App", "[?]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, "a.png")); err != nil || st.Size() == 0 {
		t.Errorf("chart file: %v", err)
	}

	var a struct {
		SQL        string   `json:"sql"`
		Columns    []string `json:"columns"`
		Rows       [][]any  `json:"rows"`
		Chart      string   `json:"chart"`
		Words      string   `json:"words"`
		Unverified []string `json:"unverified"`
		Attempts   int      `json:"attempts"`
	}
	js := ok(t, "-p", proj, "--json", "ask", "各渠道的订单数是多少？")
	checkJSONStyle(t, "ask", js)
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if a.Chart != "bar" || a.Attempts != 1 || len(a.Rows) == 0 || a.Columns[1] != "订单数" {
		t.Errorf("json answer: %+v", a)
	}
	if _, isNum := a.Rows[0][1].(float64); !isNum {
		t.Errorf("counts must be JSON numbers: %v", a.Rows[0])
	}
	// 3000 is the total of the demo's orders, not a number of the result.
	if len(a.Unverified) != 1 || a.Unverified[0] != "3000" {
		t.Errorf("unverified = %v", a.Unverified)
	}

	out = ok(t, "-p", proj, "ask", "谁是最好的客户？")
	if !strings.Contains(out, "消费金额还是订单数") {
		t.Errorf("clarifying question not shown:\n%s", out)
	}

	_, errs, code := run(t, "-p", proj, "ask", "delete the orders")
	if code == 0 || !strings.Contains(errs, "DROP TABLE orders") || !strings.Contains(errs, "only SELECT") {
		t.Errorf("a write must fail with the SQL and the reason: exit %d, %s", code, errs)
	}
	out = ok(t, "-p", proj, "ask", "--sql", "SELECT count(*) AS n FROM orders;")
	if !strings.Contains(out, "3000") {
		t.Errorf("--sql: %s", out)
	}

	t.Setenv("OLLAMA_HOST", ollamatest.AbsentURL(t))
	_, errs, code = run(t, "-p", proj, "ask", "各渠道的订单数是多少？")
	if code == 0 || !strings.Contains(errs, "ollama serve") {
		t.Errorf("absent Ollama: exit %d, %s", code, errs)
	}
}
