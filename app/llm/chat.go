package llm

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// Message is one turn of a conversation with the model: Role is "system",
// "user" or "assistant".
type Message struct {
	Role, Content string
}

// Chat sends a conversation and returns the model's whole reply, with the
// same limits (Timeout, Idle) and the same errors that say what to do
// (UnreachableError, ModelMissingError, TimeoutError) as Generate. A low
// temperature suits answers that must be exact, such as SQL.
func (c *Client) Chat(ctx context.Context, msgs []Message, temperature float64) (string, error) {
	model, err := ollama.New(ollama.WithServerURL(c.url), ollama.WithModel(c.model), ollama.WithHTTPClient(c.http))
	if err != nil {
		return "", err
	}
	ctx, cancelAll := context.WithTimeoutCause(ctx, c.timeout, &TimeoutError{After: c.timeout})
	defer cancelAll()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	idle := time.AfterFunc(c.idle, func() { cancel(&TimeoutError{After: c.idle, Silent: true}) })
	defer idle.Stop()

	var content []llms.MessageContent
	for _, m := range msgs {
		t := llms.ChatMessageTypeHuman
		switch m.Role {
		case "system":
			t = llms.ChatMessageTypeSystem
		case "assistant":
			t = llms.ChatMessageTypeAI
		}
		content = append(content, llms.TextParts(t, m.Content))
	}
	var streamed strings.Builder
	resp, err := model.GenerateContent(ctx, content, llms.WithTemperature(temperature),
		llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error {
			mu.Lock()
			defer mu.Unlock()
			idle.Reset(c.idle)
			streamed.Write(chunk)
			return nil
		}))
	idle.Stop()
	mu.Lock()
	defer mu.Unlock()
	// As in Generate: the stream ends quietly when the context is
	// cancelled, so the context is checked whatever it says.
	if ctx.Err() != nil {
		return "", c.ctxError(ctx, err, 0, false)
	}
	if err != nil {
		return "", c.classify(ctx, err)
	}
	out := ""
	if resp != nil && len(resp.Choices) > 0 {
		out = resp.Choices[0].Content
	}
	if strings.TrimSpace(out) == "" {
		if streamed.Len() > 0 {
			return "", &ReplyError{Msg: "the reply stopped before it was complete (Ollama never said it was done); try again"}
		}
		return "", &ReplyError{Msg: "the model " + c.model + " returned an empty reply; try again or choose another model"}
	}
	return out, nil
}
