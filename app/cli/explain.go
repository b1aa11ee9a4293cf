package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
)

// explainCmd is "explain segment|model|campaign|journey NAME".
func (e *env) explainCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Explain a segment, a model, a campaign's or a journey's results in words, with a local language model (Ollama)",
		Long: "Computes the facts of the result (counts, shares, averages, metrics, lifts: aggregates only, never a customer's data),\n" +
			"has the local model explain them in the language of the interface, and checks every number of the text against the facts.\n" +
			"A text with numbers not in the facts is written once more; numbers still not in the facts are marked ⚠ and listed.",
	}
	for _, kind := range core.ExplainKinds {
		cmd.AddCommand(e.explainKindCmd(kind))
	}
	return cmd
}

func (e *env) explainKindCmd(kind string) *cobra.Command {
	req := core.ExplainRequest{Kind: kind}
	short := map[string]string{
		core.ExplainSegment:  "Explain a segment: size, share, value, RFM mix, top categories and cities",
		core.ExplainModel:    "Explain a model: what it predicts, how well, and what matters most to it",
		core.ExplainCampaign: "Explain a campaign's results: conversions per variant against the holdout, uplift and verdict",
		core.ExplainJourney:  "Explain a journey's results: entries, steps and the goal against the holdout",
	}[kind]
	cmd := &cobra.Command{
		Use:   kind + " NAME",
		Short: short,
		Args:  explainArgs(kind),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Name = args[0]
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				x, err := w.ExplainResults(ctx, req)
				if err != nil {
					if x != nil && !e.json {
						// The facts stand without the model.
						printFacts(e.out, x)
					}
					return err
				}
				if w := x.Warning(); w != "" && !e.json {
					fmt.Fprintln(e.errOut, "marketbench: "+w)
				}
				return e.emit(x, func(o io.Writer) { printExplanation(o, x) })
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Model, "model", "", "Ollama model (default: the setting, else "+llm.DefaultModel+")")
	f.StringVar(&req.URL, "url", "", "Ollama URL (default: the setting, else $OLLAMA_HOST, else "+llm.DefaultURL+")")
	f.DurationVar(&req.Timeout, "timeout", llm.DefaultTimeout, "give up after this long")
	e.require(cmd, duration("timeout"))
	return cmd
}

// explainArgs wants one name, with an error that says what to type.
func explainArgs(kind string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != 1 {
			return i18n.Errorf("name the %s to explain, e.g. marketbench explain %s NAME", kind, kind)
		}
		return nil
	}
}

func printExplanation(o io.Writer, x *core.Explanation) {
	fmt.Fprintln(o, x.Text)
	fmt.Fprintln(o)
	if x.Verified() {
		fmt.Fprintln(o, i18n.T("Every number above is in the facts below (written by %s).", x.Model))
	} else {
		fmt.Fprintln(o, x.Warning())
	}
	fmt.Fprintln(o)
	printFacts(o, x)
}

func printFacts(o io.Writer, x *core.Explanation) {
	fmt.Fprintln(o, i18n.T("Facts computed by Marketbench:"))
	var rows [][]string
	for _, f := range x.Facts {
		rows = append(rows, []string{f.Label, strings.TrimSpace(f.Text)})
	}
	table(o, []string{i18n.T("fact"), i18n.T("value")}, rows)
}
