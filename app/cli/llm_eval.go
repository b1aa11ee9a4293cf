package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/eval"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
)

// llmSubcommands are the commands under `marketbench llm`; each keeps its
// command in its own llm_*.go file and registers it in init.
var llmSubcommands []func(e *env) *cobra.Command

func registerLLMCmd(f func(e *env) *cobra.Command) { llmSubcommands = append(llmSubcommands, f) }

func (e *env) llmCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "llm", Short: "The local language model (Ollama): measure how well a model answers questions about data"}
	for _, f := range llmSubcommands {
		cmd.AddCommand(f(e))
	}
	return cmd
}

func init() { registerLLMCmd(func(e *env) *cobra.Command { return e.llmEvalCmd() }) }

// evalAsker is the assistant that `llm eval` measures: the one `ask` uses.
var evalAsker eval.Asker = eval.Assistant

// evalDemo sizes the demo projects of `llm eval`; tests make it small.
var evalDemo core.DemoOptions

func (e *env) llmEvalCmd() *cobra.Command {
	var model, lang string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "eval [--model MODEL] [--questions en|zh]",
		Short: "Measure a model: ask it 50 questions (English and Chinese) over the demo projects and report its accuracy",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if evalAsker == nil {
				return i18n.Errorf("this build has no assistant to evaluate yet; llm eval needs the assistant (marketbench ask)")
			}
			if _, err := eval.Questions(lang); err != nil {
				return err
			}
			if strings.TrimSpace(model) == "" {
				s, err := core.LoadLLMSettings()
				if err != nil {
					return err
				}
				model = s.Model
				if model == "" {
					model = llm.DefaultModel
				}
			}
			progress, clear := e.progress()
			rep, err := eval.Run(cmd.Context(), evalAsker, eval.Options{Model: model, Lang: lang, Timeout: timeout, Demo: evalDemo, Progress: progress})
			clear()
			if err != nil {
				return err
			}
			return e.emit(rep, func(o io.Writer) { writeEvalReport(o, rep) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&model, "model", "", "the Ollama model to measure (default: the one in the settings, else "+llm.DefaultModel+")")
	// Not --lang: that flag chooses the language of messages everywhere.
	f.StringVar(&lang, "questions", "", "only the English (en) or Chinese (zh) questions (default: both)")
	f.DurationVar(&timeout, "timeout", eval.DefaultTimeout, "how long one question may take")
	e.require(cmd, duration("timeout"))
	return cmd
}

func writeEvalReport(o io.Writer, rep *eval.Report) {
	var rows [][]string
	for _, it := range rep.Items {
		mark := i18n.T("right")
		if !it.Correct {
			mark = i18n.T("WRONG")
		}
		rows = append(rows, []string{it.ID, mark, fmt.Sprintf("%.1fs", it.Seconds), it.Question, it.Reason})
	}
	table(o, []string{i18n.T("ID"), i18n.T("RESULT"), i18n.T("TIME"), i18n.T("QUESTION"), i18n.T("WHY")}, rows)
	fmt.Fprintln(o)
	fmt.Fprintln(o, i18n.T("Accuracy of %s: %d of %d questions right (%.1f%%) in %.0f s.", rep.Model, rep.Correct, rep.Questions, 100*rep.Accuracy, rep.Seconds))
	for _, s := range rep.ByLang {
		name := i18n.T("English")
		if s.Lang == eval.Chinese {
			name = i18n.T("Chinese")
		}
		fmt.Fprintln(o, "  "+i18n.T("%s: %d of %d (%.1f%%)", name, s.Correct, s.Questions, 100*s.Accuracy))
	}
}
