package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/app/llm"
)

func TestCopy(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", cfg)
	t.Setenv("OLLAMA_HOST", "")
	t.Setenv(llm.PromptDirEnv, filepath.Join(cfg, "prompts"))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	// copy models: the fix command when nothing listens, the list when Ollama does.
	_, errs, code := run(t, "copy", "models", "--url", dead)
	if code == 0 || !strings.Contains(errs, "ollama serve") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("models, no server: %d %q", code, errs)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2025-05-10T08:06:48.639712648-07:00","size":2019393189,"digest":"a80c","details":{"format":"gguf","family":"llama","parameter_size":"3.2B","quantization_level":"Q4_K_M"}}]}`)
	}))
	defer srv.Close()
	if out := ok(t, "copy", "models", "--url", srv.URL); !strings.Contains(out, "llama3.2:latest") || !strings.Contains(out, "3.2B") {
		t.Fatalf("models:\n%s", out)
	}
	ok(t, "copy", "settings", "--url", srv.URL, "--model", "mistral")
	var set map[string]string
	json.Unmarshal([]byte(ok(t, "--json", "copy", "settings")), &set)
	if set["url"] != srv.URL || set["model"] != "mistral" {
		t.Fatalf("settings %v", set)
	}

	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")

	out, errs, code := run(t, "-p", proj, "copy", "generate", "--segment", "Champions", "--channel", "sms", "--n", "4",
		"--brief", "20% off winter coats this weekend", "--url", dead)
	if code != 0 || !strings.Contains(errs, "ollama serve") || !strings.Contains(errs, "offline templates") {
		t.Fatalf("fallback: %d %s", code, errs)
	}
	if !strings.Contains(out, "Source: offline templates (no language model)") || strings.Count(out, "GSM-7, 1 SMS") != 4 ||
		!strings.Contains(out, "spam 0 (low)") {
		t.Fatalf("generate:\n%s", out)
	}

	var res llm.Result
	js, errs, code := run(t, "-p", proj, "--json", "copy", "generate", "--segment", "Champions", "--channel", "email-subject", "--offline", "--n", "2")
	if code != 0 || errs != "" {
		t.Fatalf("%d %s", code, errs)
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil || !res.Offline || len(res.Variants) != 2 || res.Variants[0].Subject == "" {
		t.Fatalf("%v %s", err, js)
	}

	if _, errs, code := run(t, "-p", proj, "copy", "generate", "--segment", "Champions"); code == 0 || !strings.Contains(errs, "--channel") {
		t.Fatalf("no channel: %d %s", code, errs)
	}
	if _, errs, code := run(t, "-p", proj, "copy", "generate", "--channel", "sms", "--n", "50", "--offline"); code == 0 || !strings.Contains(errs, "1 to 10") {
		t.Fatalf("n=50: %d %s", code, errs)
	}
}
