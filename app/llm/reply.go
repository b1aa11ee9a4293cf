package llm

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// Reply sends one system and user prompt and returns the model's whole
// answer, with the same timeouts and errors as Generate (unreachable,
// model missing, timed out, silent). It is for short texts such as an
// explanation of results.
func (c *Client) Reply(ctx context.Context, system, user string, temperature float64) (string, error) {
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
	var streamed strings.Builder
	resp, err := model.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeHuman, user),
	}, llms.WithTemperature(temperature), llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error {
		mu.Lock()
		defer mu.Unlock()
		idle.Reset(c.idle)
		streamed.Write(chunk)
		return nil
	}))
	idle.Stop()
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() != nil {
		return "", c.ctxError(ctx, err, 0, false)
	}
	if err != nil {
		return "", c.classify(ctx, err)
	}
	content := ""
	if resp != nil && len(resp.Choices) > 0 {
		content = resp.Choices[0].Content
	}
	if strings.TrimSpace(content) == "" {
		if streamed.Len() > 0 {
			return "", &ReplyError{Msg: "the reply stopped before it was complete (Ollama never said it was done); try again"}
		}
		return "", &ReplyError{Msg: "the model " + c.model + " returned an empty reply; try again or choose another model"}
	}
	return strings.TrimSpace(content), nil
}
