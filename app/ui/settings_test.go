package ui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// The copywriting settings test the connection against a server that
// answers like Ollama's /api/tags, and say what is installed.
func TestSettingsLLM(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/tags" {
			w.Write([]byte(`{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","size":2019393189,"modified_at":"2026-11-01T10:00:00Z","details":{"family":"llama"}}]}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	_, p := open(t, demo(t))
	p.goTo("Settings")
	idle(t, p)
	url := must(t, p.content, "server entry", func(e *widget.Entry) bool { return strings.Contains(e.PlaceHolder, "11434") })
	test.Type(url, srv.URL)
	test.Tap(button(t, p.content, "Test connection"))
	idle(t, p)
	must(t, p.content, "installed models", func(l *widget.Label) bool { return strings.Contains(l.Text, "llama3.2:latest") })
	srv.Close()
	test.Tap(button(t, p.content, "Test connection"))
	idle(t, p)
	must(t, p.content, "the fix", func(l *widget.Label) bool { return strings.Contains(l.Text, "ollama serve") })
}
