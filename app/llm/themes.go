package llm

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
)

// DefaultEmbedModel is the embedding model review themes use when none is
// set: small, multilingual enough for English and Chinese, and what the
// Ollama documentation suggests.
const DefaultEmbedModel = "nomic-embed-text"

// Embed returns one vector per text from an embedding model of the local
// Ollama (its /api/embed, through langchaingo). Each call is bounded by the
// client's idle time; the caller batches texts to show progress and to
// cancel between batches.
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		model = DefaultEmbedModel
	}
	m, err := ollama.New(ollama.WithServerURL(c.url), ollama.WithModel(model), ollama.WithHTTPClient(c.http))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.idle, &TimeoutError{After: c.idle, Silent: true})
	defer cancel()
	vs, err := m.CreateEmbedding(ctx, texts)
	if ctx.Err() != nil {
		return nil, c.ctxError(ctx, err, c.idle, true)
	}
	if err != nil {
		e := c.classify(ctx, err)
		if mm, ok := e.(*ModelMissingError); ok && mm.Model == c.model {
			mm.Model = model // classify names the chat model when Ollama's message does not say
		}
		return nil, e
	}
	if len(vs) != len(texts) {
		return nil, &ReplyError{Msg: "the embedding model returned fewer vectors than texts"}
	}
	return vs, nil
}

// ThemePrompt is what the model may see to name one theme: its keywords
// always; sample texts only when the user allowed raw text for this request.
type ThemePrompt struct {
	Chinese  bool // name it in Chinese
	Keywords []string
	Samples  []string
}

// ThemeSystem is the system prompt of NameTheme.
const ThemeSystem = "You name groups of customer reviews for a marketing team. " +
	"Answer with the name only: two to five words, no quotes, no explanation."

// UserPrompt is the user message for p.
func (p ThemePrompt) UserPrompt() string {
	var b strings.Builder
	if p.Chinese {
		b.WriteString("Name this theme of customer reviews in Simplified Chinese (2–8 characters).\n")
	} else {
		b.WriteString("Name this theme of customer reviews in English.\n")
	}
	b.WriteString("Keywords, most telling first: " + strings.Join(p.Keywords, ", ") + "\n")
	if len(p.Samples) > 0 {
		b.WriteString("Typical reviews:\n")
		for _, s := range p.Samples {
			b.WriteString("- " + oneLine(s, 300) + "\n")
		}
	}
	return b.String()
}

// NameTheme asks the chat model for a theme's name. The answer is cut to
// its first line and 60 characters; an empty answer is an error, so the
// caller falls back to the keywords.
func (c *Client) NameTheme(ctx context.Context, p ThemePrompt) (string, error) {
	m, err := ollama.New(ollama.WithServerURL(c.url), ollama.WithModel(c.model), ollama.WithHTTPClient(c.http))
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.idle, &TimeoutError{After: c.idle, Silent: true})
	defer cancel()
	resp, err := m.GenerateContent(ctx, []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, ThemeSystem),
		llms.TextParts(llms.ChatMessageTypeHuman, p.UserPrompt()),
	}, llms.WithTemperature(0.2))
	if ctx.Err() != nil {
		return "", c.ctxError(ctx, err, c.idle, true)
	}
	if err != nil {
		return "", c.classify(ctx, err)
	}
	name := ""
	if resp != nil && len(resp.Choices) > 0 {
		name = resp.Choices[0].Content
	}
	name = strings.Trim(oneLine(name, 60), " \"'“”「」《》.。:：*#")
	if name == "" {
		return "", &ReplyError{Msg: "the model " + c.model + " returned an empty name"}
	}
	return name, nil
}

// oneLine is s's first non-empty line, at most n characters.
func oneLine(s string, n int) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			s = l
			break
		}
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return s
}
