package contact

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

func newProject(t *testing.T) *storage.Project {
	t.Helper()
	p, err := storage.Create(filepath.Join(t.TempDir(), "p.mbproj"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// Bad input is refused with an error that says what is wrong and how to
// write it.
func TestBadPolicyRefused(t *testing.T) {
	for _, c := range []struct {
		pol  Policy
		want string
	}{
		{Policy{Caps: []Cap{{Max: 0, Hours: 24}}}, "a frequency cap of 0 messages lets nothing through"},
		{Policy{Caps: []Cap{{Max: 1, Hours: 0}}}, "between 1 hour and 366 days"},
		{Policy{Caps: []Cap{{Channel: "smtp", Max: 1, Hours: 24}}}, "use PLUGIN-ID/COMPONENT"},
		{Policy{Caps: []Cap{{Max: 1, Hours: 24}, {Max: 2, Hours: 24}}}, "two frequency caps for every channel over 24h"},
		{Policy{Quiet: &Quiet{Start: "25:00", End: "08:00"}}, `quiet hours start: "25:00" is not a time of day; write HH:MM`},
		{Policy{Quiet: &Quiet{Start: "21:00", End: "8"}}, `quiet hours end: "8" is not a time of day`},
		{Policy{Quiet: &Quiet{Start: "21:00", End: "21:00"}}, "start and end at the same time"},
		{Policy{TimeZone: "Mars/Olympus"}, `unknown time zone "Mars/Olympus"; use an IANA name such as Asia/Shanghai`},
		{Policy{TimeZone: "UTC+15"}, "an offset runs from -12:00 to +14:00"},
	} {
		err := c.pol.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.pol, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%+v: error on more than one line: %v", c.pol, err)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"0/24h", "a frequency cap of 0 messages"},
		{"1/24", "give hours, days or weeks"},
		{"one/24h", "not a whole number"},
		{"1/400d", "up to 366 days"},
		{"24h", "write MAX/WINDOW"},
		{"smtp=1/24h", "use PLUGIN-ID/COMPONENT"},
	} {
		if _, err := ParseCap(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseCap(%q): %v, want %q", c.in, err, c.want)
		}
	}
	for _, in := range []string{"21:00", "21:00-25:00", "9pm-8am", "21:00-21:00"} {
		if _, err := ParseQuiet(in); err == nil {
			t.Errorf("ParseQuiet(%q) accepted", in)
		}
	}
	// A bad policy is not saved.
	p := newProject(t)
	if err := Save(context.Background(), p, &Policy{Caps: []Cap{{Max: 0, Hours: 24}}}); err == nil {
		t.Error("a cap of 0 was saved")
	}
	if _, ok, _ := p.Setting(context.Background(), settingKey); ok {
		t.Error("a refused policy left a setting")
	}
}

func TestParseCapAndQuiet(t *testing.T) {
	for in, want := range map[string]Cap{
		"1/24h":                                {Max: 1, Hours: 24},
		" 3 / 2d ":                             {Max: 3, Hours: 48},
		"marketbench.org/smtp/smtp=2/7d":       {Channel: "marketbench.org/smtp/smtp", Max: 2, Hours: 168},
		"marketbench.org/webhook/webhook=1/1w": {Channel: "marketbench.org/webhook/webhook", Max: 1, Hours: 168},
	} {
		got, err := ParseCap(in)
		if err != nil || got != want {
			t.Errorf("ParseCap(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		// What String writes, ParseCap reads back.
		if again, err := ParseCap(got.String()); err != nil || again != got {
			t.Errorf("%q: %q reads back as %+v, %v", in, got.String(), again, err)
		}
	}
	q, err := ParseQuiet("21:00-08:00")
	if err != nil || *q != (Quiet{"21:00", "08:00"}) || q.String() != "21:00-08:00" {
		t.Errorf("ParseQuiet: %+v, %v", q, err)
	}
}

func TestParseZone(t *testing.T) {
	at := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	for in, off := range map[string]int{
		"Asia/Shanghai": 8 * 3600, "+08:00": 8 * 3600, "UTC+8": 8 * 3600, "GMT-05:30": -(5*3600 + 1800),
		"+0530": 5*3600 + 1800, "UTC": 0, "北京时间": 8 * 3600, "America/New_York": -5 * 3600,
	} {
		loc, err := ParseZone(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if _, got := at.In(loc).Zone(); got != off {
			t.Errorf("%q: offset %d, want %d", in, got, off)
		}
	}
	for _, in := range []string{"", "Local", "Shanghai", "+25:00", "8", "/etc/passwd", "../zoneinfo/UTC"} {
		if _, err := ParseZone(in); err == nil {
			t.Errorf("%q taken for a time zone", in)
		}
	}
}

func TestQuietUntil(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	night := &Policy{Quiet: &Quiet{"21:00", "08:00"}}
	day := &Policy{Quiet: &Quiet{"12:00", "14:30"}}
	for _, c := range []struct {
		name  string
		pol   *Policy
		loc   *time.Location
		now   time.Time // in loc
		until time.Time // zero: not quiet
	}{
		{"evening wraps to the next morning", night, sh, time.Date(2025, 3, 1, 22, 15, 0, 0, sh), time.Date(2025, 3, 2, 8, 0, 0, 0, sh)},
		{"at the start", night, sh, time.Date(2025, 3, 1, 21, 0, 0, 0, sh), time.Date(2025, 3, 2, 8, 0, 0, 0, sh)},
		{"after midnight", night, sh, time.Date(2025, 3, 1, 3, 0, 0, 0, sh), time.Date(2025, 3, 1, 8, 0, 0, 0, sh)},
		{"month end", night, sh, time.Date(2025, 1, 31, 23, 59, 0, 0, sh), time.Date(2025, 2, 1, 8, 0, 0, 0, sh)},
		{"at the end: sends", night, sh, time.Date(2025, 3, 1, 8, 0, 0, 0, sh), time.Time{}},
		{"daytime: sends", night, sh, time.Date(2025, 3, 1, 20, 59, 0, 0, sh), time.Time{}},
		{"span within a day", day, sh, time.Date(2025, 3, 1, 13, 0, 0, 0, sh), time.Date(2025, 3, 1, 14, 30, 0, 0, sh)},
		{"before the span", day, sh, time.Date(2025, 3, 1, 11, 59, 0, 0, sh), time.Time{}},
		// The night the clocks go forward in New York (2 a.m. → 3 a.m. on
		// 9 March 2025) is an hour shorter: 22:00 to 08:00 is 9 hours.
		{"spring forward", night, ny, time.Date(2025, 3, 8, 22, 0, 0, 0, ny), time.Date(2025, 3, 9, 8, 0, 0, 0, ny)},
		// And the night they go back (2 November 2025) an hour longer.
		{"fall back", night, ny, time.Date(2025, 11, 1, 22, 0, 0, 0, ny), time.Date(2025, 11, 2, 8, 0, 0, 0, ny)},
		// Quiet hours that end at 02:30 on the night 02:00-03:00 does not
		// exist end when the clocks jump, at 03:00 EDT.
		{"end skipped by the jump", &Policy{Quiet: &Quiet{"23:00", "02:30"}}, ny, time.Date(2025, 3, 9, 1, 30, 0, 0, ny),
			time.Date(2025, 3, 9, 7, 0, 0, 0, time.UTC)},
		{"no quiet hours", &Policy{}, sh, time.Date(2025, 3, 1, 23, 0, 0, 0, sh), time.Time{}},
	} {
		until, quiet := c.pol.QuietUntil(c.loc, c.now)
		if quiet != !c.until.IsZero() || !until.Equal(c.until) {
			t.Errorf("%s: QuietUntil(%s) = %s, %v; want %s", c.name, c.now, until, quiet, c.until)
		}
	}
	// The DST nights, in hours.
	u, _ := night.QuietUntil(ny, time.Date(2025, 3, 8, 22, 0, 0, 0, ny))
	if h := u.Sub(time.Date(2025, 3, 8, 22, 0, 0, 0, ny)).Hours(); h != 9 {
		t.Errorf("spring-forward night lasts %v hours, want 9", h)
	}
	u, _ = night.QuietUntil(ny, time.Date(2025, 11, 1, 22, 0, 0, 0, ny))
	if h := u.Sub(time.Date(2025, 11, 1, 22, 0, 0, 0, ny)).Hours(); h != 11 {
		t.Errorf("fall-back night lasts %v hours, want 11", h)
	}
	// The same instant is quiet in Shanghai (23:00) and not in London
	// (15:00).
	london, _ := time.LoadLocation("Europe/London")
	now := time.Date(2025, 3, 1, 15, 0, 0, 0, time.UTC)
	if _, q := night.QuietUntil(sh, now); !q {
		t.Error("23:00 in Shanghai is not quiet")
	}
	if _, q := night.QuietUntil(london, now); q {
		t.Error("15:00 in London is quiet")
	}
}

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	p := newProject(t)
	pol, err := Load(ctx, p)
	if err != nil || !pol.Empty() || pol.TimeZone != "" {
		t.Fatalf("a new project's policy: %+v, %v; want none", pol, err)
	}
	if loc, _ := pol.Location(); loc != time.Local {
		t.Errorf("default zone %v, want this computer's", loc)
	}
	want := &Policy{Caps: []Cap{{Max: 1, Hours: 24}, {Channel: "marketbench.org/smtp/smtp", Max: 2, Hours: 168}},
		Quiet: &Quiet{"21:00", "08:00"}, TimeZone: "Asia/Shanghai"}
	if err := Save(ctx, p, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(ctx, p)
	if err != nil || len(got.Caps) != 2 || got.Caps[1] != want.Caps[1] || *got.Quiet != *want.Quiet || got.TimeZone != want.TimeZone {
		t.Errorf("loaded %+v, %v; want %+v", got, err, want)
	}
	log, _ := p.AuditLog(ctx, 1)
	if len(log) != 1 || log[0].Target != settingKey || !strings.Contains(log[0].Detail, `"time_zone":"Asia/Shanghai"`) {
		t.Errorf("audit %+v", log)
	}
}

// Each reason is stored in English and told in Chinese, numbers kept.
func TestReasonWords(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	reasons := map[string]string{
		Cap{Max: 1, Hours: 24}.Reason():                              "frequency cap: at most 1 message per 24 h overall",
		Cap{Channel: "a/b", Max: 2, Hours: 168}.Reason():             "frequency cap: at most 2 messages per 7 days on this channel",
		Cap{Channel: "a/b", Max: 1, Hours: 36}.Reason():              "frequency cap: at most 1 message per 36 h on this channel",
		QuietReason(time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), sh): "quiet hours until 08:00 (Asia/Shanghai)",
	}
	defer i18n.Use(i18n.English)
	for got, want := range reasons {
		if got != want {
			t.Errorf("reason %q, want %q", got, want)
		}
		i18n.Use(i18n.English)
		if w, ok := Words(got); !ok || w != got {
			t.Errorf("English words of %q: %q, %v", got, w, ok)
		}
		i18n.Use(i18n.Chinese)
		w, _ := Words(got)
		if strings.Contains(w, "frequency") || strings.Contains(w, "quiet") || !strings.ContainsAny(w, "0123456789") {
			t.Errorf("Chinese words of %q: %q", got, w)
		}
	}
	if _, ok := Words("unsubscribed"); ok {
		t.Error("another reason taken for the policy's")
	}
}
