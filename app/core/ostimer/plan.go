package ostimer

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/marketbench/marketbench/assets/i18n"
)

// File is one file of a schedule, at the place the operating system reads it.
type File struct {
	Path string
	Text string
	// utf16 writes the file as UTF-16 with a byte order mark, as
	// Task Scheduler reads its task files.
	utf16 bool
}

// Plan is what scheduling a job means on one operating system: the files
// written and the commands that enable and disable them.
type Plan struct {
	OS      string
	Name    string
	Every   string
	Files   []File
	Enable  [][]string
	Disable [][]string
	// Crontab is the cron line that does the same without the OS
	// scheduler (Linux and macOS).
	Crontab string
	// Notes are what the user should know after installing.
	Notes []string
}

// PlanFor is the plan for a job on goos ("linux", "darwin", "windows").
func PlanFor(goos string, j Job) (Plan, error) {
	cal, err := j.calendar()
	if err != nil {
		return Plan{}, err
	}
	p := Plan{OS: goos, Name: j.Name(), Every: Every(j.Every)}
	switch goos {
	case "linux":
		dir, err := UnitDir()
		if err != nil {
			return Plan{}, err
		}
		service, timer := Units(j, cal)
		p.Files = []File{{Path: filepath.Join(dir, p.Name+".service"), Text: service}, {Path: filepath.Join(dir, p.Name+".timer"), Text: timer}}
		p.Enable = [][]string{{"systemctl", "--user", "daemon-reload"}, {"systemctl", "--user", "enable", "--now", p.Name + ".timer"}}
		p.Disable = [][]string{{"systemctl", "--user", "disable", "--now", p.Name + ".timer"}, {"systemctl", "--user", "daemon-reload"}}
		p.Crontab = j.Crontab()
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return Plan{}, i18n.Errorf("cannot find your home folder: %w", err)
		}
		label := Label(j)
		path := filepath.Join(home, "Library", "LaunchAgents", label+".plist")
		p.Files = []File{{Path: path, Text: Plist(j, filepath.Join(home, "Library", "Logs", p.Name+".log"))}}
		domain := "gui/" + strconv.Itoa(os.Getuid())
		p.Enable = [][]string{{"launchctl", "bootstrap", domain, path}}
		p.Disable = [][]string{{"launchctl", "bootout", domain + "/" + label}}
		p.Crontab = j.Crontab()
	case "windows":
		if j.Every < time.Minute || j.Every > 31*24*time.Hour {
			return Plan{}, i18n.Errorf("--every %s is outside what Task Scheduler repeats (1m to 31 days)", Every(j.Every))
		}
		dir := os.Getenv("APPDATA")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return Plan{}, i18n.Errorf("cannot find your home folder: %w", err)
			}
			dir = filepath.Join(home, "AppData", "Roaming")
		}
		path := filepath.Join(dir, "Marketbench", "tasks", p.Name+".xml")
		p.Files = []File{{Path: path, Text: TaskXML(j, time.Now()), utf16: true}}
		p.Enable = [][]string{{"schtasks", "/Create", "/TN", TaskName(j), "/XML", path, "/F"}}
		p.Disable = [][]string{{"schtasks", "/Delete", "/TN", TaskName(j), "/F"}}
	default:
		return Plan{}, i18n.Errorf("Marketbench cannot schedule itself on %s; have your scheduler run: %s", goos, j.Command())
	}
	return p, nil
}

// write puts the plan's files in place, making their folders.
func (p Plan) write() error {
	for _, f := range p.Files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return i18n.Errorf("cannot make the folder for %s: %w", f.Path, err)
		}
		data := []byte(f.Text)
		if f.utf16 {
			data = utf16LE(f.Text)
		}
		if err := os.WriteFile(f.Path, data, 0o644); err != nil {
			return i18n.Errorf("cannot write %s: %w", f.Path, err)
		}
	}
	return nil
}

// remove deletes the plan's files that exist and returns them.
func (p Plan) remove() ([]string, error) {
	var gone []string
	for _, f := range p.Files {
		err := os.Remove(f.Path)
		switch {
		case err == nil:
			gone = append(gone, f.Path)
		case !os.IsNotExist(err):
			return gone, i18n.Errorf("cannot remove %s: %w", f.Path, err)
		}
	}
	return gone, nil
}

// installed reports whether any of the plan's files exist.
func (p Plan) installed() bool {
	for _, f := range p.Files {
		if _, err := os.Stat(f.Path); err == nil {
			return true
		}
	}
	return false
}

// UnitDir is the folder of the user's own systemd units:
// $XDG_CONFIG_HOME/systemd/user, or ~/.config/systemd/user.
func UnitDir() (string, error) {
	if c := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(c) {
		return filepath.Join(c, "systemd", "user"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", i18n.Errorf("cannot find your home folder: %w", err)
	}
	return filepath.Join(home, ".config", "systemd", "user"), nil
}

// Units are the systemd user service that runs the job once and the timer
// that starts it on the calendar cal. Persistent= runs a start missed while
// the computer was off or asleep as soon as it is back.
func Units(j Job, cal string) (service, timer string) {
	var s strings.Builder
	fmt.Fprintf(&s, "# Written by 'marketbench automate install'; remove it with 'marketbench automate uninstall -p %s'.\n", j.Project)
	fmt.Fprintf(&s, "[Unit]\nDescription=Marketbench automation runner for %s\n\n", unitText(j.Project))
	s.WriteString("[Service]\nType=oneshot\n")
	words := append([]string{j.Exe}, j.Args()...)
	if strings.ContainsAny(j.Exe, `'"\`) {
		// systemd refuses a program path with quotes or backslashes; env
		// takes it as an argument and runs it.
		words = append([]string{"/usr/bin/env"}, words...)
	}
	fmt.Fprintf(&s, "ExecStart=%s\n", execLine(words))
	s.WriteString("StandardOutput=journal\nStandardError=journal\nSyslogIdentifier=marketbench-automate\n")

	var t strings.Builder
	fmt.Fprintf(&t, "# Written by 'marketbench automate install'; remove it with 'marketbench automate uninstall -p %s'.\n", j.Project)
	fmt.Fprintf(&t, "[Unit]\nDescription=Run the Marketbench automation runner every %s for %s\n\n", Every(j.Every), unitText(j.Project))
	fmt.Fprintf(&t, "[Timer]\nOnCalendar=%s\nAccuracySec=1s\nPersistent=true\nUnit=%s.service\n\n", cal, j.Name())
	t.WriteString("[Install]\nWantedBy=timers.target\n")
	return s.String(), t.String()
}

// unitText escapes free text for a unit file, where % starts a specifier.
func unitText(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// execLine writes a command for ExecStart=: each word in double quotes when
// it needs them, with % escaped (specifiers) and, in the arguments, $
// (variables; systemd does not expand them in the program's path).
func execLine(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		w = unitText(w)
		if i > 0 {
			w = strings.ReplaceAll(w, "$", "$$")
		}
		if w == "" || strings.ContainsAny(w, " \t\"'\\;") {
			w = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
		}
		out[i] = w
	}
	return strings.Join(out, " ")
}

// Label is the launchd label of a job.
func Label(j Job) string { return "org.marketbench." + j.Name() }

// Plist is the launchd agent that runs the job every StartInterval
// seconds, and once when it is loaded (at login), writing its output to log.
func Plist(j Job, log string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`)
	fmt.Fprintf(&b, "\t<key>Label</key>\n\t<string>%s</string>\n", xmlText(Label(j)))
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n")
	for _, a := range append([]string{j.Exe}, j.Args()...) {
		fmt.Fprintf(&b, "\t\t<string>%s</string>\n", xmlText(a))
	}
	b.WriteString("\t</array>\n")
	fmt.Fprintf(&b, "\t<key>StartInterval</key>\n\t<integer>%d</integer>\n", int(j.Every/time.Second))
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n\t<key>ProcessType</key>\n\t<string>Background</string>\n")
	fmt.Fprintf(&b, "\t<key>StandardOutPath</key>\n\t<string>%s</string>\n", xmlText(log))
	fmt.Fprintf(&b, "\t<key>StandardErrorPath</key>\n\t<string>%s</string>\n", xmlText(log))
	b.WriteString("</dict>\n</plist>\n")
	return b.String()
}

// TaskName is the Task Scheduler name of a job, in a Marketbench folder.
func TaskName(j Job) string { return `\Marketbench\` + j.Name() }

// TaskXML is the Task Scheduler task that runs the job every Every from
// start on, while the user is logged on; a start missed while the computer
// was off runs when it is back, and a run still going is not doubled.
func TaskXML(j Job, start time.Time) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
`)
	fmt.Fprintf(&b, "    <Description>%s</Description>\n    <URI>%s</URI>\n", xmlText("Marketbench automation runner for "+j.Project), xmlText(TaskName(j)))
	b.WriteString("  </RegistrationInfo>\n  <Triggers>\n    <TimeTrigger>\n      <Repetition>\n")
	fmt.Fprintf(&b, "        <Interval>%s</Interval>\n        <StopAtDurationEnd>false</StopAtDurationEnd>\n      </Repetition>\n", isoDuration(j.Every))
	fmt.Fprintf(&b, "      <StartBoundary>%s</StartBoundary>\n      <Enabled>true</Enabled>\n    </TimeTrigger>\n  </Triggers>\n", start.Truncate(time.Minute).Format("2006-01-02T15:04:05"))
	b.WriteString(`  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
  </Settings>
  <Actions Context="Author">
    <Exec>
`)
	args := make([]string, 0, 4)
	for _, a := range j.Args() {
		args = append(args, winQuote(a))
	}
	fmt.Fprintf(&b, "      <Command>%s</Command>\n      <Arguments>%s</Arguments>\n", xmlText(winQuote(j.Exe)), xmlText(strings.Join(args, " ")))
	b.WriteString("    </Exec>\n  </Actions>\n</Task>\n")
	return b.String()
}

// isoDuration writes d as an XML duration: PT1M, PT2H, P1D.
func isoDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("P%dD", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("PT%dH", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("PT%dM", d/time.Minute)
	}
	return fmt.Sprintf("PT%dS", d/time.Second)
}

// winQuote quotes one argument as Windows programs split their command
// line (CommandLineToArgvW): backslashes double only before a quote.
func winQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for _, r := range s {
		switch r {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteRune(r)
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// utf16LE encodes s as UTF-16 little-endian with a byte order mark.
func utf16LE(s string) []byte {
	u := utf16.Encode([]rune(s))
	out := make([]byte, 2, 2+2*len(u))
	out[0], out[1] = 0xFF, 0xFE
	for _, c := range u {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}
