package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) privacyScanCmd() *cobra.Command {
	var sample int
	cmd := &cobra.Command{
		Use:   "scan [TABLE]",
		Short: "Find personal data (names, e-mails, phones, ID and card numbers, IBANs, IP and postal addresses, dates of birth) in every table or one",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			if sample < 1 {
				return i18n.Errorf("--sample must be at least 1")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				rep, err := w.PrivacyScanSample(ctx, name, sample)
				if err != nil {
					return err
				}
				return e.emit(rep, func(o io.Writer) {
					rows := [][]string{}
					for _, t := range rep.Tables {
						for _, c := range t.Columns {
							for _, f := range c.Findings {
								why := make([]string, len(f.Reasons))
								for i, r := range f.Reasons {
									why[i] = core.PrivacyReasonName(r)
								}
								rows = append(rows, []string{t.Table, c.Column, core.PrivacyKindName(f.Kind),
									fmt.Sprintf("%d/%d", f.Matched, f.Sampled), strconv.FormatInt(f.EstimatedRows, 10), strings.Join(why, i18n.T(", "))})
							}
						}
					}
					if len(rows) == 0 {
						fmt.Fprintln(o, i18n.T("No personal data found (tables scanned: %d; rows sampled per table: up to %d).", len(rep.Tables), rep.Sample))
						return
					}
					table(o, []string{i18n.T("TABLE"), i18n.T("COLUMN"), i18n.T("PERSONAL DATA"), i18n.T("MATCHED IN SAMPLE"), i18n.T("ROWS (EST.)"), i18n.T("BECAUSE OF")}, rows)
					fmt.Fprintln(o, i18n.T("Tables scanned: %d; rows sampled per table: up to %d. A role or a name reports a column whatever its values; values alone report it when at least half the sampled ones match.", len(rep.Tables), rep.Sample))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().IntVar(&sample, "sample", core.PrivacySample, "rows to read per table")
	return cmd
}
