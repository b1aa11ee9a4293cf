package core

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/storage/campaign"
)

// copyOllama is a small Ollama: /api/tags and /api/chat streaming NDJSON
// as Ollama does, 404 for a model it lacks. app/llm tests the failure
// modes in depth; this drives the use case through langchaingo.
func copyOllama(t *testing.T, reply string) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var prompts []string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, `{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-05-10T08:06:48.639712648-07:00","size":2019393189,"digest":"a80c4f17acd5","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]}`)
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model    string `json:"model"`
			Messages []struct{ Role, Content string }
			Stream   bool `json:"stream"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		for _, m := range req.Messages {
			prompts = append(prompts, m.Content)
		}
		mu.Unlock()
		if req.Model != "llama3.2" && req.Model != "llama3.2:latest" {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", req.Model)})
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		now := func() string { return time.Now().UTC().Format(time.RFC3339Nano) }
		for _, word := range strings.SplitAfter(reply, " ") {
			enc.Encode(map[string]any{"model": req.Model, "created_at": now(), "message": map[string]string{"role": "assistant", "content": word}, "done": false})
			w.(http.Flusher).Flush()
		}
		enc.Encode(map[string]any{"model": req.Model, "created_at": now(), "message": map[string]string{"role": "assistant", "content": ""},
			"done": true, "done_reason": "stop", "total_duration": 1200000000, "load_duration": 1000000, "prompt_eval_count": 120,
			"prompt_eval_duration": 100000000, "eval_count": 60, "eval_duration": 900000000})
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), prompts...) }
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	t.Setenv(llm.PromptDirEnv, filepath.Join(cfg, "prompts"))
	w, err := CreateDemo(ctx, filepath.Join(t.TempDir(), "demo.mbproj"), DemoOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// Personal data that must never reach a prompt.
	var email, phone, last string
	if err := w.Q().QueryRowContext(ctx, `SELECT c.email, c.phone, c.last_name FROM customers c JOIN rfm_scores s ON CAST(c.customer_id AS VARCHAR) = s.customer_id
		WHERE s.rfm_segment = 'Champions' LIMIT 1`).Scan(&email, &phone, &last); err != nil {
		t.Fatal(err)
	}

	t.Run("profile", func(t *testing.T) {
		p, err := w.AudienceProfile(ctx, "Champions")
		if err != nil {
			t.Fatal(err)
		}
		if p.Customers < 100 || p.Share <= 0 || p.Share >= 1 || len(p.RFM) != 1 || p.RFM[0].Name != "Champions" || p.RFM[0].Share != 1 ||
			p.AOV <= 0 || p.AvgOrders < 1 || len(p.TopCategories) == 0 || len(p.TopCategories) > 3 {
			t.Fatalf("%+v", p)
		}
		if p.Fields[0] != "first_name" {
			t.Errorf("fields %v", p.Fields)
		}
		for _, f := range p.Fields {
			if f == "email" || f == "phone" || f == "customer_id" {
				t.Errorf("contact field %q offered to the model", f)
			}
		}
		b, _ := json.Marshal(p)
		if strings.Contains(string(b), email) || strings.Contains(string(b), phone) || strings.Contains(string(b), "@") {
			t.Errorf("profile carries personal data: %s", b)
		}
		rule, err := w.AudienceProfile(ctx, "Lapsed big spenders")
		if err != nil || rule.Customers == 0 || len(rule.RFM) < 2 {
			t.Errorf("rule segment: %+v %v", rule, err)
		}
		all, err := w.AudienceProfile(ctx, "")
		if err != nil || all.Customers <= p.Customers {
			t.Errorf("all customers: %+v %v", all, err)
		}
		if _, err := w.AudienceProfile(ctx, "Nobody"); err == nil || !strings.Contains(err.Error(), "no segment") {
			t.Errorf("unknown segment: %v", err)
		}
	})

	reply := "Hi {{.first_name}}, 20% off winter coats this weekend. Reply STOP to opt out\n---\n" +
		"{{.first_name}}, your favourite coats are 20% off until Sunday. Reply STOP to opt out\n"
	srv, prompts := copyOllama(t, reply)

	t.Run("generate", func(t *testing.T) {
		var chunks []string
		var finished []llm.Variant
		res, err := w.GenerateCopy(ctx, CopyRequest{Segment: "Champions", Channel: "sms", N: 2, Brief: "20% off winter coats this weekend",
			Tone: "friendly", URL: srv.URL, Model: "llama3.2", OnVariant: func(v llm.Variant) { finished = append(finished, v) }},
			func(i int, s string) { chunks = append(chunks, s) })
		if err != nil {
			t.Fatal(err)
		}
		if res.Source != "ollama llama3.2" || res.Offline || len(res.Variants) != 2 || len(finished) != 2 || len(chunks) < 10 {
			t.Fatalf("%+v (%d chunks)", res, len(chunks))
		}
		for _, v := range res.Variants {
			if !v.OK() || v.SMS == nil || v.SMS.Encoding != llm.GSM7 || len(v.Fields) != 1 {
				t.Errorf("%+v", v)
			}
		}
		all := strings.Join(prompts(), "\n")
		if !strings.Contains(all, "Champions") || !strings.Contains(all, "20% off winter coats") {
			t.Errorf("prompt:\n%s", all)
		}
		for _, secret := range []string{email, phone, " " + last + " "} {
			if strings.Contains(all, secret) {
				t.Errorf("prompt contains personal data %q", secret)
			}
		}

		vs := CopyVariants(res)
		c := campaign.Campaign{Name: "Coats", Segment: "Champions", Table: "customers", Plugin: "p", Component: "sms", Variants: vs}
		if err := c.Validate(); err != nil || vs[0].Name != "A" || vs[1].Text != res.Variants[1].Text {
			t.Errorf("campaign variants %+v: %v", vs, err)
		}
		if got := CopyVariants(&llm.Result{Variants: make([]llm.Variant, 3)}); got[0].Percent+got[1].Percent+got[2].Percent != 100 {
			t.Errorf("shares %+v", got)
		}
	})

	t.Run("fallback", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		dead := "http://" + l.Addr().String()
		l.Close()
		res, err := w.GenerateCopy(ctx, CopyRequest{Segment: "Champions", Channel: "sms", N: 3, Brief: "20% off winter coats this weekend", URL: dead}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Offline || res.Source != llm.OfflineSource || !strings.Contains(res.Fallback, "ollama serve") || len(res.Variants) != 3 {
			t.Fatalf("%+v", res)
		}
		for _, v := range res.Variants {
			if !v.OK() || !strings.Contains(v.Text, "20% off winter coats") {
				t.Errorf("%+v", v)
			}
		}
		res, err = w.GenerateCopy(ctx, CopyRequest{Segment: "Champions", Channel: "email-subject", URL: srv.URL, Model: "nosuch"}, nil)
		if err != nil || !res.Offline || !strings.Contains(res.Fallback, "ollama pull nosuch") || !strings.Contains(res.Fallback, "llama3.2:latest") {
			t.Fatalf("%+v %v", res, err)
		}
		if _, err := w.GenerateCopy(ctx, CopyRequest{Segment: "Champions", Channel: "fax"}, nil); err == nil || !strings.Contains(err.Error(), "unknown channel") {
			t.Errorf("channel: %v", err)
		}
	})

	t.Run("settings and prompt override", func(t *testing.T) {
		if err := SaveLLMSettings(LLMSettings{URL: srv.URL, Model: "llama3.2"}); err != nil {
			t.Fatal(err)
		}
		ml, err := CopyModels(ctx, "")
		if err != nil || ml.URL != srv.URL || len(ml.Models) != 1 || ml.Models[0].Name != "llama3.2:latest" {
			t.Fatalf("%+v %v", ml, err)
		}
		os.MkdirAll(CopyPromptDir(), 0o755)
		os.WriteFile(filepath.Join(CopyPromptDir(), "push.tmpl"), []byte("MY OWN PROMPT for {{.Profile.Customers}} customers: {{.Brief}}"), 0o644)
		res, err := w.GenerateCopy(ctx, CopyRequest{Segment: "Champions", Channel: "push", N: 1, Brief: "coats"}, nil)
		if err != nil || res.Offline || !strings.HasPrefix(res.Prompt, "MY OWN PROMPT for ") {
			t.Fatalf("%+v %v", res, err)
		}
		written, err := WriteCopyPrompts()
		if err != nil || len(written) < 5 {
			t.Fatalf("%v %v", written, err)
		}
		if b, _ := os.ReadFile(filepath.Join(CopyPromptDir(), "push.tmpl")); !strings.HasPrefix(string(b), "MY OWN") {
			t.Error("WriteCopyPrompts replaced the user's prompt")
		}
	})
}
