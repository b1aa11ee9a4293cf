package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeOllama is an Ollama server speaking its real HTTP API: /api/tags,
// and /api/chat and /api/generate streaming NDJSON (or one JSON object
// with "stream": false), model-not-found as 404 {"error": ...}.
type fakeOllama struct {
	*httptest.Server
	models []string
	reply  string // what the model writes
	chunk  int    // characters per streamed chunk
	mode   string // "", "slow", "stall", "dribble", "500", "500json", "malformed", "truncated"

	mu    sync.Mutex
	chats []chatRequest
}

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Stream  bool           `json:"stream"`
	Options map[string]any `json:"options"`
}

func newFakeOllama(t *testing.T, reply string) *fakeOllama {
	f := &fakeOllama{models: []string{"llama3.2:latest", "mistral:7b"}, reply: reply, chunk: 7}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", f.tags)
	mux.HandleFunc("POST /api/chat", f.chat)
	mux.HandleFunc("POST /api/generate", f.generate)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOllama) lastChat() chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.chats) == 0 {
		return chatRequest{}
	}
	return f.chats[len(f.chats)-1]
}

func (f *fakeOllama) tags(w http.ResponseWriter, _ *http.Request) {
	type details struct {
		ParentModel       string   `json:"parent_model"`
		Format            string   `json:"format"`
		Family            string   `json:"family"`
		Families          []string `json:"families"`
		ParameterSize     string   `json:"parameter_size"`
		QuantizationLevel string   `json:"quantization_level"`
	}
	type model struct {
		Name       string  `json:"name"`
		Model      string  `json:"model"`
		ModifiedAt string  `json:"modified_at"`
		Size       int64   `json:"size"`
		Digest     string  `json:"digest"`
		Details    details `json:"details"`
	}
	var ms []model
	for _, n := range f.models {
		ms = append(ms, model{Name: n, Model: n, ModifiedAt: "2025-05-10T08:06:48.639712648-07:00", Size: 2019393189,
			Digest:  "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
			Details: details{Format: "gguf", Family: "llama", Families: []string{"llama"}, ParameterSize: "3.2B", QuantizationLevel: "Q4_K_M"}})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"models": ms})
}

// known accepts "llama3.2" for "llama3.2:latest", as Ollama does.
func (f *fakeOllama) known(m string) bool {
	for _, n := range f.models {
		if n == m || n == m+":latest" {
			return true
		}
	}
	return false
}

func (f *fakeOllama) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q}`, err.Error())
		return
	}
	f.mu.Lock()
	f.chats = append(f.chats, req)
	f.mu.Unlock()
	f.respond(w, r, req.Model, req.Stream, func(content string, done bool) map[string]any {
		m := map[string]any{"model": req.Model, "created_at": time.Now().UTC().Format(time.RFC3339Nano),
			"message": map[string]any{"role": "assistant", "content": content}, "done": done}
		return m
	})
}

func (f *fakeOllama) generate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model  string `json:"model"`
		Prompt string `json:"prompt"`
		Stream *bool  `json:"stream"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":%q}`, err.Error())
		return
	}
	stream := req.Stream == nil || *req.Stream // Ollama streams unless told not to
	f.respond(w, r, req.Model, stream, func(content string, done bool) map[string]any {
		m := map[string]any{"model": req.Model, "created_at": time.Now().UTC().Format(time.RFC3339Nano), "response": content, "done": done}
		if done {
			m["context"] = []int{1, 2, 3}
		}
		return m
	})
}

func (f *fakeOllama) respond(w http.ResponseWriter, r *http.Request, model string, stream bool, line func(string, bool) map[string]any) {
	switch f.mode {
	case "500":
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	case "500json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":"llama runner process has terminated: signal: killed"}`)
		return
	case "slow":
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
			return
		}
	}
	if !f.known(model) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", model)})
		return
	}
	final := func(content string) map[string]any {
		m := line(content, true)
		m["done_reason"] = "stop"
		m["total_duration"] = 4883583458
		m["load_duration"] = 1334875
		m["prompt_eval_count"] = 26
		m["prompt_eval_duration"] = 342546000
		m["eval_count"] = 282
		m["eval_duration"] = 4535599000
		return m
	}
	if !stream {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(final(f.reply))
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	fl := w.(http.Flusher)
	enc := json.NewEncoder(w) // one object per line, as Ollama writes
	rs := []rune(f.reply)
	for i := 0; i < len(rs); i += f.chunk {
		j := min(i+f.chunk, len(rs))
		enc.Encode(line(string(rs[i:j]), false))
		fl.Flush()
		switch {
		case f.mode == "malformed" && i > 0:
			fmt.Fprint(w, "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assis\n")
			fl.Flush()
			return
		case f.mode == "stall":
			<-r.Context().Done()
			return
		case f.mode == "dribble":
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}
	if f.mode == "truncated" {
		return
	}
	enc.Encode(final(""))
	fl.Flush()
}
