package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func init() { registerPrivacyCmd(func(e *env) *cobra.Command { return e.privacyReportCmd() }) }

func (e *env) privacyReportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report [--out FILE.md|FILE.html]",
		Short: "The record of processing: personal data, purposes, recipients, retention, consent, erasures, security",
		Long: "Lists what the project does with personal data, as the basis of a GDPR Article 30 record or a PIPL\n" +
			"impact assessment: which personal data each table holds, the campaigns, journeys and models that use it,\n" +
			"the plugins and exports that receive it, retention rules, consent records, erasures (when, never who),\n" +
			"whether the project file is sealed and which channel credentials the system keyring holds (names only).\n" +
			"It holds no personal values. --out writes it as Markdown (.md) or a web page (.html).",
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if out != "" {
				if err := core.CheckRecordFile(out); err != nil {
					return err
				}
			}
			rec, err := w.ProcessingRecord(ctx)
			if err != nil {
				return err
			}
			if out != "" {
				if err := core.SaveProcessingRecord(rec, out); err != nil {
					return err
				}
			}
			return e.emit(rec, func(o io.Writer) {
				if out != "" {
					fmt.Fprintln(o, i18n.T("Saved the record of processing to %s", out))
					return
				}
				fmt.Fprint(o, rec.Markdown())
			})
		}),
	}
	cmd.Flags().StringVar(&out, "out", "", "also write the record to this .md or .html file")
	return cmd
}
