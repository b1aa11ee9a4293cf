package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// policy set changes the parts given and keeps the rest; bad input is
// refused in one line and changes nothing.
func TestPolicyCommands(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "p.mbproj")
	ok(t, "init", proj)
	if out := ok(t, "-p", proj, "policy", "show"); !strings.Contains(out, "No frequency caps.") || !strings.Contains(out, "No quiet hours.") {
		t.Errorf("a new project's policy:\n%s", out)
	}
	out := ok(t, "-p", proj, "policy", "set", "--cap", "1/24h", "--cap", "marketbench.org/smtp/smtp=2/7d", "--quiet", "21:00-08:00", "--time-zone", "Asia/Shanghai")
	for _, want := range []string{"at most 1 message per 24 h over all channels", "at most 2 messages per 7 days on marketbench.org/smtp/smtp",
		"Quiet hours: 21:00-08:00", "Project time zone: Asia/Shanghai."} {
		if !strings.Contains(out, want) {
			t.Errorf("set: no %q in\n%s", want, out)
		}
	}
	// Only the quiet hours change.
	ok(t, "-p", proj, "policy", "set", "--quiet", "22:00-07:30")
	var pol struct {
		Caps []struct {
			Channel    string
			Max, Hours int
		}
		Quiet    struct{ Start, End string }
		TimeZone string `json:"time_zone"`
	}
	if err := json.Unmarshal([]byte(ok(t, "-p", proj, "--json", "policy", "show")), &pol); err != nil {
		t.Fatal(err)
	}
	if len(pol.Caps) != 2 || pol.Caps[1].Hours != 168 || pol.Quiet.Start != "22:00" || pol.Quiet.End != "07:30" || pol.TimeZone != "Asia/Shanghai" {
		t.Errorf("after --quiet: %+v", pol)
	}
	fails(t, "a frequency cap of 0 messages lets nothing through", "-p", proj, "policy", "set", "--cap", "0/24h")
	fails(t, `"25:00" is not a time of day`, "-p", proj, "policy", "set", "--quiet", "25:00-08:00")
	fails(t, `unknown time zone "Mars/Base"`, "-p", proj, "policy", "set", "--time-zone", "Mars/Base")
	fails(t, "nothing to set", "-p", proj, "policy", "set")
	if out := ok(t, "-p", proj, "policy", "show"); !strings.Contains(out, "22:00-07:30") || !strings.Contains(out, "Asia/Shanghai") {
		t.Errorf("refused input changed the policy:\n%s", out)
	}
	if out := ok(t, "-p", proj, "policy", "set", "--clear"); !strings.Contains(out, "No frequency caps.") || !strings.Contains(out, "this computer's") {
		t.Errorf("--clear:\n%s", out)
	}
	if out := ok(t, "-p", proj, "--lang", "zh-Hans", "policy", "set", "--cap", "1/24h"); !strings.Contains(out, "所有渠道合计每24小时最多1条消息") {
		t.Errorf("in Chinese:\n%s", out)
	}
}
