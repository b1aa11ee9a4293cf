package ostimer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Intervals become systemd calendars that repeat exactly, and cron lines;
// intervals a calendar cannot keep evenly are refused.
func TestIntervals(t *testing.T) {
	j := Job{Exe: "/opt/marketbench/marketbench", Project: "/home/ann/shop.mbproj"}
	cases := []struct {
		every         time.Duration
		cal, cron, fl string
	}{
		{2 * time.Second, "*-*-* *:*:00/2", "* * * * *", "2s"},
		{time.Minute, "*-*-* *:*:00", "* * * * *", "1m"},
		{2 * time.Minute, "*-*-* *:00/2:00", "*/2 * * * *", "2m"},
		{5 * time.Minute, "*-*-* *:00/5:00", "*/5 * * * *", "5m"},
		{15 * time.Minute, "*-*-* *:00/15:00", "*/15 * * * *", "15m"},
		{time.Hour, "*-*-* 00/1:00:00", "0 */1 * * *", "1h"},
		{6 * time.Hour, "*-*-* 00/6:00:00", "0 */6 * * *", "6h"},
		{24 * time.Hour, "*-*-* 00:00:00", "0 0 * * *", "24h"},
	}
	for _, c := range cases {
		j.Every = c.every
		cal, err := j.calendar()
		if err != nil || cal != c.cal {
			t.Errorf("%v: calendar %q, %v; want %q", c.every, cal, err, c.cal)
		}
		if want := c.cron + " /opt/marketbench/marketbench automate run -p /home/ann/shop.mbproj"; j.Crontab() != want {
			t.Errorf("%v: crontab %q, want %q", c.every, j.Crontab(), want)
		}
		if Every(c.every) != c.fl {
			t.Errorf("Every(%v) = %q, want %q", c.every, Every(c.every), c.fl)
		}
		if got := everyOf("[Timer]\nOnCalendar=" + c.cal + "\n"); got != c.fl {
			t.Errorf("everyOf(%q) = %q, want %q", c.cal, got, c.fl)
		}
	}
	for _, bad := range []time.Duration{7 * time.Second, 7 * time.Minute, 90 * time.Second, 5 * time.Hour, 48 * time.Hour, 1500 * time.Millisecond} {
		j.Every = bad
		if _, err := j.calendar(); err == nil || !strings.Contains(err.Error(), "divides an hour or a day evenly") {
			t.Errorf("%v: %v, want it refused", bad, err)
		}
	}
}

// NewJob makes both paths absolute and refuses what cannot be scheduled,
// saying what to do.
func TestNewJob(t *testing.T) {
	dir := t.TempDir()
	project := filepath.Join(dir, "shop.mbproj")
	os.WriteFile(project, nil, 0o644)
	t.Chdir(dir)
	j, err := NewJob("shop.mbproj", 0)
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	if j.Project != project || j.Exe != exe || j.Every != time.Minute {
		t.Errorf("NewJob = %+v", j)
	}
	if again, _ := NewJob(project, 5*time.Minute); again.Name() != j.Name() || !strings.HasPrefix(j.Name(), "marketbench-automate-") {
		t.Errorf("the name changes with the interval or the spelling of the path: %s, %s", j.Name(), again.Name())
	}
	other, _ := JobFor(filepath.Join(dir, "other.mbproj"))
	if other.Name() == j.Name() {
		t.Error("two projects share a schedule name")
	}
	for _, c := range []struct {
		project string
		every   time.Duration
		want    string
	}{
		{"missing.mbproj", time.Minute, "does not exist"},
		{project, 30 * time.Second, "too often; the shortest is 1m"},
		{project, 7 * time.Minute, "choose an interval that divides"},
		{"", time.Minute, "pass -p"},
	} {
		if _, err := NewJob(c.project, c.every); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewJob(%q, %v) = %v, want %q", c.project, c.every, err, c.want)
		}
	}
}

// Paths with spaces, quotes and % survive the crontab line as the shell and
// cron read it.
func TestCrontabQuoting(t *testing.T) {
	j := Job{Exe: "/opt/my apps/marketbench", Project: "/home/ann/it's 100%.mbproj", Every: time.Minute}
	want := `* * * * * '/opt/my apps/marketbench' automate run -p '/home/ann/it'\''s 100\%.mbproj'`
	if got := j.Crontab(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// The errors of scheduling are told in Chinese too.
func TestErrorsTranslated(t *testing.T) {
	defer i18n.Use(i18n.English)
	i18n.Use(i18n.Chinese)
	for _, err := range []error{
		&NoUserManagerError{Reason: "Failed to connect to bus", Crontab: "* * * * * /x automate run -p /p"},
		&CommandError{Command: "systemctl --user daemon-reload", Said: "boom"},
	} {
		if zh := i18n.Error(err); zh == err.Error() {
			t.Errorf("not translated: %s", zh)
		}
	}
	var nu *NoUserManagerError
	err := error(&NoUserManagerError{Reason: "r", Crontab: "* * * * * /x automate run -p /p"})
	if !errors.As(err, &nu) || !strings.Contains(i18n.Error(err), "* * * * * /x automate run -p /p") {
		t.Errorf("the crontab line is lost in translation: %s", i18n.Error(err))
	}
}
