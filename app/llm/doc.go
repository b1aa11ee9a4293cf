// Package llm writes campaign copy with a local language model (Ollama,
// through langchaingo), with guardrails, and an offline template-based
// fallback when no model is available.
package llm

// langchaingo is required here; the package is being built.
import _ "github.com/tmc/langchaingo/llms/ollama"
