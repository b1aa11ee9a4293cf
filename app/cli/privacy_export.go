package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// privateFlags are export's --anonymise and --pseudonymise options.
type privateFlags struct {
	o     core.PrivateExport
	quasi string
}

func (e *env) addPrivateFlags(cmd *cobra.Command) *privateFlags {
	p := &privateFlags{}
	f := cmd.Flags()
	f.BoolVar(&p.o.Anonymise, "anonymise", false, "drop identifiers, generalise quasi-identifiers and write only if every group has at least --k rows")
	f.IntVar(&p.o.K, "k", 5, "with --anonymise: the smallest group of rows that share their quasi-identifiers")
	f.StringVar(&p.quasi, "quasi", "", "with --anonymise: the quasi-identifier columns, comma-separated (default: region, city, age, birth date, postcode and gender columns)")
	f.StringVar(&p.o.Sensitive, "sensitive", "", "with --anonymise: a sensitive column each group must have at least --l distinct values of")
	f.IntVar(&p.o.L, "l", 2, "with --sensitive: the fewest distinct sensitive values per group")
	f.BoolVar(&p.o.Suppress, "suppress", false, "with --anonymise: leave out the rows of groups that are too small instead of refusing")
	f.BoolVar(&p.o.Pseudonymise, "pseudonymise", false, "replace identifiers with pseudonyms keyed by a secret in the system keyring")
	f.StringVar(&p.o.Lookup, "keep-lookup", "", "with --pseudonymise: also write value-to-pseudonym pairs to this CSV file (personal data: keep it safe)")
	e.require(cmd, intRange("k", 2, 0), intRange("l", 1, 0))
	return p
}

func (p *privateFlags) active(cmd *cobra.Command) bool {
	for _, n := range []string{"anonymise", "pseudonymise", "quasi", "sensitive", "suppress", "keep-lookup"} {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}

func (e *env) runPrivateExport(ctx context.Context, w *core.Workspace, p *privateFlags, source, file string) error {
	for _, q := range strings.Split(p.quasi, ",") {
		if q = strings.TrimSpace(q); q != "" {
			p.o.Quasi = append(p.o.Quasi, q)
		}
	}
	rep, err := w.ExportPrivate(ctx, source, file, p.o)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(file)
	out := map[string]any{"rows": rep.Rows, "file": abs, "dropped_rows": rep.Dropped, "pseudonymised_columns": rep.Pseudonymised,
		"removed_columns": rep.Removed}
	if p.o.Anonymise {
		out["k"], out["k_achieved"], out["quasi_identifiers"], out["generalised"] = p.o.K, rep.K, rep.Quasi, rep.Generalised
		out["classes"], out["smallest_classes"], out["unchecked_quasi_identifiers"] = rep.Classes, rep.Smallest, rep.Unchecked
		if rep.Sensitive != "" {
			out["sensitive"], out["l"], out["l_achieved"] = rep.Sensitive, p.o.L, rep.L
		}
	}
	if rep.Lookup != "" {
		out["lookup_file"] = rep.Lookup
	}
	return e.emit(out, func(o io.Writer) {
		fmt.Fprintln(o, i18n.T("Wrote %d rows to %s", rep.Rows, abs))
		if len(rep.Pseudonymised) > 0 {
			fmt.Fprintln(o, i18n.T("Pseudonymised: %s (still personal data: whoever holds the key or the lookup file can re-identify people)", strings.Join(rep.Pseudonymised, ", ")))
		}
		if len(rep.Removed) > 0 {
			fmt.Fprintln(o, i18n.T("Removed identifiers: %s", strings.Join(rep.Removed, ", ")))
		}
		if p.o.Anonymise {
			var gen []string
			for _, q := range rep.Quasi {
				gen = append(gen, q+": "+rep.Generalised[q])
			}
			fmt.Fprintln(o, i18n.T("Quasi-identifiers: %s", strings.Join(gen, "; ")))
			if len(rep.Unchecked) > 0 {
				fmt.Fprintln(o, i18n.T("Written as they are and not checked: %s (they look like quasi-identifiers; add them to --quasi)", strings.Join(rep.Unchecked, ", ")))
			}
			fmt.Fprintln(o, i18n.T("k-anonymity: every one of %d groups has at least %d rows (asked for %d)", rep.Classes, rep.K, p.o.K))
			if rep.Sensitive != "" {
				fmt.Fprintln(o, i18n.T("l-diversity: every group has at least %d distinct values of %s (asked for %d)", rep.L, rep.Sensitive, p.o.L))
			}
			if rep.Dropped > 0 {
				fmt.Fprintln(o, i18n.T("Left out %d rows of groups that were too small", rep.Dropped))
			}
			fmt.Fprintln(o, i18n.T("Smallest groups: %s", smallestText(rep)))
		}
		if rep.Lookup != "" {
			fmt.Fprintln(o, i18n.T("Lookup file: %s. It is personal data: it turns pseudonyms back into identifiers; keep it apart from the export and delete it when no longer needed", rep.Lookup))
		}
	})
}

func smallestText(rep *storage.PrivateReport) string {
	var parts []string
	for _, c := range rep.Smallest {
		var kv []string
		for _, q := range rep.Quasi {
			kv = append(kv, q+"="+c.Values[q])
		}
		parts = append(parts, i18n.T("%s (rows: %d)", strings.Join(kv, ", "), c.Rows))
	}
	return strings.Join(parts, "; ")
}
