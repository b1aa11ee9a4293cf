// Package ollamatest is a fake Ollama server for tests: it speaks Ollama's
// real HTTP API (/api/tags, /api/chat, /api/generate, /api/embed and the
// older /api/embeddings) so the real langchaingo client and our own HTTP
// code run unchanged against it. Answers are scripted per test; every
// request is recorded, so a test can check what a prompt contained.
package ollamatest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
)

// Request is one call the server received: the endpoint ("chat",
// "generate", "embed"), the model, and the prompt text: the system and
// user messages (or the generate prompt, or the embedded inputs).
type Request struct {
	Endpoint string
	Model    string
	System   string
	User     string // the last user message
	All      string // every message's content, joined by newlines
}

// Reply decides an answer for a request; ok false passes to the next rule.
type Reply func(r Request) (answer string, ok bool)

// Server is the fake. Set its fields before the calls it should affect.
type Server struct {
	*httptest.Server
	Models []string      // what /api/tags lists; others get Ollama's 404
	Delay  time.Duration // before each answer (a slow model)
	Chunk  int           // characters per streamed chunk (default 7)
	Dim    int           // embedding size (default 64)

	mu       sync.Mutex
	rules    []Reply
	fallback string
	requests []Request
}

// New starts a server that lists llama3.2:latest, qwen2.5:7b and
// nomic-embed-text:latest and answers "" until told otherwise.
func New(t testing.TB) *Server {
	s := &Server{Models: []string{"llama3.2:latest", "qwen2.5:7b", "nomic-embed-text:latest"}, Chunk: 7, Dim: 64}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", s.tags)
	mux.HandleFunc("POST /api/chat", s.chat)
	mux.HandleFunc("POST /api/generate", s.generate)
	mux.HandleFunc("POST /api/embed", s.embed)
	mux.HandleFunc("POST /api/embeddings", s.embeddings)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// AbsentURL is the address of a port nothing listens on: an Ollama that
// is not running.
func AbsentURL(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// On answers reply to requests whose user message contains every one of
// words (case-insensitive). Rules are tried in the order they were added.
func (s *Server) On(reply string, words ...string) {
	s.OnFunc(func(r Request) (string, bool) {
		u := strings.ToLower(r.User)
		for _, w := range words {
			if !strings.Contains(u, strings.ToLower(w)) {
				return "", false
			}
		}
		return reply, true
	})
}

// OnFunc adds a rule computed from the request.
func (s *Server) OnFunc(f Reply) {
	s.mu.Lock()
	s.rules = append(s.rules, f)
	s.mu.Unlock()
}

// Otherwise is the answer when no rule matches.
func (s *Server) Otherwise(reply string) {
	s.mu.Lock()
	s.fallback = reply
	s.mu.Unlock()
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) answer(r Request) string {
	s.mu.Lock()
	s.requests = append(s.requests, r)
	rules, fb := append([]Reply(nil), s.rules...), s.fallback
	s.mu.Unlock()
	for _, f := range rules {
		if a, ok := f(r); ok {
			return a
		}
	}
	return fb
}

func (s *Server) known(m string) bool {
	for _, n := range s.Models {
		if n == m || n == m+":latest" {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, model string) {
	writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("model %q not found, try pulling it first", model)})
}

func (s *Server) tags(w http.ResponseWriter, _ *http.Request) {
	var ms []map[string]any
	for _, n := range s.Models {
		ms = append(ms, map[string]any{"name": n, "model": n, "modified_at": "2026-11-10T08:06:48.639712648Z", "size": 2019393189,
			"digest":  "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
			"details": map[string]any{"format": "gguf", "family": "llama", "families": []string{"llama"}, "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": ms})
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model    string    `json:"model"`
		Messages []message `json:"messages"`
		Stream   *bool     `json:"stream"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if !s.known(req.Model) {
		notFound(w, req.Model)
		return
	}
	rq := Request{Endpoint: "chat", Model: req.Model}
	var all []string
	for _, m := range req.Messages {
		all = append(all, m.Content)
		switch m.Role {
		case "system":
			rq.System += m.Content
		case "user":
			rq.User = m.Content
		}
	}
	rq.All = strings.Join(all, "\n")
	reply := s.answer(rq)
	s.respond(w, r, req.Stream == nil || *req.Stream, reply, func(content string, done bool) map[string]any {
		return map[string]any{"model": req.Model, "created_at": time.Now().UTC().Format(time.RFC3339Nano),
			"message": map[string]any{"role": "assistant", "content": content}, "done": done}
	})
}

func (s *Server) generate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model  string `json:"model"`
		System string `json:"system"`
		Prompt string `json:"prompt"`
		Stream *bool  `json:"stream"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if !s.known(req.Model) {
		notFound(w, req.Model)
		return
	}
	reply := s.answer(Request{Endpoint: "generate", Model: req.Model, System: req.System, User: req.Prompt, All: req.System + "\n" + req.Prompt})
	s.respond(w, r, req.Stream == nil || *req.Stream, reply, func(content string, done bool) map[string]any {
		return map[string]any{"model": req.Model, "created_at": time.Now().UTC().Format(time.RFC3339Nano), "response": content, "done": done}
	})
}

// respond waits Delay (or until the client gives up), then streams the
// reply as NDJSON chunks, or sends it whole when streaming is off.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, stream bool, reply string, obj func(string, bool) map[string]any) {
	select {
	case <-time.After(s.Delay):
	case <-r.Context().Done():
		return
	}
	final := func(m map[string]any) map[string]any {
		m["done_reason"] = "stop"
		m["total_duration"], m["eval_count"] = 1200000, len([]rune(reply))/4+1
		return m
	}
	if !stream {
		writeJSON(w, http.StatusOK, final(obj(reply, true)))
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	rs := []rune(reply)
	chunk := max(s.Chunk, 1)
	for i := 0; i < len(rs); i += chunk {
		enc.Encode(obj(string(rs[i:min(i+chunk, len(rs))]), false))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	enc.Encode(final(obj("", true)))
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if !s.known(req.Model) {
		notFound(w, req.Model)
		return
	}
	// Ollama takes one string or a list of them.
	var inputs []string
	var one string
	if err := json.Unmarshal(req.Input, &one); err == nil {
		inputs = []string{one}
	} else if err := json.Unmarshal(req.Input, &inputs); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid input type"})
		return
	}
	s.answer(Request{Endpoint: "embed", Model: req.Model, User: strings.Join(inputs, "\n"), All: strings.Join(inputs, "\n")})
	select {
	case <-time.After(s.Delay):
	case <-r.Context().Done():
		return
	}
	out := make([][]float32, len(inputs))
	for i, in := range inputs {
		out[i] = Embedding(in, s.Dim)
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": req.Model, "embeddings": out})
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model  string `json:"model"`
		Prompt string `json:"prompt"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if !s.known(req.Model) {
		notFound(w, req.Model)
		return
	}
	s.answer(Request{Endpoint: "embed", Model: req.Model, User: req.Prompt, All: req.Prompt})
	writeJSON(w, http.StatusOK, map[string]any{"embedding": Embedding(req.Prompt, s.Dim)})
}

// Embedding is the fake's embedding of text: a unit vector of hashed words
// (Latin letters and digits) and character pairs (Chinese), so texts that
// share words point the same way, as a real embedding model's would for
// these purposes, and the same text always gets the same vector.
func Embedding(text string, dim int) []float32 {
	if dim <= 0 {
		dim = 64
	}
	v := make([]float64, dim)
	add := func(tok string) {
		h := fnv.New32a()
		h.Write([]byte(tok))
		x := h.Sum32()
		sign := 1.0
		if x&1 == 1 {
			sign = -1
		}
		v[int(x>>1)%dim] += sign
	}
	var word []rune
	var prev rune
	flush := func() {
		if len(word) > 2 {
			add(strings.ToLower(string(word)))
		}
		word = word[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			if prev != 0 {
				add(string([]rune{prev, r}))
			}
			prev = r
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, r)
		default:
			flush()
		}
		prev = 0
	}
	flush()
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, dim)
	if n == 0 {
		out[0] = 1
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}
