package ostimer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// NoUserManagerError: on Linux, no systemd user manager runs for this login
// (a container, a server without a login session), so a timer cannot be
// enabled. Crontab is the line that does the job from cron instead.
type NoUserManagerError struct {
	Reason  string
	Crontab string
}

func (e *NoUserManagerError) Error() string {
	format, args := e.Message()
	return fmt.Sprintf(format, args...)
}

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *NoUserManagerError) Message() (string, []any) {
	return i18n.Mark("no systemd user manager runs for you here (systemctl --user: %s), so the timer cannot be enabled " +
			"(--print writes its files without enabling them); run the automation from cron instead, adding this line with 'crontab -e': %s"),
		[]any{e.Reason, e.Crontab}
}

// CommandError: a command of the OS scheduler failed.
type CommandError struct {
	Command string
	Said    string
}

func (e *CommandError) Error() string {
	format, args := e.Message()
	return fmt.Sprintf(format, args...)
}

// Message is the error as a format and its arguments, which i18n.Error
// translates (what the command said stays in its words).
func (e *CommandError) Message() (string, []any) {
	return i18n.Mark("'%s' failed: %s"), []any{e.Command, e.Said}
}

// run runs a command of the OS scheduler and returns its output. Times are
// asked for in UTC and messages in English, so that they can be read.
func run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		said := lastLine(errOut.String())
		if said == "" {
			said = lastLine(out.String())
		}
		if said == "" || errors.Is(err, exec.ErrNotFound) {
			said = err.Error()
		}
		return out.String(), &CommandError{Command: strings.Join(args, " "), Said: said}
	}
	return out.String(), nil
}

// lastLine is what a failed command said last: the reason, after any
// progress ("Created symlink ...").
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

// userManager reports why no systemd user manager can be reached, or "".
func userManager(ctx context.Context) string {
	if _, err := exec.LookPath("systemctl"); err != nil {
		return i18n.T("systemctl is not installed")
	}
	if _, err := run(ctx, "systemctl", "--user", "show", "--property=Version"); err != nil {
		var ce *CommandError
		if errors.As(err, &ce) {
			return ce.Said
		}
		return err.Error()
	}
	return ""
}

// Print writes the job's schedule files where this operating system reads
// them and enables nothing: the plan says what Install would run.
func Print(j Job) (Plan, error) {
	p, err := PlanFor(runtime.GOOS, j)
	if err != nil {
		return Plan{}, err
	}
	return p, p.write()
}

// Install writes the job's schedule files and has the operating system run
// the job: a systemd user timer on Linux, a launchd agent on macOS, a
// Task Scheduler task on Windows. Installing again replaces the schedule.
// On Linux without a user manager it writes nothing and returns a
// *NoUserManagerError with the crontab line to use instead.
func Install(ctx context.Context, j Job) (Plan, error) {
	p, err := PlanFor(runtime.GOOS, j)
	if err != nil {
		return Plan{}, err
	}
	if p.OS == "linux" {
		if why := userManager(ctx); why != "" {
			return p, &NoUserManagerError{Reason: why, Crontab: p.Crontab}
		}
	}
	if err := p.write(); err != nil {
		return p, err
	}
	if p.OS == "darwin" {
		// A loaded agent must be unloaded before it is loaded again.
		run(ctx, p.Disable[0]...)
	}
	for _, c := range p.Enable {
		if _, err := run(ctx, c...); err != nil {
			return p, err
		}
	}
	if p.OS == "linux" && !lingering() {
		p.Notes = append(p.Notes, lingerNote())
	}
	return p, nil
}

// Removal says what Uninstall did.
type Removal struct {
	OS      string
	Name    string
	Removed []string
	// Disabled: the OS scheduler was told to stop running the job.
	Disabled bool
	Notes    []string
}

// Uninstall stops the OS from running a project's runner and removes its
// schedule files. Uninstalling what is not installed is not an error: the
// removal lists nothing.
func Uninstall(ctx context.Context, project string) (Removal, error) {
	j, err := JobFor(project)
	if err != nil {
		return Removal{}, err
	}
	p, err := PlanFor(runtime.GOOS, j)
	if err != nil {
		return Removal{}, err
	}
	r := Removal{OS: p.OS, Name: p.Name}
	installed := p.installed()
	reach := ""
	if p.OS == "linux" {
		reach = userManager(ctx)
	}
	if reach != "" {
		if installed {
			r.Notes = append(r.Notes, i18n.T("no systemd user manager runs here (%s), so there was no timer to stop; the unit files are removed", reach))
		}
	} else {
		// The first command stops the job; it fails when there is none,
		// which matters only when its files say there is one.
		if _, err := run(ctx, p.Disable[0]...); err == nil {
			r.Disabled = true
		} else if installed && known(ctx, p) {
			return r, err
		}
	}
	if r.Removed, err = p.remove(); err != nil {
		return r, err
	}
	if reach == "" {
		for _, c := range p.Disable[1:] {
			if _, err := run(ctx, c...); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

// known reports whether the OS scheduler knows the job: files written with
// --print (or under another user manager's folders) are not known to it.
func known(ctx context.Context, p Plan) bool {
	switch p.OS {
	case "linux":
		return show(ctx, p.Name+".timer", "LoadState")["LoadState"] != "not-found"
	case "darwin":
		_, err := run(ctx, "launchctl", "print", p.Disable[0][2])
		return err == nil
	case "windows":
		_, err := run(ctx, "schtasks", "/Query", "/TN", p.Disable[0][3])
		return err == nil
	}
	return true
}

// lingering reports whether systemd keeps this user's manager (and so the
// timer) running while the user is logged out (loginctl enable-linger).
func lingering() bool {
	u, err := user.Current()
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join("/var/lib/systemd/linger", u.Username))
	return err == nil
}

func lingerNote() string {
	name := "$USER"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return i18n.T("the timer runs while you are logged in; to keep it running after you log out, run: loginctl enable-linger %s", name)
}
