package ollamatest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// The real langchaingo client talks to the fake: a scripted chat answer,
// the request recorded, embeddings that put shared words close, a
// missing model and a server that is not there.
func TestRealClientAgainstTheFake(t *testing.T) {
	ctx := context.Background()
	s := New(t)
	s.On("SELECT 1", "how many")
	s.Otherwise("I do not know")
	llm, err := ollama.New(ollama.WithServerURL(s.URL), ollama.WithModel("qwen2.5:7b"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, "You write SQL."),
		llms.TextParts(llms.ChatMessageTypeHuman, "How many customers?"),
	})
	if err != nil || resp.Choices[0].Content != "SELECT 1" {
		t.Fatalf("chat: %+v %v", resp, err)
	}
	if r := s.Requests(); len(r) != 1 || r[0].System != "You write SQL." || r[0].User != "How many customers?" || r[0].Endpoint != "chat" {
		t.Fatalf("recorded: %+v", r)
	}
	out, err := llms.GenerateFromSinglePrompt(ctx, llm, "something else")
	if err != nil || out != "I do not know" {
		t.Fatalf("fallback: %q %v", out, err)
	}

	emb, err := ollama.New(ollama.WithServerURL(s.URL), ollama.WithModel("nomic-embed-text"))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := emb.CreateEmbedding(ctx, []string{"slow delivery, parcel late", "the parcel delivery was late", "蓝色 连衣裙 很漂亮"})
	if err != nil || len(vs) != 3 || len(vs[0]) != 64 {
		t.Fatalf("embed: %d %v", len(vs), err)
	}
	dot := func(a, b []float32) (d float32) {
		for i := range a {
			d += a[i] * b[i]
		}
		return d
	}
	if dot(vs[0], vs[1]) <= dot(vs[0], vs[2]) {
		t.Errorf("texts sharing words are not closer: %v vs %v", dot(vs[0], vs[1]), dot(vs[0], vs[2]))
	}

	missing, _ := ollama.New(ollama.WithServerURL(s.URL), ollama.WithModel("nope"))
	if _, err := llms.GenerateFromSinglePrompt(ctx, missing, "hi"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing model: %v", err)
	}
	absent, _ := ollama.New(ollama.WithServerURL(AbsentURL(t)), ollama.WithModel("qwen2.5:7b"))
	if _, err := llms.GenerateFromSinglePrompt(ctx, absent, "hi"); err == nil {
		t.Error("an absent server answered")
	}
	s.Delay = time.Second
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := llms.GenerateFromSinglePrompt(short, llm, "how many"); err == nil {
		t.Error("a slow server answered within the deadline")
	}
}
