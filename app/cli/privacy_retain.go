package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/retention"
)

func init() { registerPrivacyCmd(func(e *env) *cobra.Command { return e.privacyRetainCmd() }) }

func (e *env) privacyRetainCmd() *cobra.Command {
	var dry bool
	cmd := &cobra.Command{
		Use:   "retain [--dry-run]",
		Short: "Apply the retention rules: delete, or sum up per month, the rows older than each rule keeps",
		Long: "Applies every retention rule (see 'privacy retain set'): rows dated before the cutoff are deleted, or, with the\n" +
			"aggregate action, first added to the table's monthly summary (TABLE_retained_monthly: counts and sums, no\n" +
			"identifiers). Each rule is one transaction and is recorded in the audit log. When rows were removed the project\n" +
			"file is rewritten so they are gone from its bytes. --dry-run counts the rows and changes nothing. The automation\n" +
			"runner applies the rules once a day when the project has journeys.",
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			progress, done := e.progress()
			rep, err := w.ApplyRetention(ctx, dry, progress)
			done()
			if rep == nil {
				return err
			}
			if perr := e.emit(retentionJSON(rep), func(o io.Writer) { printRetention(o, rep) }); perr != nil {
				return perr
			}
			if err != nil {
				return err
			}
			failed := 0
			for _, r := range rep.Rules {
				if r.Err != nil {
					failed++
				}
			}
			if failed > 0 {
				return i18n.Errorf("%d retention rule(s) could not be applied; change or remove them ('privacy retain set' or 'privacy retain remove')", failed)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "count the rows each rule would remove; change nothing")
	cmd.AddCommand(e.retainSetCmd(), e.retainListCmd(), e.retainRemoveCmd())
	return cmd
}

func (e *env) retainSetCmd() *cobra.Command {
	var r core.RetentionRule
	var action string
	cmd := &cobra.Command{
		Use:   "set TABLE --column DATE_COLUMN --months N --action delete|aggregate",
		Short: "Keep a table's rows for N months by a date column (replaces the table's rule)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := retention.ParseAction(action)
			if err != nil {
				return err
			}
			r.Table, r.Action = args[0], a
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				set, err := w.SetRetentionRule(ctx, r)
				if err != nil {
					return err
				}
				return e.emit(ruleJSON(set), func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Retention rule set: %s.", ruleText(set)))
					fmt.Fprintln(o, i18n.T("Nothing is removed yet: 'marketbench privacy retain --dry-run' shows what would be, 'marketbench privacy retain' applies it; the automation runner applies it daily when the project has journeys."))
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Column, "column", "", "the date or timestamp column rows are aged by")
	f.IntVar(&r.Months, "months", 0, "keep rows for this many months")
	f.StringVar(&action, "action", "", "delete, or aggregate (sum up per month, then delete)")
	return cmd
}

func (e *env) retainListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the retention rules, when each was last applied and what it would remove now",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			rep, err := w.ApplyRetention(ctx, true, nil)
			if err != nil {
				return err
			}
			out := []map[string]any{}
			for _, r := range rep.Rules {
				m := ruleJSON(r.Rule)
				m["would_remove"], m["cutoff"] = r.Rows, r.Cutoff.Format(time.DateOnly)
				if r.Err != nil {
					m["would_remove"], m["error"] = nil, r.Err.Error()
				}
				out = append(out, m)
			}
			return e.emit(map[string]any{"rules": out}, func(o io.Writer) {
				if len(rep.Rules) == 0 {
					fmt.Fprintln(o, i18n.T("No retention rules; add one with 'marketbench privacy retain set TABLE --column C --months N --action delete|aggregate'."))
					return
				}
				rows := [][]string{}
				for _, r := range rep.Rules {
					last := i18n.T("never")
					if !r.LastRunAt.IsZero() {
						last = r.LastRunAt.Local().Format("2006-01-02 15:04")
						if r.LastRows >= 0 {
							last += " " + i18n.T("(%d removed)", r.LastRows)
						} else {
							last += " " + i18n.T("(failed)")
						}
					}
					now := strconv.FormatInt(r.Rows, 10)
					if r.Err != nil {
						now = i18n.Error(r.Err)
					}
					rows = append(rows, []string{r.Table, r.Column, strconv.Itoa(r.Months), actionName(r.Action), last, now})
				}
				table(o, []string{i18n.T("TABLE"), i18n.T("DATE COLUMN"), i18n.T("MONTHS"), i18n.T("ACTION"), i18n.T("LAST APPLIED"), i18n.T("WOULD REMOVE NOW")}, rows)
			})
		}),
	}
}

func (e *env) retainRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove TABLE",
		Short: "Remove a table's retention rule (its rows are kept from then on)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.RemoveRetentionRule(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"removed": args[0]}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Retention rule for %s removed; its rows are kept from now on.", args[0]))
				})
			})(cmd, args)
		},
	}
}

// actionName is an action in the reader's language.
func actionName(a retention.Action) string {
	if a == retention.Aggregate {
		return i18n.T("sum up per month, then delete")
	}
	return i18n.T("delete")
}

func ruleText(r core.RetentionRule) string {
	if r.Action == retention.Aggregate {
		return i18n.T("rows of %s older than %d month(s) by %s are summed up per month into %s, then deleted", r.Table, r.Months, r.Column, retention.SummaryTable(r.Table))
	}
	return i18n.T("rows of %s older than %d month(s) by %s are deleted", r.Table, r.Months, r.Column)
}

func ruleJSON(r core.RetentionRule) map[string]any {
	m := map[string]any{"table": r.Table, "date_column": r.Column, "months": r.Months, "action": string(r.Action),
		"created_at": r.CreatedAt.UTC().Format(time.RFC3339), "last_run_at": nil, "last_rows": nil}
	if !r.LastRunAt.IsZero() {
		m["last_run_at"] = r.LastRunAt.UTC().Format(time.RFC3339)
		if r.LastRows >= 0 {
			m["last_rows"] = r.LastRows
		}
	}
	return m
}

func retentionJSON(rep *core.RetentionReport) map[string]any {
	rules := []map[string]any{}
	for _, r := range rep.Rules {
		m := map[string]any{"table": r.Table, "date_column": r.Column, "months": r.Months, "action": string(r.Action),
			"cutoff": r.Cutoff.Format(time.DateOnly), "rows": r.Rows, "summary_table": nil, "error": nil}
		if r.Summary != "" {
			m["summary_table"] = r.Summary
		}
		if r.Err != nil {
			m["error"] = r.Err.Error()
		}
		rules = append(rules, m)
	}
	return map[string]any{"now": rep.Now.Format(time.RFC3339), "dry_run": rep.DryRun, "removed": rep.Removed,
		"rewritten": rep.Rewritten, "rules": rules}
}

func printRetention(o io.Writer, rep *core.RetentionReport) {
	if len(rep.Rules) == 0 {
		fmt.Fprintln(o, i18n.T("No retention rules; add one with 'marketbench privacy retain set TABLE --column C --months N --action delete|aggregate'."))
		return
	}
	head := i18n.T("REMOVED")
	if rep.DryRun {
		head = i18n.T("WOULD REMOVE")
	}
	rows := [][]string{}
	for _, r := range rep.Rules {
		n := strconv.FormatInt(r.Rows, 10)
		if r.Err != nil {
			n = i18n.T("not applied: %s", i18n.Error(r.Err))
		} else if r.Summary != "" {
			n += " " + i18n.T("(summed into %s)", r.Summary)
		}
		rows = append(rows, []string{r.Table, r.Column, actionName(r.Action), r.Cutoff.Format(time.DateOnly), n})
	}
	table(o, []string{i18n.T("TABLE"), i18n.T("DATE COLUMN"), i18n.T("ACTION"), i18n.T("ROWS DATED BEFORE"), head}, rows)
	switch {
	case rep.DryRun:
		fmt.Fprintln(o, i18n.T("Dry run: nothing was changed. %d row(s) would be removed.", rep.Removed))
	case rep.Rewritten:
		fmt.Fprintln(o, i18n.T("%d row(s) removed. The project file was rewritten: the removed rows are gone from its bytes.", rep.Removed))
	default:
		fmt.Fprintln(o, i18n.T("%d row(s) removed.", rep.Removed))
	}
}
