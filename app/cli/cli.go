// Package cli is Marketbench's headless command line: flags and output only;
// every command calls app/core.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/text/width"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// env carries global flags and output streams, so tests can run commands
// in-process without globals.
type env struct {
	project string
	json    bool
	lang    string
	in      io.Reader // where secret set reads a value
	out     io.Writer
	errOut  io.Writer
	rules   map[*cobra.Command][]flagRule
}

// Execute runs the CLI with args and returns the process exit code.
func Execute(args []string, stdout, stderr io.Writer) int {
	return execute(args, os.Stdin, stdout, stderr)
}

func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{in: stdin, out: stdout, errOut: stderr}
	// The system locale until the flags are read (errors in the flags
	// themselves are told in it); then --lang, or English with --json.
	i18n.Use("")
	root := e.root()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		msg := err.Error()
		if !e.json {
			msg = i18n.Error(err)
		}
		fmt.Fprintf(stderr, "marketbench: %s\n", oneLine(msg))
		return 1
	}
	return 0
}

// useLang sets the language of messages from --lang; --json output and its
// errors stay English, for scripts.
func (e *env) useLang() {
	if e.json {
		i18n.Use(i18n.English)
		return
	}
	i18n.Use(e.lang)
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func (e *env) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "marketbench",
		Short:         "Offline marketing analytics workbench",
		Long:          "Marketbench imports customer and order exports into a project file, profiles and cleans them,\nsegments customers and charts the results. With no arguments it opens the GUI.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkLang(e.lang); err != nil {
				return err
			}
			e.useLang()
			return e.checkFlags(cmd)
		},
	}
	root.PersistentFlags().StringVarP(&e.project, "project", "p", os.Getenv("MARKETBENCH_PROJECT"), "project file (.mbproj); default $MARKETBENCH_PROJECT")
	root.PersistentFlags().BoolVar(&e.json, "json", false, "machine-readable JSON on stdout")
	root.PersistentFlags().StringVar(&e.lang, "lang", "system", "language of messages: en, zh-Hans or system (the system locale)")
	root.AddCommand(e.initCmd(), e.importCmd(), e.tablesCmd(), e.rowsCmd(), e.profileCmd(), e.rolesCmd(), e.cleanCmd(),
		e.sqlCmd(), e.exportCmd(), e.segmentCmd(), e.modelCmd(), e.textCmd(), e.pluginCmd(), e.sourceCmd(), e.campaignCmd(), e.abtestCmd(), e.abtestPlanCmd(), e.copyCmd(), e.chartCmd(), e.demoCmd(), e.logCmd(), e.projectCmd(), e.recommendCmd(), e.basketCmd(), e.clvCmd(), e.upliftCmd(), e.nbaCmd(), e.cohortsCmd(), e.forecastCmd(), e.journeyCmd(), e.automateCmd(), e.policyCmd(), e.secretCmd())
	root.AddCommand(e.privacyCmd())
	root.AddCommand(e.privacyEraseCmd())
	root.AddCommand(e.llmCmd())
	root.AddCommand(e.explainCmd())
	root.AddCommand(e.askCmd())
	return root
}

// open opens the -p project; callers must Close it.
func (e *env) open() (*core.Workspace, error) {
	if e.project == "" {
		return nil, i18n.Errorf("no project given; pass -p FILE.mbproj (create one with 'marketbench init FILE')")
	}
	return e.openProject(e.project) // a sealed project asks for its key: privacy_seal.go
}

// withProject runs fn on the open project.
func (e *env) withProject(fn func(ctx context.Context, w *core.Workspace) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		w, err := e.open()
		if err != nil {
			return err
		}
		defer w.Close()
		return fn(cmd.Context(), w)
	}
}

// emit writes v as JSON with --json (in the style of jsonValue), else
// calls human.
func (e *env) emit(v any, human func(w io.Writer)) error {
	if e.json {
		enc := json.NewEncoder(e.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(jsonValue(v))
	}
	human(e.out)
	return nil
}

func table(w io.Writer, header []string, rows [][]string) {
	// Columns are padded to the widest cell as a terminal shows it: Chinese,
	// Japanese and Korean letters take two columns (text/tabwriter counts
	// one, which shifts every column after an RFM type name like 重要价值客户).
	all := append([][]string{header}, rows...)
	var widths []int
	for _, r := range all {
		for i := 0; i+1 < len(r); i++ {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range all {
		b.Reset()
		for i, c := range r {
			b.WriteString(c)
			if i+1 < len(r) {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// displayWidth is the number of terminal columns s takes: two for wide and
// full-width letters, none for combining marks, one for the rest.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case width.LookupRune(r).Kind() == width.EastAsianWide, width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// progress draws a one-line bar on stderr when it is a terminal and
// --json is off; otherwise it stays quiet.
func (e *env) progress() (core.Progress, func()) {
	f, ok := e.errOut.(*os.File)
	if e.json || !ok {
		return nil, func() {}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil, func() {}
	}
	last := ""
	p := func(stage string, frac float64) {
		bar := ""
		if frac >= 0 {
			n := int(frac * 30)
			bar = fmt.Sprintf(" [%s%s] %3.0f%%", strings.Repeat("█", n), strings.Repeat("·", 30-n), 100*frac)
		}
		line := "\r" + stage + strings.Repeat(" ", max(0, 32-displayWidth(stage))) + bar
		if line != last {
			fmt.Fprintf(f, "%-80s", line)
			last = line
		}
	}
	return p, func() { fmt.Fprintf(f, "\r%-80s\r", "") }
}
