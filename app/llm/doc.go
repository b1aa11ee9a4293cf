// Package llm writes campaign copy with a local language model (Ollama,
// through langchaingo), checks it with guardrails, and falls back to an
// offline template-based generator when no model is available.
//
// It is pure logic plus the Ollama client: no GUI, no project storage. The
// audience reaches it only as a Profile of aggregates, so no customer's
// name, e-mail or phone number can get into a prompt.
//
// Prompts are Go text/template files: the defaults are embedded in
// assets/prompts, and a file of the same name in the user's prompt folder
// (PromptDir) takes precedence, so users can edit them.
package llm
