package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/chart"
	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/llm"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) askCmd() *cobra.Command {
	var req core.AskRequest
	var sql, chartOut string
	cmd := &cobra.Command{
		Use:   `ask "QUESTION"`,
		Short: "Ask the data a question in words (English or Chinese); a local model (Ollama) writes the SQL",
		Long: "The local model writes one SELECT from the tables' names, types, column roles and a few aggregates\n" +
			"(never personal values); it runs read-only with the SQL console's guard and limits, and a failing query\n" +
			"is given back to the model once. The answer in words is checked: numbers not in the result are marked [?].\n" +
			"Personal values of the result reach the model only with --allow-values. --sql runs an edited query instead.",
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 0) == (sql == "") {
				return i18n.Errorf("give a question in quotes, or an edited query with --sql")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				var a *core.AskAnswer
				var err error
				if sql != "" {
					a, err = w.AskSQL(ctx, sql)
				} else {
					req.Question = args[0]
					a, err = w.Ask(ctx, req)
				}
				var fe *core.AskFailedError
				if errors.As(err, &fe) && !e.json {
					fmt.Fprintln(e.errOut, i18n.T("SQL tried:")+"\n"+fe.SQL)
				}
				if err != nil {
					return err
				}
				if chartOut != "" {
					if err := saveAskChart(a, chartOut); err != nil {
						return err
					}
				}
				return e.emit(a, func(o io.Writer) { printAnswer(o, a) })
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Model, "model", "", "Ollama model (default: the setting, else "+llm.DefaultModel+")")
	f.BoolVar(&req.AllowValues, "allow-values", false, "let the model see personal values of the result (names, e-mails…) to phrase the answer")
	f.StringVar(&sql, "sql", "", "run this (edited) query through the same guard instead of asking")
	f.StringVar(&chartOut, "chart", "", "save the answer's chart to this .png, .svg or .pdf file")
	return cmd
}

func saveAskChart(a *core.AskAnswer, path string) error {
	p, err := core.AskChart(a)
	if err != nil {
		return err
	}
	if p == nil {
		return i18n.Errorf("this answer has no chart: a chart needs a label or date and a number per row")
	}
	return chart.Save(p, path, chart.DefaultWidth, chart.DefaultHeight)
}

func printAnswer(o io.Writer, a *core.AskAnswer) {
	if a.Clarify != "" {
		fmt.Fprintln(o, i18n.T("The model asks: %s", a.Clarify))
		fmt.Fprintln(o, i18n.T("Ask again with the details it needs."))
		return
	}
	fmt.Fprintln(o, "SQL:\n"+a.SQL+"\n") // i18n:keep
	rows := make([][]string, len(a.Rows))
	for i, r := range a.Rows {
		rows[i] = make([]string, len(r))
		for j, v := range r {
			if v != nil {
				rows[i][j] = fmt.Sprint(v)
			}
		}
	}
	table(o, a.Columns, rows)
	if a.Truncated {
		fmt.Fprintln(o, i18n.T("(first %d rows shown; add LIMIT or export with sql:QUERY)", len(a.Rows)))
	}
	if a.Words != "" {
		fmt.Fprintln(o, "\n"+a.Words)
	}
	if len(a.Unverified) > 0 {
		fmt.Fprintln(o, i18n.T("Numbers marked [?] are not in the result: %s", strings.Join(a.Unverified, ", ")))
	}
}
