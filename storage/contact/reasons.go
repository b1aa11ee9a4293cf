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
	windowFormats = [2]string{i18n.Mark("%d h"), i18n.Mark("%d days")} // [in days]
	quietFormat   = i18n.Mark("quiet hours until %s (%s)")
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

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// window is the cap's window as a number and whether it counts days
// (whole days beyond one, as Window writes it) or hours.
func (c Cap) window() (n int, days bool) {
	if c.Hours > 24 && c.Hours%24 == 0 {
		return c.Hours / 24, true
	}
	return c.Hours, false
}

// Reason is why a customer at this cap gets nothing, in English.
func (c Cap) Reason() string {
	n, days := c.window()
	return fmt.Sprintf(capFormats[b2i(c.Channel == "")][b2i(c.Max != 1)], c.Max, fmt.Sprintf(windowFormats[b2i(days)], n))
}

// Words describes the cap in the language in use: "at most 2 messages per
// 7 days on marketbench.org/smtp/smtp".
func (c Cap) Words() string {
	n, days := c.window()
	w := i18n.T(windowFormats[b2i(days)], n)
	if c.Channel == "" {
		return i18n.T(capWords[0][b2i(c.Max != 1)], c.Max, w)
	}
	return i18n.T(capWords[1][b2i(c.Max != 1)], c.Max, w, c.Channel)
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
		most, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		f := capFormats[b2i(m[4] == "overall")][b2i(most != 1)]
		return i18n.T(f, most, i18n.T(windowFormats[b2i(m[3] == "days")], n)), true
	}
	if m := quietRE.FindStringSubmatch(reason); m != nil {
		return i18n.T(quietFormat, m[1], m[2]), true
	}
	return "", false
}
