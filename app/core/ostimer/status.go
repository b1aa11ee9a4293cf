package ostimer

import (
	"context"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Status is what the operating system knows of a project's schedule, and
// the runner's own record of its last runs.
type Status struct {
	OS   string
	Name string
	// Installed: the schedule's files are in place.
	Installed bool
	// Enabled: the OS scheduler will run the job.
	Enabled bool
	// Active: the timer is waiting (systemd), the agent loaded (launchd),
	// the task ready (Task Scheduler).
	Active bool
	// Running: a run is going on now.
	Running bool
	// Every is the installed interval, as --every takes it.
	Every string
	Next  time.Time
	Last  time.Time
	// LastResult is the OS's word on the last run it started: success,
	// exit-code 1...
	LastResult string
	Files      []string
	// Runs are the runner's last runs, oldest first (RecordRun).
	Runs  []RunRecord
	Notes []string
}

// StatusOf reports on a project's schedule. The OS side is told as far as
// it can be reached; why not is in Notes.
func StatusOf(ctx context.Context, project string, runs int) (Status, error) {
	j, err := JobFor(project)
	if err != nil {
		return Status{}, err
	}
	p, err := PlanFor(runtime.GOOS, j)
	if err != nil {
		return Status{}, err
	}
	st := Status{OS: p.OS, Name: p.Name, Installed: p.installed(), Files: []string{}}
	for _, f := range p.Files {
		if _, err := os.Stat(f.Path); err == nil {
			st.Files = append(st.Files, f.Path)
		}
	}
	if st.Runs, err = LastRuns(j.Project, runs); err != nil {
		return st, err
	}
	switch p.OS {
	case "linux":
		systemdStatus(ctx, p, &st)
	case "darwin":
		launchdStatus(ctx, p, &st)
	case "windows":
		taskStatus(ctx, j, &st)
	}
	return st, nil
}

func systemdStatus(ctx context.Context, p Plan, st *Status) {
	if b, err := os.ReadFile(p.Files[1].Path); err == nil {
		st.Every = everyOf(string(b))
	}
	if why := userManager(ctx); why != "" {
		st.Notes = append(st.Notes, i18n.T("no systemd user manager runs here (%s); without one, the timer does not run", why))
		return
	}
	timer := show(ctx, p.Name+".timer", "UnitFileState", "ActiveState", "NextElapseUSecRealtime", "LastTriggerUSec")
	service := show(ctx, p.Name+".service", "ActiveState", "Result", "ExecMainStatus")
	st.Enabled = timer["UnitFileState"] == "enabled"
	st.Active = timer["ActiveState"] == "active"
	st.Next = systemdTime(timer["NextElapseUSecRealtime"])
	st.Last = systemdTime(timer["LastTriggerUSec"])
	st.Running = service["ActiveState"] == "activating"
	switch {
	case st.Last.IsZero():
	case service["Result"] == "success":
		st.LastResult = "success"
	case service["Result"] == "exit-code":
		st.LastResult = "exit-code " + service["ExecMainStatus"]
	default:
		st.LastResult = service["Result"]
	}
	if st.Installed && !lingering() {
		st.Notes = append(st.Notes, lingerNote())
	}
}

// show returns properties of a systemd user unit; none when it cannot.
func show(ctx context.Context, unit string, props ...string) map[string]string {
	out, err := run(ctx, "systemctl", "--user", "show", "--timestamp=unix", "--property="+strings.Join(props, ","), unit)
	m := map[string]string{}
	if err != nil {
		return m
	}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// systemdTime reads a timestamp of systemctl show: "@1796548114" with
// --timestamp=unix, or "Sun 2026-12-06 09:08:34 UTC" where a property
// ignores it (run asks for UTC); "" and "n/a" are no time.
func systemdTime(s string) time.Time {
	if v, ok := strings.CutPrefix(s, "@"); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return time.Unix(n, 0)
		}
		return time.Time{}
	}
	if t, err := time.Parse("Mon 2006-01-02 15:04:05 UTC", s); err == nil {
		return t
	}
	return time.Time{}
}

var (
	calendarRE = regexp.MustCompile(`(?m)^OnCalendar=(.*)$`)
	secondsRE  = regexp.MustCompile(`^\*-\*-\* \*:\*:00/(\d+)$`)
	minutesRE  = regexp.MustCompile(`^\*-\*-\* \*:00/(\d+):00$`)
	hoursRE    = regexp.MustCompile(`^\*-\*-\* 00/(\d+):00:00$`)
)

// everyOf reads the interval back from a timer written by Units.
func everyOf(timer string) string {
	m := calendarRE.FindStringSubmatch(timer)
	if m == nil {
		return ""
	}
	cal := strings.TrimSpace(m[1])
	for re, unit := range map[*regexp.Regexp]time.Duration{secondsRE: time.Second, minutesRE: time.Minute, hoursRE: time.Hour} {
		if n := re.FindStringSubmatch(cal); n != nil {
			v, _ := strconv.Atoi(n[1])
			return Every(time.Duration(v) * unit)
		}
	}
	switch cal {
	case "*-*-* *:*:00":
		return Every(time.Minute)
	case "*-*-* 00:00:00":
		return Every(24 * time.Hour)
	}
	return cal
}

var (
	intervalRE = regexp.MustCompile(`<key>StartInterval</key>\s*<integer>(\d+)</integer>`)
	exitRE     = regexp.MustCompile(`(?m)^\s*last exit code = (.+)$`)
	stateRE    = regexp.MustCompile(`(?m)^\s*state = (\S+)`)
)

// launchdStatus asks launchctl print; launchd keeps no next or last time.
// Not tested on macOS: written from launchctl's documented output.
func launchdStatus(ctx context.Context, p Plan, st *Status) {
	if b, err := os.ReadFile(p.Files[0].Path); err == nil {
		if m := intervalRE.FindSubmatch(b); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			st.Every = Every(time.Duration(n) * time.Second)
		}
	}
	out, err := run(ctx, "launchctl", "print", p.Disable[0][2])
	if err != nil {
		return
	}
	st.Enabled, st.Active = true, true
	if m := stateRE.FindStringSubmatch(out); m != nil {
		st.Running = m[1] == "running"
	}
	if m := exitRE.FindStringSubmatch(out); m != nil {
		if v := strings.TrimSpace(m[1]); v == "0" {
			st.LastResult = "success"
		} else if !strings.HasPrefix(v, "(never") {
			st.LastResult = "exit-code " + v
		}
	}
}

// taskStatus asks schtasks /Query. Its field names and dates follow the
// Windows display language; English is read, others leave them unknown.
// Not tested on Windows: written from schtasks' documented output.
func taskStatus(ctx context.Context, j Job, st *Status) {
	out, err := run(ctx, "schtasks", "/Query", "/TN", TaskName(j), "/V", "/FO", "LIST")
	if err != nil {
		return
	}
	st.Every = Every(j.Every)
	fields := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			if _, seen := fields[strings.TrimSpace(k)]; !seen {
				fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	st.Installed = true
	st.Enabled = fields["Scheduled Task State"] != "Disabled"
	st.Active = fields["Status"] == "Ready" || fields["Status"] == "Running"
	st.Running = fields["Status"] == "Running"
	st.Next = windowsTime(fields["Next Run Time"])
	st.Last = windowsTime(fields["Last Run Time"])
	switch r := fields["Last Result"]; {
	case st.Last.IsZero() || r == "":
	case r == "0":
		st.LastResult = "success"
	default:
		st.LastResult = "exit-code " + r
	}
}

func windowsTime(s string) time.Time {
	for _, layout := range []string{"1/2/2006 3:04:05 PM", "2006-01-02 15:04:05", "02/01/2006 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t
		}
	}
	return time.Time{}
}
