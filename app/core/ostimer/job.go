// Package ostimer has the operating system run the automation runner on a
// schedule: `marketbench automate run -p PROJECT` every minute (or another
// interval) through a systemd user timer on Linux, a launchd agent on macOS
// and a Task Scheduler task on Windows. It writes, installs, removes and
// reports on that schedule, and keeps a one-line-per-run log beside the
// project that the runner appends to and `automate status` reads.
package ostimer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// DefaultEvery is how often the runner runs unless told otherwise.
const DefaultEvery = time.Minute

// MinEvery is the shortest interval NewJob accepts: Task Scheduler repeats
// no more often, and the runner has nothing to gain from it.
const MinEvery = time.Minute

// Job is what the operating system runs: Exe automate run -p Project,
// every Every.
type Job struct {
	Exe     string
	Project string
	Every   time.Duration
}

// NewJob is the job for a project, run by this executable (os.Executable),
// with both paths absolute so the scheduler finds them from any folder.
func NewJob(project string, every time.Duration) (Job, error) {
	if project == "" {
		return Job{}, i18n.Errorf("no project given; pass -p FILE.mbproj")
	}
	abs, err := filepath.Abs(project)
	if err != nil {
		return Job{}, i18n.Errorf("cannot find the project %s: %w", project, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return Job{}, i18n.Errorf("the project %s does not exist; create it with 'marketbench init' or check the path", abs)
	}
	exe, err := os.Executable()
	if err != nil {
		return Job{}, i18n.Errorf("cannot tell where the marketbench program is (%w); run it by its full path", err)
	}
	for _, p := range []string{abs, exe} {
		if strings.ContainsAny(p, "\n\r") {
			return Job{}, i18n.Errorf("the path %q holds a line break, which no scheduler can run; rename or move it", p)
		}
	}
	if every == 0 {
		every = DefaultEvery
	}
	if every < MinEvery {
		return Job{}, i18n.Errorf("--every %s is too often; the shortest is %s", Every(every), Every(MinEvery))
	}
	j := Job{Exe: exe, Project: abs, Every: every}
	if _, err := j.calendar(); err != nil {
		return Job{}, err
	}
	return j, nil
}

// JobFor is the job for a project without checking the interval or that the
// project exists: what uninstall and status need to find its schedule.
func JobFor(project string) (Job, error) {
	if project == "" {
		return Job{}, i18n.Errorf("no project given; pass -p FILE.mbproj")
	}
	abs, err := filepath.Abs(project)
	if err != nil {
		return Job{}, i18n.Errorf("cannot find the project %s: %w", project, err)
	}
	exe, _ := os.Executable()
	return Job{Exe: exe, Project: abs, Every: DefaultEvery}, nil
}

// Name is the schedule's name: marketbench-automate- and a short hash of
// the project's path, so that each project has its own and the same
// project always the same.
func (j Job) Name() string {
	sum := sha256.Sum256([]byte(filepath.Clean(j.Project)))
	return "marketbench-automate-" + hex.EncodeToString(sum[:])[:10]
}

// Args are the runner's arguments.
func (j Job) Args() []string { return []string{"automate", "run", "-p", j.Project} }

// Command is the command line as a POSIX shell reads it.
func (j Job) Command() string {
	parts := []string{shellQuote(j.Exe)}
	for _, a := range j.Args() {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// Crontab is the crontab line that runs the job: the alternative where no
// systemd user manager runs. Cron counts in minutes; a shorter interval
// becomes every minute.
func (j Job) Crontab() string {
	m := int(j.Every / time.Minute)
	var when string
	switch {
	case m <= 1:
		when = "* * * * *"
	case m < 60:
		when = fmt.Sprintf("*/%d * * * *", m)
	case m < 24*60:
		when = fmt.Sprintf("0 */%d * * *", m/60)
	default:
		when = "0 0 * * *"
	}
	// % ends the command in a crontab line unless escaped.
	return when + " " + strings.ReplaceAll(j.Command(), "%", `\%`)
}

// calendar is the interval as a systemd calendar expression. Persistent=
// (catching up after sleep or power-off) needs a calendar, and a calendar
// repeats exactly only when the interval divides a minute, an hour or a
// day; any other interval is refused rather than kept unevenly.
func (j Job) calendar() (string, error) {
	d := j.Every
	bad := i18n.Errorf("--every %s cannot be kept exactly; choose an interval that divides an hour or a day evenly, such as 1m, 5m, 15m, 1h or 24h", Every(d))
	switch {
	case d <= 0 || d%time.Second != 0:
		return "", bad
	case d < time.Minute:
		if s := int(d / time.Second); 60%s == 0 {
			return fmt.Sprintf("*-*-* *:*:00/%d", s), nil
		}
	case d == time.Minute:
		return "*-*-* *:*:00", nil
	case d < time.Hour && d%time.Minute == 0:
		if m := int(d / time.Minute); 60%m == 0 {
			return fmt.Sprintf("*-*-* *:00/%d:00", m), nil
		}
	case d < 24*time.Hour && d%time.Hour == 0:
		if h := int(d / time.Hour); 24%h == 0 {
			return fmt.Sprintf("*-*-* 00/%d:00:00", h), nil
		}
	case d == 24*time.Hour:
		return "*-*-* 00:00:00", nil
	}
	return "", bad
}

// Every writes an interval as the --every flag takes it: 1m, 90s, 2h.
func Every(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
