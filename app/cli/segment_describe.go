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
	"github.com/marketbench/marketbench/storage/campaign"
)

func (e *env) segDescribeCmd() *cobra.Command {
	var r core.DescribeRequest
	var save bool
	cmd := &cobra.Command{
		Use:   `describe NAME "WORDS"`,
		Short: "Write a segment rule from words with the local model (Ollama) and count its customers; --save saves it",
		Long: `Write a segment rule from a description in words, English or Chinese, with the local model (Ollama).
The rule is checked against the table's columns by the rule parser; a rule that does not parse or
names an unknown column is sent back to the model once with the error. The prompt holds the table's
column names, kinds and roles and the values of text columns that are not personal data; never an
e-mail, name, phone or id of a customer.`,
		Example: `  marketbench segment describe "London champions" "champions in London who spent over 500"
  marketbench segment describe "北京高价值" "北京的重要价值客户" --save`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				r.Words = args[1]
				d, err := w.DescribeSegmentWith(ctx, r)
				if err != nil {
					return err
				}
				if save {
					s, err := w.SaveSegment(ctx, args[0], d.Table, d.Node)
					if err != nil {
						return err
					}
					d.Count = s.Size
				}
				out := map[string]any{"name": args[0], "table": d.Table, "words": d.Words, "rule": d.Rule, "count": d.Count,
					"attempts": d.Attempts, "notes": d.Notes, "model": d.Model, "saved": save}
				return e.emit(out, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Rule:      %s", d.Rule))
					fmt.Fprintln(o, i18n.T("Customers: %d (from %s)", d.Count, d.Table))
					for _, n := range d.Notes {
						fmt.Fprintln(o, i18n.T("Note: %s", n))
					}
					if save {
						fmt.Fprintln(o, i18n.T("Saved segment %q.", args[0]))
					} else {
						fmt.Fprintln(o, i18n.T("Not saved. Save it with --save, or edit it: marketbench segment create %q --table %s --rule %q", args[0], d.Table, d.Rule))
					}
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Table, "table", "", "table the customers come from (default: customers or the first with a customer id)")
	f.BoolVar(&save, "save", false, "save the segment under NAME")
	f.BoolVar(&r.AllowPersonal, "allow-personal", false, "send WORDS to the model even when they hold personal data (an e-mail, a phone number, a customer id)")
	f.StringVar(&r.Model, "model", "", "Ollama model (default: the setting, else "+llm.DefaultModel+")")
	f.StringVar(&r.URL, "url", "", "Ollama URL (default: the setting, else $OLLAMA_HOST, else "+llm.DefaultURL+")")
	return cmd
}

// audienceWords adds --rule-words to campaign create: the local model
// writes the rule that narrows the audience, as segment describe does,
// before the campaign is saved.
func (e *env) audienceWords(cmd *cobra.Command, c *campaign.Campaign) {
	var words string
	cmd.Flags().StringVar(&words, "rule-words", "", "narrow the audience by a rule the local model writes from these words, e.g. \"customers in London\"")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if strings.TrimSpace(words) == "" {
			return run(cmd, args)
		}
		if strings.TrimSpace(c.Rule) != "" {
			return i18n.Errorf("give the rule with --rule or in words with --rule-words, not both")
		}
		err := e.withProject(func(ctx context.Context, w *core.Workspace) error {
			d, err := w.DescribeSegment(ctx, c.Table, words)
			if err != nil {
				return err
			}
			c.Rule = d.Rule
			fmt.Fprintln(e.errOut, i18n.T("Audience rule from your words: %s (%d customers of %s match it).", d.Rule, d.Count, d.Table))
			return nil
		})(cmd, args)
		if err != nil {
			return err
		}
		return run(cmd, args)
	}
}
