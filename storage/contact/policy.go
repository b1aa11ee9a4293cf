// Package contact keeps the project's contact policy: the limits every
// campaign and journey send honours on top of consent and suppression.
// Frequency caps bound how many messages a customer gets in a window (per
// channel, or over all channels), counted in the delivery log; quiet hours
// hold messages back at night in the customer's time zone, or the
// project's when the customer's is unknown.
//
// The policy is a project setting. A project that never saved one has none:
// no caps and no quiet hours, so sends behave as they did before the policy
// existed; how often a business may write to its customers is its own
// decision, not one to make for it silently.
package contact

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	// Time zones come with the program: Windows has no zoneinfo, and a
	// customer's zone must not depend on the machine sending.
	_ "time/tzdata"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// settingKey names the project setting that holds the policy as JSON.
const settingKey = "contact_policy"

// Limits of a policy, so a typo cannot make a cap that never ends.
const (
	MaxCaps  = 20
	MaxHours = 366 * 24
)

// Cap allows at most Max messages per customer in any Hours-long window,
// on one channel or, with Channel "", on all channels together.
type Cap struct {
	// Channel is a channel key ("<plugin id>/<component>", see ChannelKey),
	// or "" for every channel overall.
	Channel string `json:"channel"`
	Max     int    `json:"max"`
	Hours   int    `json:"hours"`
}

// Quiet is the time of day when nothing is sent, in the customer's time:
// from Start up to End ("21:00" to "08:00" wraps past midnight).
type Quiet struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Policy is the project's contact policy.
type Policy struct {
	Caps  []Cap  `json:"caps"`
	Quiet *Quiet `json:"quiet,omitempty"`
	// TimeZone is the project's zone (an IANA name such as
	// "Asia/Shanghai", or an offset such as "+08:00"), used for customers
	// whose own is unknown; "" is this computer's.
	TimeZone string `json:"time_zone"`
}

// ChannelKey names a channel as caps and the delivery log do.
func ChannelKey(plugin, component string) string { return plugin + "/" + component }

// Validate checks the policy; the error names every problem.
func (pol *Policy) Validate() error {
	var errs []error
	if len(pol.Caps) > MaxCaps {
		errs = append(errs, i18n.Errorf("at most %d frequency caps, not %d", MaxCaps, len(pol.Caps)))
	}
	seen := map[string]bool{}
	for _, c := range pol.Caps {
		if err := c.validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		k := fmt.Sprintf("%s\x00%d", c.Channel, c.Hours)
		switch {
		case !seen[k]:
		case c.Channel == "":
			errs = append(errs, i18n.Errorf("two frequency caps for every channel over %s; keep one", Window(c.Hours)))
		default:
			errs = append(errs, i18n.Errorf("two frequency caps for %s over %s; keep one", c.Channel, Window(c.Hours)))
		}
		seen[k] = true
	}
	if q := pol.Quiet; q != nil {
		s, err1 := clock(q.Start)
		e, err2 := clock(q.End)
		switch {
		case err1 != nil:
			errs = append(errs, i18n.Errorf("quiet hours start: %w", err1))
		case err2 != nil:
			errs = append(errs, i18n.Errorf("quiet hours end: %w", err2))
		case s == e:
			errs = append(errs, i18n.Errorf("quiet hours start and end at the same time (%s); give a span such as 21:00-08:00, or no quiet hours", q.Start))
		}
	}
	if pol.TimeZone != "" {
		if _, err := ParseZone(pol.TimeZone); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return storage.JoinErrors("; ", errs...)
	}
	return nil
}

func (c Cap) validate() error {
	switch {
	case c.Channel != "" && !validChannel(c.Channel):
		return i18n.Errorf("frequency cap channel %q: use PLUGIN-ID/COMPONENT, e.g. marketbench.org/smtp/smtp, or leave it empty for every channel", c.Channel)
	case c.Max < 1:
		return i18n.Errorf("a frequency cap of %d messages lets nothing through; allow at least 1 (to send nothing, leave the customers out of the audience)", c.Max)
	case c.Hours < 1 || c.Hours > MaxHours:
		return i18n.Errorf("a frequency cap's window must be between 1 hour and 366 days, not %d hours", c.Hours)
	}
	return nil
}

func validChannel(ch string) bool {
	i := strings.LastIndexByte(ch, '/')
	return i > 0 && i < len(ch)-1 && strings.TrimSpace(ch) == ch && !strings.ContainsAny(ch, " =")
}

// Window is a cap's window as written in the CLI and in reasons: "24h",
// "7d" when it is whole days beyond one.
func Window(hours int) string {
	if hours > 24 && hours%24 == 0 {
		return strconv.Itoa(hours/24) + "d"
	}
	return strconv.Itoa(hours) + "h"
}

// String writes the cap as the CLI takes it: "1/24h", or
// "marketbench.org/smtp/smtp=2/7d".
func (c Cap) String() string {
	s := fmt.Sprintf("%d/%s", c.Max, Window(c.Hours))
	if c.Channel != "" {
		s = c.Channel + "=" + s
	}
	return s
}

// ParseCap reads a cap as the CLI takes it: "MAX/WINDOW" for every channel
// or "CHANNEL=MAX/WINDOW", the window in hours or days ("24h", "7d").
func ParseCap(s string) (Cap, error) {
	s = strings.TrimSpace(s)
	var c Cap
	rest := s
	if i := strings.LastIndexByte(s, '='); i >= 0 {
		c.Channel, rest = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	n, w, ok := strings.Cut(rest, "/")
	if !ok {
		return Cap{}, i18n.Errorf("frequency cap %q: write MAX/WINDOW such as 1/24h or 2/7d, optionally after CHANNEL=", s)
	}
	var err error
	if c.Max, err = strconv.Atoi(strings.TrimSpace(n)); err != nil {
		return Cap{}, i18n.Errorf("frequency cap %q: %q is not a whole number of messages", s, n)
	}
	if c.Hours, err = parseWindow(strings.TrimSpace(w)); err != nil {
		return Cap{}, i18n.Errorf("frequency cap %q: %w", s, err)
	}
	if err := c.validate(); err != nil {
		return Cap{}, err
	}
	return c, nil
}

func parseWindow(w string) (int, error) {
	unit := 1
	num := w
	switch {
	case strings.HasSuffix(w, "h"):
		num = w[:len(w)-1]
	case strings.HasSuffix(w, "d"):
		num, unit = w[:len(w)-1], 24
	case strings.HasSuffix(w, "w"):
		num, unit = w[:len(w)-1], 24*7
	default:
		return 0, i18n.Errorf("window %q: give hours, days or weeks, such as 24h, 7d or 2w", w)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > MaxHours/unit {
		return 0, i18n.Errorf("window %q: give hours, days or weeks, such as 24h, 7d or 2w, up to 366 days", w)
	}
	return n * unit, nil
}

// ParseQuiet reads quiet hours as "21:00-08:00".
func ParseQuiet(s string) (*Quiet, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return nil, i18n.Errorf("quiet hours %q: write START-END such as 21:00-08:00", s)
	}
	q := &Quiet{Start: strings.TrimSpace(a), End: strings.TrimSpace(b)}
	if err := (&Policy{Quiet: q}).Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

// String writes quiet hours as "21:00-08:00".
func (q *Quiet) String() string { return q.Start + "-" + q.End }

// clock reads "HH:MM" (00:00 to 23:59) as minutes after midnight.
func clock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(h) < 1 || len(h) > 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, i18n.Errorf("%q is not a time of day; write HH:MM from 00:00 to 23:59", s)
	}
	return hh*60 + mm, nil
}

// Load reads the project's policy; a project that never saved one has the
// empty policy (no caps, no quiet hours, this computer's time zone).
func Load(ctx context.Context, p *storage.Project) (*Policy, error) {
	v, ok, err := p.Setting(ctx, settingKey)
	if err != nil {
		return nil, err
	}
	pol := &Policy{}
	if !ok {
		return pol, nil
	}
	if err := json.Unmarshal([]byte(v), pol); err != nil {
		return nil, i18n.Errorf("the project's contact policy is damaged (%v); set it again with 'marketbench policy set'", err)
	}
	return pol, nil
}

// Save validates and stores the policy, with an audit record of it.
func Save(ctx context.Context, p *storage.Project, pol *Policy) error {
	if err := pol.Validate(); err != nil {
		return err
	}
	c := *pol
	if c.Caps == nil {
		c.Caps = []Cap{}
	}
	b, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	return p.SetSetting(ctx, settingKey, string(b))
}

// Empty reports a policy that limits nothing.
func (pol *Policy) Empty() bool { return len(pol.Caps) == 0 && pol.Quiet == nil }

// Location is the project's time zone: TimeZone, or this computer's.
func (pol *Policy) Location() (*time.Location, error) {
	if pol.TimeZone == "" {
		return time.Local, nil
	}
	return ParseZone(pol.TimeZone)
}
