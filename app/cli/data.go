package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/clean"
	"github.com/marketbench/marketbench/storage/ingest"
)

func (e *env) initCmd() *cobra.Command {
	var demo bool
	var locale string
	cmd := &cobra.Command{
		Use:   "init FILE",
		Short: "Create a new project file (with --demo: filled with generated retail data)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var w *core.Workspace
			var err error
			if demo {
				prog, done := e.progress()
				w, err = core.CreateDemo(cmd.Context(), args[0], core.DemoOptions{Locale: locale}, prog)
				done()
			} else {
				if cmd.Flags().Changed("locale") {
					return i18n.Errorf("--locale chooses the language of the demo data; use it with --demo")
				}
				w, err = core.Create(args[0])
			}
			if err != nil {
				return err
			}
			defer w.Close()
			return e.emit(map[string]any{"project": w.Path, "demo": demo}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Created %s", w.Path))
			})
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "fill the project with the demo retail data")
	cmd.Flags().StringVar(&locale, "locale", "en", "language of the demo data: en or zh-CN (Chinese names, provinces, products, reviews, yuan)")
	return cmd
}

func (e *env) importCmd() *cobra.Command {
	var opt ingest.Options
	var appendMode, replaceMode, preview, noHeader bool
	var format string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a CSV/TSV, XLSX, Parquet, JSON or NDJSON file into a table",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if appendMode && replaceMode {
				return i18n.Errorf("choose --append or --replace, not both")
			}
			switch {
			case appendMode:
				opt.Mode = ingest.Append
			case replaceMode:
				opt.Mode = ingest.Replace
			}
			if noHeader {
				f := false
				opt.Header = &f
			}
			opt.Format = ingest.Format(format)
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			if preview {
				pv, err := w.Preview(cmd.Context(), args[0], opt)
				if err != nil {
					return err
				}
				return e.emit(previewJSON(pv), func(o io.Writer) { printPreview(o, pv) })
			}
			prog, done := e.progress()
			opt.Progress = prog
			res, err := w.Import(cmd.Context(), args[0], opt)
			done()
			var encErr *ingest.EncodingError
			if errors.As(err, &encErr) {
				var flags []string
				for _, c := range encErr.Candidates {
					flags = append(flags, "--encoding "+c.Encoding)
				}
				return i18n.Errorf("%w: import again with %s", err, strings.Join(flags, " or "))
			}
			if err != nil {
				return err
			}
			return e.emit(res, func(o io.Writer) {
				enc := ""
				if res.Encoding != "" {
					enc = i18n.T(", encoding %s", res.Encoding)
				}
				fmt.Fprintln(o, i18n.T("Imported %d rows into %q (%s, %s%s)", res.Rows, res.Table, res.Format, res.Mode, enc))
				if res.ErasedSkipped > 0 {
					fmt.Fprintln(o, i18n.T("Skipped %d rows of erased customers (people erased from this project stay out)", res.ErasedSkipped))
				}
				if res.ConsentChanges > 0 {
					fmt.Fprintln(o, i18n.T("Recorded %d consent change(s) in the consent history (privacy consent history)", res.ConsentChanges))
				}
				if res.Rejected > 0 {
					fmt.Fprintln(o, i18n.T("Skipped %d bad rows; review them in table %q", res.Rejected, res.RejectTable))
				}
				for from, to := range res.Renamed {
					fmt.Fprintln(o, i18n.T("Column %q is now %q: the name rowid is reserved for the database's own row numbers", from, to))
				}
				printRoles(o, res.Roles)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Table, "table", "", "table name (default: from the file name)")
	f.StringVar(&opt.Sheet, "sheet", "", "XLSX sheet (default: the first)")
	f.StringVar(&opt.Encoding, "encoding", "", "utf-8, utf-16le, utf-16be, gb18030 (also gbk, gb2312), big5 or windows-1252 (latin-1); default: detect (big5 is never detected)")
	f.StringVar(&opt.Delimiter, "delimiter", "", "field delimiter (, ; tab |); default: detect")
	f.StringVar(&format, "format", "", "csv, xlsx, parquet or json; default: detect")
	f.BoolVar(&noHeader, "no-header", false, "the first line is data, not column names")
	f.BoolVar(&opt.SkipBadRows, "skip-bad-rows", false, "import good rows and keep bad ones in TABLE_rejects")
	f.BoolVar(&appendMode, "append", false, "add rows to an existing table")
	f.BoolVar(&replaceMode, "replace", false, "replace an existing table's rows")
	f.BoolVar(&opt.Force, "force", false, "import even if this exact file was imported before")
	f.BoolVar(&preview, "preview", false, "show how the file would be read, without importing")
	return cmd
}

func printPreview(o io.Writer, pv *ingest.Preview) {
	fmt.Fprintln(o, i18n.T("File:      %s (%d bytes)\nFormat:    %s", pv.Path, pv.Size, pv.Format))
	if pv.Format == ingest.CSV {
		fmt.Fprintln(o, i18n.T("Encoding:  %s\nDelimiter: %q\nHeader:    %t\nDecimal comma: %t", pv.Encoding, pv.Delimiter, pv.Header, pv.DecimalComma))
		if len(pv.EncodingCandidates) > 0 {
			fmt.Fprintln(o, i18n.T("The encoding is uncertain; the file reads as:"))
			for _, c := range pv.EncodingCandidates {
				fmt.Fprintf(o, "  --encoding %-13s %s\n", c.Encoding, c.Example())
			}
		}
	}
	if len(pv.Sheets) > 0 {
		fmt.Fprintln(o, i18n.T("Sheet:     %s (of %s)", pv.Sheet, strings.Join(pv.Sheets, ", ")))
	}
	if pv.TableExists {
		fmt.Fprintln(o, i18n.T("Table:     %s (exists: use --append or --replace)", pv.Table))
	} else {
		fmt.Fprintln(o, i18n.T("Table:     %s", pv.Table))
	}
	if pv.Previous != nil {
		fmt.Fprintln(o, i18n.T("Note: this file was imported into %q on %s", pv.Previous.Table, pv.Previous.At.Local().Format("2006-01-02 15:04")))
	}
	var rows [][]string
	for _, c := range pv.Columns {
		role := string(pv.Roles[c.Name])
		rows = append(rows, []string{c.Name, c.Type, role})
	}
	fmt.Fprintln(o)
	table(o, []string{i18n.T("COLUMN"), i18n.T("TYPE"), i18n.T("ROLE")}, rows)
	if len(pv.Rows) > 0 {
		fmt.Fprintln(o)
		names := make([]string, len(pv.Columns))
		for i, c := range pv.Columns {
			names[i] = c.Name
		}
		n := min(len(pv.Rows), 5)
		table(o, names, pv.Rows[:n])
	}
}

func printRoles(o io.Writer, roles map[string]storage.Role) {
	if len(roles) == 0 {
		return
	}
	var parts []string
	for c, r := range roles {
		parts = append(parts, fmt.Sprintf("%s=%s", c, r))
	}
	sort.Strings(parts)
	fmt.Fprintln(o, i18n.T("Roles: %s", strings.Join(parts, ", ")))
}

func (e *env) tablesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "tables",
		Short: "List the project's tables",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			ts, err := w.Tables(ctx)
			if err != nil {
				return err
			}
			return e.emit(ts, func(o io.Writer) {
				var rows [][]string
				for _, t := range ts {
					rows = append(rows, []string{t.Name, strconv.FormatInt(t.Rows, 10), strconv.Itoa(len(t.Columns))})
				}
				table(o, []string{i18n.T("TABLE"), i18n.T("ROWS"), i18n.T("COLUMNS")}, rows)
			})
		}),
	}
}

func (e *env) rowsCmd() *cobra.Command {
	var r core.PageRequest
	cmd := &cobra.Command{
		Use:   "rows TABLE",
		Short: "Show a page of a table, sorted and filtered in SQL",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r.Table = args[0]
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				pg, err := w.Page(ctx, r)
				if err != nil {
					return err
				}
				return e.emit(resultJSON(&pg.Result, &pg.Total), func(o io.Writer) {
					table(o, pg.Columns, pg.Rows)
					fmt.Fprintln(o, i18n.T("rows %d–%d of %d", r.Offset+1, r.Offset+int64(len(pg.Rows)), pg.Total))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&r.Sort, "sort", "", "column to sort by")
	cmd.Flags().BoolVar(&r.Desc, "desc", false, "sort descending")
	cmd.Flags().StringVar(&r.Filter, "filter", "", "rule, e.g. \"country = 'France' AND amount > 100\"")
	cmd.Flags().Int64Var(&r.Offset, "offset", 0, "first row (0-based)")
	cmd.Flags().IntVar(&r.Limit, "limit", 20, "rows per page")
	e.require(cmd, intRange("offset", 0, 0), intRange("limit", 1, 0))
	return cmd
}

func (e *env) profileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "profile TABLE",
		Short: "Profile every column: type, missing, distinct, statistics, top values",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				prof, err := w.Profile(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(profileJSON(prof), func(o io.Writer) {
					var rows [][]string
					for _, c := range prof {
						stats := ""
						switch {
						case c.Quantiles != nil:
							stats = fmt.Sprintf("min %s  median %s  mean %s  max %s  std %s", num(c.Min), num(c.Quantiles["p50"]), num(c.Mean), num(c.Max), num(c.Std))
						case c.MinText != "":
							stats = c.MinText + " … " + c.MaxText
						}
						if len(c.Top) > 0 && c.Quantiles == nil {
							var top []string
							for _, t := range c.Top[:min(3, len(c.Top))] {
								top = append(top, fmt.Sprintf("%s (%d)", clip(t.Value, 20), t.Count))
							}
							if stats != "" {
								stats += "  "
							}
							stats += "top: " + strings.Join(top, ", ")
						}
						rows = append(rows, []string{c.Name, c.Type, string(c.Role), fmt.Sprintf("%.1f%%", c.MissingPct()), strconv.FormatInt(c.Distinct, 10), stats})
					}
					table(o, []string{i18n.T("COLUMN"), i18n.T("TYPE"), i18n.T("ROLE"), i18n.T("MISSING"), i18n.T("DISTINCT"), i18n.T("SUMMARY")}, rows)
				})
			})(cmd, args)
		},
	}
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (e *env) rolesCmd() *cobra.Command {
	var set []string
	var detect bool
	cmd := &cobra.Command{
		Use:   "roles TABLE",
		Short: "Show or set what columns mean (customer_id, email, order_date, amount, ...)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				t := args[0]
				if detect {
					roles, err := w.DetectRoles(ctx, t)
					if err != nil {
						return err
					}
					if err := w.SetRoles(ctx, t, roles, false); err != nil {
						return err
					}
				}
				if len(set) > 0 {
					m := map[string]storage.Role{}
					for _, s := range set {
						col, role, ok := strings.Cut(s, "=")
						if !ok {
							return i18n.Errorf("--set wants column=role, got %q", s)
						}
						r, err := storage.ParseRole(role)
						if err != nil {
							return err
						}
						m[col] = r
					}
					if err := w.SetRoles(ctx, t, m, true); err != nil {
						return err
					}
				}
				roles, err := w.ColumnRoles(ctx, t)
				if err != nil {
					return err
				}
				cols, err := w.Columns(ctx, t)
				if err != nil {
					return err
				}
				return e.emit(roles, func(o io.Writer) {
					var rows [][]string
					for _, c := range cols {
						rows = append(rows, []string{c.Name, c.Type, string(roles[c.Name])})
					}
					table(o, []string{i18n.T("COLUMN"), i18n.T("TYPE"), i18n.T("ROLE")}, rows)
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringArrayVar(&set, "set", nil, "column=role (repeatable; role 'none' clears)")
	cmd.Flags().BoolVar(&detect, "detect", false, "detect roles again from names and content")
	return cmd
}

func (e *env) cleanCmd() *cobra.Command {
	var recipeFile, saved, name string
	var steps []string
	var preview, list bool
	cmd := &cobra.Command{
		Use:   "clean [TABLE]",
		Short: "Clean a table with a recipe (JSON file, saved recipe, or --step), in one transaction",
		Long: "Steps (JSON objects with an \"op\"):\n" + func() string {
			var b strings.Builder
			for _, o := range clean.Ops {
				fmt.Fprintf(&b, "  %-16s %s\n", o.Name, o.Help)
			}
			return b.String()
		}() + "\nExample: marketbench clean orders --step '{\"op\":\"add\",\"into\":\"amount\",\"expr\":\"Quantity * UnitPrice\"}'",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if list {
					rs, err := w.Recipes(ctx)
					if err != nil {
						return err
					}
					return e.emit(rs, func(o io.Writer) {
						var rows [][]string
						for _, r := range rs {
							rows = append(rows, []string{r.Name, r.Table, strconv.Itoa(len(r.Steps))})
						}
						table(o, []string{i18n.T("RECIPE"), i18n.T("TABLE"), i18n.T("STEPS")}, rows)
					})
				}
				var r clean.Recipe
				switch {
				case recipeFile != "":
					loaded, err := clean.Load(recipeFile)
					if err != nil {
						return err
					}
					r = *loaded
				case saved != "":
					loaded, err := w.Recipe(ctx, saved)
					if err != nil {
						return err
					}
					r = *loaded
				}
				for _, s := range steps {
					var st clean.Step
					if err := json.Unmarshal([]byte(s), &st); err != nil {
						return i18n.Errorf("--step %s is not valid JSON: %v", s, err)
					}
					r.Steps = append(r.Steps, st)
				}
				if len(args) == 1 {
					r.Table = args[0]
				}
				if r.Table == "" {
					return i18n.Errorf("name the table to clean")
				}
				if len(r.Steps) == 0 {
					return i18n.Errorf("no steps: give --recipe FILE, --saved NAME or --step JSON")
				}
				if name == "" {
					name = r.Name
				}
				if preview {
					pv, err := w.PreviewClean(ctx, r.Table, r.Steps)
					if err != nil {
						return err
					}
					return e.emit(pv, func(o io.Writer) { printEffects(o, pv.Effects) })
				}
				eff, err := w.ApplyClean(ctx, r.Table, name, r.Steps)
				if err != nil {
					return err
				}
				return e.emit(eff, func(o io.Writer) {
					printEffects(o, eff)
					if name != "" {
						fmt.Fprintln(o, i18n.T("Saved recipe %q", name))
					}
				})
			})(cmd, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&recipeFile, "recipe", "", "recipe JSON file ({\"steps\": [...]})")
	f.StringVar(&saved, "saved", "", "run a recipe saved in the project")
	f.StringArrayVar(&steps, "step", nil, "one step as JSON (repeatable; appended after the recipe)")
	f.StringVar(&name, "save-as", "", "save the recipe under this name")
	f.BoolVar(&preview, "preview", false, "show the effect of each step without changing anything")
	f.BoolVar(&list, "list", false, "list saved recipes")
	return cmd
}

func printEffects(o io.Writer, eff []clean.StepEffect) {
	var rows [][]string
	for i, e := range eff {
		rows = append(rows, []string{strconv.Itoa(i + 1), e.Step.Op, strconv.FormatInt(e.RowsBefore, 10), strconv.FormatInt(e.RowsAfter, 10), strconv.FormatInt(e.Changed, 10)})
	}
	table(o, []string{i18n.T("STEP"), i18n.T("OP"), i18n.T("ROWS BEFORE"), i18n.T("ROWS AFTER"), i18n.T("CHANGED")}, rows)
}

func (e *env) sqlCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sql QUERY",
		Short: "Run a read-only SQL query (statements that write are refused)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.SQL(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(resultJSON(res, nil), func(o io.Writer) {
					table(o, res.Columns, res.Rows)
					if res.Truncated {
						fmt.Fprintln(o, i18n.T("(first %d rows shown; add LIMIT or export with sql:QUERY)", len(res.Rows)))
					}
				})
			})(cmd, args)
		},
	}
}

func (e *env) exportCmd() *cobra.Command {
	var timeout time.Duration
	var priv *privateFlags
	cmd := &cobra.Command{
		Use:   "export TABLE|segment:NAME|sql:QUERY FILE",
		Short: "Export a table, a segment's members or a query to .csv, .parquet or .xlsx",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			core.ExportTimeout = timeout
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if priv.active(cmd) {
					return e.runPrivateExport(ctx, w, priv, args[0], args[1])
				}
				n, err := w.Export(ctx, args[0], args[1])
				if err != nil {
					return err
				}
				abs, _ := filepath.Abs(args[1])
				return e.emit(map[string]any{"rows": n, "file": abs}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Wrote %d rows to %s", n, abs))
				})
			})(cmd, args)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", core.ExportTimeout, "stop a sql: export that runs longer than this")
	e.require(cmd, duration("timeout"))
	priv = e.addPrivateFlags(cmd)
	return cmd
}

func (e *env) logCmd() *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Show the audit log of changes to the project's data",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			log, err := w.AuditLog(ctx, n)
			if err != nil {
				return err
			}
			return e.emit(log, func(o io.Writer) {
				var rows [][]string
				for _, l := range log {
					rows = append(rows, []string{l.At.Local().Format("2006-01-02 15:04:05"), l.Who, i18n.T(l.Action), l.Target, count(l.RowsBefore.Valid, l.RowsBefore.Int64), count(l.RowsAfter.Valid, l.RowsAfter.Int64), l.Detail})
				}
				table(o, []string{i18n.T("WHEN"), i18n.T("WHO"), i18n.T("ACTION"), i18n.T("TARGET"), i18n.T("BEFORE"), i18n.T("AFTER"), i18n.T("DETAIL")}, rows)
			})
		}),
	}
	cmd.Flags().IntVarP(&n, "n", "n", 50, "entries")
	e.require(cmd, intRange("n", 1, 0))
	return cmd
}

func count(valid bool, n int64) string {
	if !valid {
		return "-"
	}
	return strconv.FormatInt(n, 10)
}
