package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// erasureJSON is erase's --json output: counts and the exports that still
// hold the person, never the values erased.
type erasureJSON struct {
	Customers int64            `json:"customers"`
	Rows      int64            `json:"rows"`
	Tables    map[string]int64 `json:"by_table"`
	Rewritten bool             `json:"rewritten"`
	Exports   []exportJSON     `json:"exports"`
	Mentions  []mentionJSON    `json:"mentions"`
}

// mentionJSON is a text column that still holds one of the values.
type mentionJSON struct {
	Table  string `json:"table"`
	Column string `json:"column"`
	Rows   int64  `json:"rows"`
}

type exportJSON struct {
	Path       string `json:"path"`
	Source     string `json:"source"`
	Rows       int64  `json:"rows"`
	ExportedAt string `json:"exported_at"`
}

func (e *env) privacyEraseCmd() *cobra.Command {
	var s core.Subject
	var yes bool
	cmd := &cobra.Command{
		Use:   "erase --customer ID | --email E | --phone P --yes",
		Short: "Erase a person from the project for good (the right to be forgotten)",
		Long: "Deletes every row that names the person, found by customer id, e-mail or phone (phones compared as digits):\n" +
			"imported tables, scores, recommendations and other derived tables, campaign deliveries and events,\n" +
			"journey state, tags and suppression entries, in one transaction, then rewrites the project file so the\n" +
			"values are gone from its bytes. Salted hashes are kept so a re-import skips them and no campaign sends to\n" +
			"them. Earlier exports that held them are listed: delete those files too.",
		Args: cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			if s.CustomerID == "" && s.Email == "" && s.Phone == "" {
				return i18n.Errorf("name the person with --customer, --email or --phone")
			}
			if !yes {
				return i18n.Errorf("erasing cannot be undone; run again with --yes to erase")
			}
			rep, err := w.Erase(ctx, s)
			if rep == nil {
				return err
			}
			out := erasureJSON{Customers: int64(rep.Customers), Rows: rep.Rows, Tables: rep.Tables, Rewritten: rep.Rewritten, Exports: []exportJSON{}, Mentions: []mentionJSON{}}
			for _, m := range rep.Mentions {
				out.Mentions = append(out.Mentions, mentionJSON{Table: m.Table, Column: m.Column, Rows: m.Rows})
			}
			for _, x := range rep.Exports {
				out.Exports = append(out.Exports, exportJSON{Path: x.Path, Source: x.Source, Rows: x.Rows, ExportedAt: x.At.UTC().Format("2006-01-02T15:04:05Z")})
			}
			if perr := e.emit(out, func(o io.Writer) { printErasure(o, out) }); perr != nil {
				return perr
			}
			return err
		}),
	}
	f := cmd.Flags()
	f.StringVar(&s.CustomerID, "customer", "", "the customer id")
	f.StringVar(&s.Email, "email", "", "the e-mail address")
	f.StringVar(&s.Phone, "phone", "", "the phone number")
	f.BoolVar(&yes, "yes", false, "erase without asking (it cannot be undone)")
	return cmd
}

func printErasure(o io.Writer, r erasureJSON) {
	fmt.Fprintln(o, i18n.T("Erased %d customer(s): %d row(s) deleted.", r.Customers, r.Rows))
	var names []string
	for t := range r.Tables {
		names = append(names, t)
	}
	sort.Strings(names)
	var rows [][]string
	for _, t := range names {
		rows = append(rows, []string{t, strconv.FormatInt(r.Tables[t], 10)})
	}
	if len(rows) > 0 {
		table(o, []string{i18n.T("TABLE"), i18n.T("ROWS")}, rows)
	}
	if len(r.Mentions) > 0 {
		fmt.Fprintln(o, i18n.T("Text that still mentions them (a note, a rule, a file name) was left as it is; edit or delete it:"))
		for _, m := range r.Mentions {
			fmt.Fprintln(o, i18n.T("  %s.%s (%d rows)", m.Table, m.Column, m.Rows))
		}
	} else if r.Rewritten {
		fmt.Fprintln(o, i18n.T("The project file was rewritten: the erased values are gone from its bytes."))
	}
	if len(r.Exports) == 0 {
		fmt.Fprintln(o, i18n.T("No earlier export held them."))
		return
	}
	fmt.Fprintln(o, i18n.T("These files still hold them; delete them too:"))
	for _, x := range r.Exports {
		fmt.Fprintln(o, i18n.T("  %s (%s, %d rows, exported %s)", x.Path, x.Source, x.Rows, x.ExportedAt))
	}
}
