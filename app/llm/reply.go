package llm

import (
	"context"
	"strings"
)

// Reply sends one system and user prompt and returns the model's whole
// answer, trimmed, with Chat's timeouts and errors. It is for short texts
// such as an explanation of results.
func (c *Client) Reply(ctx context.Context, system, user string, temperature float64) (string, error) {
	out, err := c.Chat(ctx, []Message{{Role: "system", Content: system}, {Role: "user", Content: user}}, temperature)
	return strings.TrimSpace(out), err
}
