// Package consent keeps each customer's consent history: every change with
// when it happened, where it is known from and its proof. The events are
// append-only; a customer's current consent for a channel is their latest
// event, and recording one also writes it into the customer tables'
// consent column for that channel, which is what sends check.
package consent

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Channels are the consent roles, one per channel kind, in display order.
var Channels = []storage.Role{storage.EmailConsent, storage.SMSConsent, storage.WeChatFollower, storage.PushOptIn}

// channelWords are the names a person may give a channel, besides its role.
var channelWords = map[string]storage.Role{
	"email": storage.EmailConsent, "e-mail": storage.EmailConsent, "mail": storage.EmailConsent, "邮件": storage.EmailConsent, "邮箱": storage.EmailConsent,
	"sms": storage.SMSConsent, "phone": storage.SMSConsent, "text": storage.SMSConsent, "短信": storage.SMSConsent,
	"wechat": storage.WeChatFollower, "weixin": storage.WeChatFollower, "微信": storage.WeChatFollower, "公众号": storage.WeChatFollower,
	"push": storage.PushOptIn, "app": storage.PushOptIn, "推送": storage.PushOptIn,
}

// ParseChannel turns "email", "sms", "wechat", "push" (or a consent role
// name, or their Chinese names) into the channel's consent role.
func ParseChannel(s string) (storage.Role, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for _, c := range Channels {
		if k == string(c) {
			return c, nil
		}
	}
	if r, ok := channelWords[k]; ok {
		return r, nil
	}
	return "", i18n.Errorf("unknown channel %q; use email, sms, wechat or push", s)
}

// Short is the channel's plain name: email, sms, wechat or push.
func Short(c storage.Role) string {
	switch c {
	case storage.EmailConsent:
		return "email"
	case storage.SMSConsent:
		return "sms"
	case storage.WeChatFollower:
		return "wechat"
	case storage.PushOptIn:
		return "push"
	}
	return string(c)
}

// grantedWords are the column values a send takes as consent given; any
// other non-empty value is consent refused. Kept here so the send check
// and the consent history read a column the same way.
var grantedWords = []string{"true", "1", "yes", "y", "t", "opt-in", "opted in", "是"}

// IsGranted says whether a consent column value means consent given.
func IsGranted(v string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	for _, w := range grantedWords {
		if v == w {
			return true
		}
	}
	return false
}

// ParseGranted reads a granted value from a consent file or a flag.
func ParseGranted(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "t", "1", "同意", "是", "opt-in", "optin", "opted in", "granted", "subscribed", "subscribe":
		return true, nil
	case "no", "n", "false", "f", "0", "不同意", "否", "opt-out", "optout", "opted out", "withdrawn", "refused", "unsubscribed", "unsubscribe":
		return false, nil
	}
	return false, i18n.Errorf("%q is not a consent value; use yes/no, true/false, 1/0, 同意/不同意 or opt-in/opt-out", s)
}

// Event is one recorded consent change.
type Event struct {
	ID         int64
	CustomerID string
	Channel    storage.Role
	Granted    bool
	At         time.Time // when the person gave or withdrew consent
	Source     string
	Proof      string
	RecordedAt time.Time
}

// Change is a consent change to record. Row is its line in an imported
// file (0 for a manual change), used in error messages.
type Change struct {
	Row        int
	CustomerID string
	Channel    storage.Role
	Granted    bool
	At         time.Time
	Source     string
	Proof      string
}

// maxText bounds source and proof: they are notes, not documents.
const maxText = 2000

// RowError is one change that cannot be recorded, by its row.
type RowError struct {
	Row    int
	Reason string
}

// BadRowsError lists every row that cannot be recorded; none was.
type BadRowsError struct {
	Rows []RowError
}

func (e *BadRowsError) Error() string {
	var parts []string
	for i, r := range e.Rows {
		if i == 10 {
			parts = append(parts, i18n.T("and %d more", len(e.Rows)-10))
			break
		}
		if r.Row > 0 {
			parts = append(parts, i18n.T("row %d: %s", r.Row, r.Reason))
		} else {
			parts = append(parts, r.Reason)
		}
	}
	return i18n.T("%d row(s) cannot be recorded, so nothing was (%s); fix them and try again", len(e.Rows), strings.Join(parts, "; "))
}

// Result says what Record did.
type Result struct {
	Added      int
	Duplicates int // already recorded: left out
	Granted    int // of the added, consent given
	Withdrawn  int // of the added, consent withdrawn
	// Updated are the customer-table rows whose consent column changed.
	Updated int64
	// Superseded are added changes older than a change already recorded
	// for that customer and channel: kept in the history, but the later
	// one stays the consent (the latest wins).
	Superseded int
	// NoColumn are the channels of added events that no customer table has
	// a consent column for: the events are kept, but sends need the column.
	NoColumn []storage.Role
}

// Record adds the changes in one transaction after checking every one:
// a known customer, a channel, a time, a source. A change already
// recorded (same customer, channel, value, source, proof and time) is left
// out, so importing a file again adds nothing. Then each touched
// customer's latest event is written into the consent columns.
func Record(ctx context.Context, p *storage.Project, changes []Change) (*Result, error) {
	return record(ctx, p, changes, false)
}

// Preview is what Record would do, with nothing written: its transaction
// is rolled back.
func Preview(ctx context.Context, p *storage.Project, changes []Change) (*Result, error) {
	return record(ctx, p, changes, true)
}

var errPreview = errors.New("preview only")

func record(ctx context.Context, p *storage.Project, changes []Change, preview bool) (*Result, error) {
	res := &Result{}
	changes = append([]Change(nil), changes...)
	for i := range changes {
		changes[i].CustomerID = strings.TrimSpace(changes[i].CustomerID)
		changes[i].Source = strings.TrimSpace(changes[i].Source)
		changes[i].Proof = strings.TrimSpace(changes[i].Proof)
	}
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		pt := p.InTx(tx)
		known, err := knownCustomers(ctx, pt)
		if err != nil {
			return err
		}
		var bad []RowError
		for _, c := range changes {
			if why := check(c, known); why != "" {
				bad = append(bad, RowError{Row: c.Row, Reason: why})
			}
		}
		if len(bad) > 0 {
			return &BadRowsError{Rows: bad}
		}
		have, err := recorded(ctx, tx, changes)
		if err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond) // as stored: apply finds this batch by it
		var add []Change
		for _, c := range changes {
			k := key(c)
			if have[k] {
				res.Duplicates++
				continue
			}
			have[k] = true
			add = append(add, c)
		}
		if err := insert(ctx, tx, add, now); err != nil {
			return err
		}
		touched := map[storage.Role]map[string]bool{}
		for _, c := range add {
			if touched[c.Channel] == nil {
				touched[c.Channel] = map[string]bool{}
			}
			touched[c.Channel][c.CustomerID] = true
			if c.Granted {
				res.Granted++
			} else {
				res.Withdrawn++
			}
		}
		res.Added = len(add)
		for _, ch := range Channels {
			if touched[ch] == nil {
				continue
			}
			n, cols, older, err := apply(ctx, pt, tx, ch, touched[ch], now)
			if err != nil {
				return err
			}
			res.Superseded += older
			res.Updated += n
			if cols == 0 {
				res.NoColumn = append(res.NoColumn, ch)
			}
		}
		if preview {
			return errPreview
		}
		if res.Added == 0 {
			return nil
		}
		sources := map[string]bool{}
		for _, c := range add {
			sources[c.Source] = true
		}
		var src []string
		for s := range sources {
			src = append(src, s)
		}
		sort.Strings(src)
		detail := fmt.Sprintf("%d consent change(s) (%d given, %d withdrawn) from %s", res.Added, res.Granted, res.Withdrawn, strings.Join(src, ", "))
		return pt.Audit(ctx, tx, "consent", "mb_consent_events", -1, -1, detail)
	})
	if err != nil && !(preview && errors.Is(err, errPreview)) {
		return nil, err
	}
	return res, nil
}

func check(c Change, known map[string]bool) string {
	switch {
	case strings.TrimSpace(c.CustomerID) == "":
		return i18n.T("no customer")
	case !known[c.CustomerID]:
		return i18n.T("customer %q is not in any customer table", clip(c.CustomerID))
	case !isChannel(c.Channel):
		return i18n.T("unknown channel %q; use email, sms, wechat or push", clip(string(c.Channel)))
	case c.At.IsZero():
		return i18n.T("no time")
	case c.At.After(time.Now().Add(24 * time.Hour)):
		return i18n.T("the time %s is in the future", c.At.Format("2006-01-02 15:04"))
	case strings.TrimSpace(c.Source) == "":
		return i18n.T("no source: say where the consent is known from")
	case len(c.Source) > maxText || len(c.Proof) > maxText:
		return i18n.T("the source or proof is longer than %d characters", maxText)
	}
	return ""
}

// clip keeps a value short enough to quote in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func isChannel(r storage.Role) bool {
	for _, c := range Channels {
		if c == r {
			return true
		}
	}
	return false
}

// key identifies a change for the duplicate check (times to the second:
// files write them so).
func key(c Change) string {
	g := "0"
	if c.Granted {
		g = "1"
	}
	return strings.Join([]string{c.CustomerID, string(c.Channel), g, c.At.UTC().Truncate(time.Second).Format(time.RFC3339), c.Source, c.Proof}, "\x00")
}

// recorded are the keys of the events already recorded from the changes'
// sources.
func recorded(ctx context.Context, q storage.Querier, changes []Change) (map[string]bool, error) {
	have := map[string]bool{}
	sources := map[string]bool{}
	for _, c := range changes {
		sources[c.Source] = true
	}
	for s := range sources {
		rows, err := q.QueryContext(ctx, `SELECT customer_id, channel, granted, "at", coalesce(proof, '') FROM mb_consent_events WHERE source = ?`, s)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			c := Change{Source: s}
			var ch string
			if err := rows.Scan(&c.CustomerID, &ch, &c.Granted, &c.At, &c.Proof); err != nil {
				rows.Close()
				return nil, err
			}
			c.Channel = storage.Role(ch)
			have[key(c)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return have, nil
}

// insert appends the events, a few hundred per statement.
func insert(ctx context.Context, tx *storage.Tx, add []Change, now time.Time) error {
	const batch = 200
	for i := 0; i < len(add); i += batch {
		end := min(i+batch, len(add))
		var vals []string
		var args []any
		for _, c := range add[i:end] {
			vals = append(vals, `(nextval('mb_seq'), ?, ?, ?, ?, ?, ?, ?)`)
			var proof any
			if c.Proof != "" {
				proof = c.Proof
			}
			args = append(args, c.CustomerID, string(c.Channel), c.Granted, c.At.UTC(), c.Source, proof, now)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_consent_events (id, customer_id, channel, granted, "at", source, proof, recorded_at) VALUES `+
			strings.Join(vals, ", "), args...); err != nil {
			return i18n.Errorf("cannot record the consent changes: %s", storage.FirstLine(err.Error()))
		}
	}
	return nil
}
