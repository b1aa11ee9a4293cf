package ostimer

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

// hardJob is a job whose paths hold what unit files, XML and command lines
// must escape: spaces, quotes, %, $ and &.
func hardJob(t *testing.T) Job {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Ann's apps & 100% $HOME")
	os.MkdirAll(dir, 0o755)
	exe := filepath.Join(dir, "marketbench")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return Job{Exe: exe, Project: filepath.Join(dir, `Ann's "shop".mbproj`), Every: time.Minute}
}

// The generated systemd units pass systemd's own checker.
func TestUnitsVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed here; the units are checked where it is")
	}
	for _, every := range []time.Duration{2 * time.Second, time.Minute, 15 * time.Minute, 6 * time.Hour, 24 * time.Hour} {
		j := hardJob(t)
		j.Every = every
		cfg := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		p, err := PlanFor("linux", j)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.write(); err != nil {
			t.Fatal(err)
		}
		if p.Files[0].Path != filepath.Join(cfg, "systemd", "user", j.Name()+".service") {
			t.Errorf("the service is written to %s", p.Files[0].Path)
		}
		for _, want := range []string{"Persistent=true", "OnCalendar=", "StandardOutput=journal", "Type=oneshot", "WantedBy=timers.target"} {
			if !strings.Contains(p.Files[0].Text+p.Files[1].Text, want) {
				t.Errorf("the units lack %s", want)
			}
		}
		rt := t.TempDir()
		os.Chmod(rt, 0o700)
		cmd := exec.Command(analyze, "--user", "verify", p.Files[0].Path, p.Files[1].Path)
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+rt)
		cmd.Dir = filepath.Dir(p.Files[0].Path)
		out, err := cmd.CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("every %v: systemd-analyze verify: %v\n%s\n%s\n%s", every, err, out, p.Files[0].Text, p.Files[1].Text)
		}
	}
	// The checker is not a test that cannot fail: a broken unit is refused.
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.timer")
	os.WriteFile(bad, []byte("[Timer]\nOnCalendar=every minute\n[Install]\nWantedBy=timers.target\n"), 0o644)
	rt := t.TempDir()
	os.Chmod(rt, 0o700)
	cmd := exec.Command(analyze, "--user", "verify", bad)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+rt)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("systemd-analyze verify passes a broken timer:\n%s", out)
	}
}

// ExecStart= quotes and escapes as systemd splits it.
func TestExecLine(t *testing.T) {
	got := execLine([]string{"/opt/my apps/$HOME/mb", "run", "-p", `/x/100% "a"\b $HOME`})
	want := `"/opt/my apps/$HOME/mb" run -p "/x/100%% \"a\"\\b $$HOME"`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// plistValue is one value of an Apple property list, enough to read ours.
type plistDict struct {
	Items []plistItem `xml:",any"`
}
type plistItem struct {
	XMLName xml.Name
	Text    string      `xml:",chardata"`
	Items   []plistItem `xml:",any"`
}

// The launchd agent is a well-formed property list that runs the runner on
// the project every StartInterval seconds. (Checked by parsing: launchctl
// and plutil exist only on macOS.)
func TestPlist(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	j := hardJob(t)
	j.Every = 5 * time.Minute
	p, err := PlanFor("darwin", j)
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	if want := filepath.Join(home, "Library", "LaunchAgents", "org.marketbench."+j.Name()+".plist"); p.Files[0].Path != want {
		t.Errorf("plist at %s, want %s", p.Files[0].Path, want)
	}
	if strings.Join(p.Enable[0][:2], " ") != "launchctl bootstrap" || !strings.HasPrefix(p.Enable[0][2], "gui/") || p.Enable[0][3] != p.Files[0].Path {
		t.Errorf("enable: %q", p.Enable)
	}
	if want := "gui/" + p.Enable[0][2][4:] + "/org.marketbench." + j.Name(); strings.Join(p.Disable[0], " ") != "launchctl bootout "+want {
		t.Errorf("disable: %q", p.Disable)
	}
	if plutil, err := exec.LookPath("plutil"); err == nil {
		p.write()
		if out, err := exec.Command(plutil, "-lint", p.Files[0].Path).CombinedOutput(); err != nil {
			t.Errorf("plutil -lint: %v\n%s", err, out)
		}
	}
	var doc struct {
		XMLName xml.Name  `xml:"plist"`
		Dict    plistDict `xml:"dict"`
	}
	if err := xml.Unmarshal([]byte(p.Files[0].Text), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, p.Files[0].Text)
	}
	keys := map[string]plistItem{}
	items := doc.Dict.Items
	for i := 0; i+1 < len(items); i += 2 {
		if items[i].XMLName.Local != "key" {
			t.Fatalf("item %d is %s, not a key", i, items[i].XMLName.Local)
		}
		keys[items[i].Text] = items[i+1]
	}
	if keys["Label"].Text != "org.marketbench."+j.Name() || keys["StartInterval"].Text != "300" || keys["RunAtLoad"].XMLName.Local != "true" {
		t.Errorf("keys: %+v", keys)
	}
	var args []string
	for _, a := range keys["ProgramArguments"].Items {
		args = append(args, a.Text)
	}
	if want := append([]string{j.Exe}, j.Args()...); strings.Join(args, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("ProgramArguments = %q, want %q", args, want)
	}
	st := Status{}
	os.MkdirAll(filepath.Dir(p.Files[0].Path), 0o755)
	os.WriteFile(p.Files[0].Path, []byte(p.Files[0].Text), 0o644)
	launchdStatus(t.Context(), p, &st)
	if st.Every != "5m" {
		t.Errorf("the interval read back from the plist: %q", st.Every)
	}
}

// The task for Task Scheduler is UTF-16 XML in its schema that repeats the
// runner every interval, and the command that registers it names the file.
// (Checked by parsing: schtasks exists only on Windows.)
func TestTaskXML(t *testing.T) {
	t.Setenv("APPDATA", t.TempDir())
	j := hardJob(t)
	j.Every = 15 * time.Minute
	p, err := PlanFor("windows", j)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.write(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(p.Files[0].Path)
	if len(raw) < 2 || raw[0] != 0xFF || raw[1] != 0xFE {
		t.Fatal("the task file does not start with a UTF-16 byte order mark")
	}
	u := make([]uint16, (len(raw)-2)/2)
	for i := range u {
		u[i] = uint16(raw[2+2*i]) | uint16(raw[3+2*i])<<8
	}
	text := string(utf16.Decode(u))
	if text != p.Files[0].Text {
		t.Fatal("the task file does not decode to the task")
	}
	var task struct {
		XMLName  xml.Name `xml:"http://schemas.microsoft.com/windows/2004/02/mit/task Task"`
		Version  string   `xml:"version,attr"`
		Interval string   `xml:"Triggers>TimeTrigger>Repetition>Interval"`
		Start    string   `xml:"Triggers>TimeTrigger>StartBoundary"`
		Policy   string   `xml:"Settings>MultipleInstancesPolicy"`
		Catchup  string   `xml:"Settings>StartWhenAvailable"`
		Command  string   `xml:"Actions>Exec>Command"`
		Args     string   `xml:"Actions>Exec>Arguments"`
		URI      string   `xml:"RegistrationInfo>URI"`
	}
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil } // decoded above
	if err := dec.Decode(&task); err != nil {
		t.Fatalf("not XML: %v\n%s", err, text)
	}
	if task.Interval != "PT15M" || task.Policy != "IgnoreNew" || task.Catchup != "true" || task.URI != TaskName(j) {
		t.Errorf("task: %+v", task)
	}
	if _, err := time.Parse("2006-01-02T15:04:05", task.Start); err != nil {
		t.Errorf("StartBoundary %q: %v", task.Start, err)
	}
	if task.Command != winQuote(j.Exe) || task.Args != "automate run -p "+winQuote(j.Project) {
		t.Errorf("command %q %q", task.Command, task.Args)
	}
	if want := []string{"schtasks", "/Create", "/TN", `\Marketbench\` + j.Name(), "/XML", p.Files[0].Path, "/F"}; strings.Join(p.Enable[0], "|") != strings.Join(want, "|") {
		t.Errorf("enable: %q", p.Enable)
	}
	j.Every = 30 * time.Second
	if _, err := PlanFor("windows", j); err == nil {
		t.Error("Task Scheduler cannot repeat every 30s, and the plan does not say so")
	}
}

// Arguments are quoted as Windows programs split them (CommandLineToArgvW).
func TestWinQuote(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\ann\shop.mbproj`:     `C:\Users\ann\shop.mbproj`,
		`C:\Users\Ann Lee\shop.mbproj`: `"C:\Users\Ann Lee\shop.mbproj"`,
		`C:\My Shop\`:                  `"C:\My Shop\\"`,
		`say "hi"`:                     `"say \"hi\""`,
		`a\"b c`:                       `"a\\\"b c"`,
		``:                             `""`,
	} {
		if got := winQuote(in); got != want {
			t.Errorf("winQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// Other systems are told what to run themselves.
func TestUnsupportedOS(t *testing.T) {
	_, err := PlanFor("plan9", Job{Exe: "/bin/mb", Project: "/p.mbproj", Every: time.Minute})
	if err == nil || !strings.Contains(err.Error(), "/bin/mb automate run -p /p.mbproj") {
		t.Errorf("got %v", err)
	}
}
