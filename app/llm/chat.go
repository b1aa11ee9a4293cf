package llm

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// Message is one turn of a chat: Role is "system", "user" or "assistant".
type Message struct {
	Role, Content string
}

// Chat sends a conversation and returns the model's whole reply, with the
// same timeouts and errors (UnreachableError, ModelMissingError,
// TimeoutError, ReplyError) as Generate. Temperature 0 asks for the most
// likely answer, as rule and query writing want.
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
		role := llms.ChatMessageTypeHuman
		switch m.Role {
		case "system":
			role = llms.ChatMessageTypeSystem
		case "assistant":
			role = llms.ChatMessageTypeAI
		}
		content = append(content, llms.TextParts(role, m.Content))
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
	// The stream reader ends quietly when the context is cancelled.
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
	switch {
	case out == "" && streamed.Len() > 0:
		return "", &ReplyError{Msg: "the reply stopped before it was complete (Ollama never said it was done); try again"}
	case strings.TrimSpace(out) == "":
		return "", &ReplyError{Msg: "the model " + c.model + " returned an empty reply; try again or choose another model"}
	}
	return out, nil
}
