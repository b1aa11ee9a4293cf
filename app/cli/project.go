package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/spf13/cobra"
)

func (e *env) projectCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "project", Short: "Work with project files themselves"}
	cmd.AddCommand(&cobra.Command{
		Use:   "safe-copy SRC [DST]",
		Short: "Copy a project's data into a new project, leaving out any SQL code it holds",
		Long: "A project that holds SQL code Marketbench did not write (macros, views, defaults, generated\n" +
			"columns, checks) is refused on open, because that code could run on this computer. safe-copy\n" +
			"reads its tables and Marketbench metadata as plain values into a new project (default: beside\n" +
			"it, named NAME-safe.mbproj) and says what it left out. SRC is not changed.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			dst := core.SafeCopyPath(args[0])
			if len(args) == 2 {
				dst = args[1]
			}
			w, rep, err := core.SafeCopy(cmd.Context(), args[0], dst)
			if err != nil {
				return err
			}
			defer w.Close()
			left := rep.LeftOut
			if left == nil {
				left = []string{}
			}
			tables := rep.Tables
			if tables == nil {
				tables = []string{}
			}
			return e.emit(map[string]any{"path": rep.Path, "tables": tables, "left_out": left}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Wrote %s with %d tables: %s", rep.Path, len(rep.Tables), strings.Join(rep.Tables, ", ")))
				if len(rep.LeftOut) > 0 {
					fmt.Fprintln(o, i18n.T("Left out (%d):\n  %s", len(rep.LeftOut), strings.Join(rep.LeftOut, "\n  ")))
				}
			})
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "currency [CODE]",
		Short: "Show or set the project's currency (CNY, USD, EUR, GBP…), used in charts and tables",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if len(args) == 1 {
					if err := w.SetCurrency(ctx, args[0]); err != nil {
						return err
					}
				}
				code := w.Currency(ctx)
				return e.emit(map[string]any{"currency": code, "symbol": i18n.Symbol(code)}, func(o io.Writer) {
					fmt.Fprintf(o, "%s (%s)\n", code, i18n.Symbol(code))
				})
			})(cmd, args)
		},
	})
	return cmd
}
