package contact

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Why a message is skipped or held back: stored in English in the
// delivery log (they are data, like the other reasons there) and told in
// the language in use by Words.
var (
	capFormats = [2][2]string{ // [overall][plural]
		{i18n.Mark("frequency cap: at most %d message per %s on this channel"), i18n.Mark("frequency cap: at most %d messages per %s on this channel")},
		{i18n.Mark("frequency cap: at most %d message per %s overall"), i18n.Mark("frequency cap: at most %d messages per %s overall")},
	}
	hoursFormat = i18n.Mark("%d h")
	daysFormat  = i18n.Mark("%d days")
	quietFormat = i18n.Mark("quiet hours until %s (%s)")
	// How a cap is described: [on a channel][plural].
	capWords = [2][2]string{
		{i18n.Mark("at most %d message per %s over all channels"), i18n.Mark("at most %d messages per %s over all channels")},
		{i18n.Mark("at most %d message per %s on %s"), i18n.Mark("at most %d messages per %s on %s")},
	}
)

var (
	capRE   = regexp.MustCompile(`^frequency cap: at most (\d+) messages? per (\d+) (h|days) (on this channel|overall)$`)
	quietRE = regexp.MustCompile(`^quiet hours until (\d\d:\d\d) \((.+)\)$`)
)

// Reason is why a customer at this cap gets nothing, in English.
func (c Cap) Reason() string {
	f, n, w := c.reasonParts()
	return fmt.Sprintf(f, n, fmt.Sprintf(w, c.windowNumber()))
}

func (c Cap) reasonParts() (format string, n int, window string) {
	overall, plural := 0, 0
	if c.Channel == "" {
		overall = 1
	}
	if c.Max != 1 {
		plural = 1
	}
	window = hoursFormat
	if Window(c.Hours) != strconv.Itoa(c.Hours)+"h" {
		window = daysFormat
	}
	return capFormats[overall][plural], c.Max, window
}

func (c Cap) windowNumber() int {
	if Window(c.Hours) != strconv.Itoa(c.Hours)+"h" {
		return c.Hours / 24
	}
	return c.Hours
}

// Words describes the cap in the language in use: "at most 2 messages per
// 7 days on marketbench.org/smtp/smtp".
func (c Cap) Words() string {
	_, n, wf := c.reasonParts()
	plural := 0
	if n != 1 {
		plural = 1
	}
	w := i18n.T(wf, c.windowNumber())
	if c.Channel == "" {
		return i18n.T(capWords[0][plural], n, w)
	}
	return i18n.T(capWords[1][plural], n, w, c.Channel)
}

// QuietReason is why a message waits until the quiet hours end, in
// English: "quiet hours until 08:00 (Asia/Shanghai)", in the customer's
// clock and zone.
func QuietReason(until time.Time, loc *time.Location) string {
	return fmt.Sprintf(quietFormat, until.In(loc).Format("15:04"), ZoneName(loc, until))
}

// Words tells a reason of this package in the language in use; ok is
// false for any other reason.
func Words(reason string) (words string, ok bool) {
	if m := capRE.FindStringSubmatch(reason); m != nil {
		n, _ := strconv.Atoi(m[1])
		w, _ := strconv.Atoi(m[2])
		c := Cap{Max: n, Hours: w}
		if m[3] == "days" {
			c.Hours = w * 24
		}
		if m[4] == "on this channel" {
			c.Channel = "-/-"
		}
		f, _, wf := c.reasonParts()
		return i18n.T(f, n, i18n.T(wf, w)), true
	}
	if m := quietRE.FindStringSubmatch(reason); m != nil {
		return i18n.T(quietFormat, m[1], m[2]), true
	}
	return "", false
}
