package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/marketbench/marketbench/app/core/ostimer"
	"github.com/marketbench/marketbench/assets/i18n"
)

// automateOSCmds are `automate install`, `automate uninstall` and
// `automate status`: the schedule by which the operating system runs
// `automate run` for the -p project. They belong under `automate`.
func (e *env) automateOSCmds() []*cobra.Command {
	var every time.Duration
	var print bool
	install := &cobra.Command{
		Use:   "install",
		Short: "Have the operating system run 'automate run' for the project every minute",
		Long: "Writes and enables a systemd user timer on Linux, a launchd agent on macOS or a Task Scheduler\n" +
			"task on Windows that runs 'marketbench automate run -p PROJECT' every --every (default 1m),\n" +
			"with the absolute paths of this program and the project. Installing again replaces it.\n" +
			"--print writes the files and shows them and the commands that would enable them, enabling\n" +
			"nothing. Where no systemd user manager runs, it says so and gives the crontab line instead.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			j, err := ostimer.NewJob(e.project, every)
			if err != nil {
				return err
			}
			if print {
				p, err := ostimer.Print(j)
				if err != nil {
					return err
				}
				return e.emit(planJSON(p, false, time.Time{}), func(o io.Writer) { printPlan(o, p) })
			}
			p, err := ostimer.Install(cmd.Context(), j)
			if err != nil {
				return err
			}
			st, _ := ostimer.StatusOf(cmd.Context(), j.Project, 0)
			return e.emit(planJSON(p, true, st.Next), func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Installed %s: the %s runs '%s' every %s.", p.Name, schedulerName(p.OS), j.Command(), p.Every))
				if !st.Next.IsZero() {
					fmt.Fprintln(o, i18n.T("Next run: %s", st.Next.Local().Format("2006-01-02 15:04:05")))
				}
				for _, n := range p.Notes {
					fmt.Fprintln(o, n)
				}
				fmt.Fprintln(o, i18n.T("See it with 'marketbench automate status -p %s'; remove it with 'marketbench automate uninstall -p %s'.", j.Project, j.Project))
			})
		},
	}
	install.Flags().DurationVar(&every, "every", ostimer.DefaultEvery, "how often the runner runs: 1m, 5m, 15m, 1h… (dividing an hour or a day evenly; at least 1m)")
	install.Flags().BoolVar(&print, "print", false, "write the files and show them and the commands that enable them, without enabling anything")

	uninstall := &cobra.Command{
		Use:   "uninstall",
		Short: "Stop the operating system running 'automate run' for the project, and remove its files",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := ostimer.Uninstall(cmd.Context(), e.project)
			if err != nil {
				return err
			}
			return e.emit(map[string]any{"os": r.OS, "name": r.Name, "removed": nonNil(r.Removed), "disabled": r.Disabled, "notes": nonNil(r.Notes)}, func(o io.Writer) {
				if len(r.Removed) == 0 && !r.Disabled {
					fmt.Fprintln(o, i18n.T("No schedule was installed for this project."))
				} else {
					fmt.Fprintln(o, i18n.T("Removed the schedule %s:", r.Name))
					for _, f := range r.Removed {
						fmt.Fprintln(o, "  "+f)
					}
				}
				for _, n := range r.Notes {
					fmt.Fprintln(o, n)
				}
			})
		},
	}

	var runs int
	status := &cobra.Command{
		Use:   "status",
		Short: "Whether the operating system runs 'automate run' for the project, when it ran and runs next, and its last runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := ostimer.StatusOf(cmd.Context(), e.project, runs)
			if err != nil {
				return err
			}
			return e.emit(st, func(o io.Writer) { printStatus(o, st, e.project) })
		},
	}
	status.Flags().IntVar(&runs, "runs", 5, "how many of the runner's last runs to show")
	e.require(status, intRange("runs", 0, 0))
	e.require(install, duration("every"))
	for _, c := range []*cobra.Command{install, uninstall, status} {
		e.require(c, needProject(&e.project))
	}
	return []*cobra.Command{install, uninstall, status}
}

// needProject refuses a command without -p before it runs.
func needProject(project *string) flagRule {
	return func(*pflag.FlagSet) error {
		if *project == "" {
			return i18n.Errorf("no project given; pass -p FILE.mbproj (create one with 'marketbench init FILE')")
		}
		return nil
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// planJSON is an install's --json: the files, the commands, whether they
// were run, and the next run.
func planJSON(p ostimer.Plan, enabled bool, next time.Time) map[string]any {
	files := make([]map[string]any, len(p.Files))
	for i, f := range p.Files {
		files[i] = map[string]any{"path": f.Path, "text": f.Text}
	}
	cmds := make([]string, len(p.Enable))
	for i, c := range p.Enable {
		cmds[i] = commandLine(c)
	}
	return map[string]any{"os": p.OS, "name": p.Name, "every": p.Every, "enabled": enabled, "files": files,
		"commands": cmds, "crontab": p.Crontab, "next": next, "notes": nonNil(p.Notes)}
}

func printPlan(o io.Writer, p ostimer.Plan) {
	for _, f := range p.Files {
		fmt.Fprintf(o, "# %s\n%s\n", f.Path, strings.TrimRight(f.Text, "\n"))
		fmt.Fprintln(o)
	}
	fmt.Fprintln(o, i18n.T("Written, not enabled. To enable it, run:"))
	for _, c := range p.Enable {
		fmt.Fprintln(o, "  "+commandLine(c))
	}
	if p.Crontab != "" {
		fmt.Fprintln(o, i18n.T("Or, without the %s, add this line with 'crontab -e':", schedulerName(p.OS)))
		fmt.Fprintln(o, "  "+p.Crontab)
	}
}

func printStatus(o io.Writer, st ostimer.Status, project string) {
	if !st.Installed {
		fmt.Fprintln(o, i18n.T("No schedule is installed for this project; install one with: marketbench automate install -p %s", project))
	} else {
		state := i18n.T("not enabled")
		switch {
		case st.Running:
			state = i18n.T("running now")
		case st.Enabled && st.Active:
			state = i18n.T("enabled, waiting")
		case st.Enabled:
			state = i18n.T("enabled, not active")
		}
		fmt.Fprintln(o, i18n.T("%s (%s, every %s): %s", st.Name, schedulerName(st.OS), st.Every, state))
		when := func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintln(o, strings.TrimSpace(i18n.T("Last run: %s %s", when(st.Last), resultWords(st.LastResult))))
		fmt.Fprintln(o, i18n.T("Next run: %s", when(st.Next)))
		for _, f := range st.Files {
			fmt.Fprintln(o, "  "+f)
		}
	}
	for _, n := range st.Notes {
		fmt.Fprintln(o, n)
	}
	if len(st.Runs) == 0 {
		fmt.Fprintln(o, i18n.T("The runner has not recorded a run yet."))
		return
	}
	fmt.Fprintln(o, i18n.T("The runner's last runs:"))
	rows := make([][]string, len(st.Runs))
	for i, r := range st.Runs {
		rows[i] = []string{r.Time.Local().Format("2006-01-02 15:04:05"), strconv.FormatFloat(r.Duration.Seconds(), 'f', 1, 64),
			strconv.Itoa(r.Due), strconv.Itoa(r.Sent), strconv.Itoa(r.Skipped), strconv.Itoa(r.Errors), r.Message}
	}
	table(o, []string{i18n.T("TIME"), i18n.T("SECONDS"), i18n.T("DUE"), i18n.T("SENT"), i18n.T("SKIPPED"), i18n.T("ERRORS"), i18n.T("MESSAGE")}, rows)
}

// resultWords tells the OS's word for a run's result in the user's words.
func resultWords(r string) string {
	switch {
	case r == "success":
		return i18n.T("(succeeded)")
	case strings.HasPrefix(r, "exit-code "):
		return i18n.T("(failed with exit code %s)", strings.TrimPrefix(r, "exit-code "))
	case r != "":
		return i18n.T("(failed: %s)", r)
	}
	return ""
}

// schedulerName names the OS scheduler of goos in words.
func schedulerName(goos string) string {
	switch goos {
	case "linux":
		return i18n.T("systemd user timer")
	case "darwin":
		return i18n.T("launchd agent")
	case "windows":
		return i18n.T("Task Scheduler")
	}
	return goos
}

// commandLine writes a command for a person to copy.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t'\"$&;|<>()*?") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
