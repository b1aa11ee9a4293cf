package campaign

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/contact"
)

// Planned reports whether the campaign's audience is already in the
// delivery log: it is frozen at the first live send, so a resume sends to
// the same people.
func IsPlanned(ctx context.Context, p *storage.Project, campaign string) (bool, error) {
	var n int
	err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE campaign = ?`, campaign).Scan(&n)
	return n > 0, err
}

// Plan writes one delivery row per recipient (planned, holdout or
// excluded with its reason) in one transaction. Rows that exist are kept.
// The project's frequency caps are applied first (see Cap): customers at a
// cap are logged as excluded with the cap's reason, and marked so in rs.
func Plan(ctx context.Context, p *storage.Project, c *Campaign, rs []Recipient) error {
	return PlanAt(ctx, p, c, rs, time.Now())
}

// PlanAt is Plan as of now: the caps are counted at now, and now is the
// rows' planned time (an injected clock for tests and catching up).
func PlanAt(ctx context.Context, p *storage.Project, c *Campaign, rs []Recipient, now time.Time) error {
	if _, err := Cap(ctx, p, c, rs, now); err != nil {
		return err
	}
	f, err := os.CreateTemp("", "mb-plan-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriter(f)
	w.WriteString("customer_id,variant,idempotency_key,status,reason\n")
	for _, r := range rs {
		if strings.TrimSpace(r.CustomerID) == "" {
			continue // nobody to log (Audience excludes them)
		}
		status, variant := Planned, r.Group
		switch {
		case r.Excluded != "":
			status, variant = Excluded, ""
		case r.Group == Holdout:
			status = Holdout
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", csvQ(r.CustomerID), csvQ(variant), IdempotencyKey(c.Name, r.CustomerID), status, csvQ(r.Excluded))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	f.Close()
	src := `read_csv(` + storage.Literal(f.Name()) + `, header = true, quote = '"', escape = '"', all_varchar = true)`
	return p.Tx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_deliveries (campaign, customer_id, variant, idempotency_key, status, reason, channel, planned_at)
			SELECT ?, customer_id, coalesce(variant, ''), idempotency_key, status, nullif(reason, ''), ?, ?::TIMESTAMP FROM `+src+` ON CONFLICT DO NOTHING`,
			c.Name, contact.ChannelKey(c.Plugin, c.Component), now.UTC()); err != nil {
			return i18n.Errorf("cannot plan the deliveries: %s", storage.FirstLine(err.Error()))
		}
		return p.InTx(tx).Audit(ctx, tx, "campaign plan", c.Name, -1, int64(len(rs)), "audience frozen")
	})
}

func csvQ(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// Delivery is one row of the log that is due.
type Delivery struct {
	CustomerID, Variant, Key string
	Attempts                 int
}

// Due returns up to n deliveries to send now: planned ones, and retries
// whose wait is over, in customer order.
func Due(ctx context.Context, p *storage.Project, campaign string, n int, now time.Time) ([]Delivery, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT customer_id, variant, idempotency_key, attempts FROM mb_deliveries
		WHERE campaign = ? AND (status = 'planned' OR (status = 'retry' AND next_at <= ?)) ORDER BY customer_id LIMIT ?`, campaign, now.UTC(), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		if err := rows.Scan(&d.CustomerID, &d.Variant, &d.Key, &d.Attempts); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NextRetry is when the earliest waiting retry is due (zero if none).
func NextRetry(ctx context.Context, p *storage.Project, campaign string) (time.Time, error) {
	var t *time.Time
	err := p.Q().QueryRowContext(ctx, `SELECT min(next_at) FROM mb_deliveries WHERE campaign = ? AND status = 'retry'`, campaign).Scan(&t)
	if t == nil {
		return time.Time{}, err
	}
	return *t, err
}

// MarkSending records, before anything is sent, that these deliveries are
// about to go: committed first, so a crash can never hide a send.
func MarkSending(ctx context.Context, p *storage.Project, campaign string, ds []Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = storage.Literal(d.CustomerID)
	}
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = current_timestamp
		WHERE campaign = ? AND customer_id IN (`+strings.Join(ids, ",")+`)`, campaign)
	return err
}

// Outcome is what became of one delivery.
type Outcome struct {
	CustomerID string
	Status     string // Delivered, Retry, Rejected, Excluded
	ProviderID string
	Reason     string
	NextAt     time.Time // Retry
	// SentAt is when it was delivered, on the sender's clock (which a
	// runner working as of another time shifts); zero means now.
	SentAt time.Time
}

// sentAt is an outcome's delivery time for SQL: NULL means the database's now.
func (o Outcome) sentAt() any {
	if o.Status != Delivered || o.SentAt.IsZero() {
		return nil
	}
	return o.SentAt.UTC()
}

// Record stores outcomes in one statement (one transaction). Reasons are
// stored as one short line (ShortReason).
func Record(ctx context.Context, p *storage.Project, campaign string, os []Outcome) error {
	if len(os) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{}
	for i, o := range os {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)")
		var next any
		if o.Status == Retry {
			next = o.NextAt.UTC()
		}
		args = append(args, o.CustomerID, o.Status, o.ProviderID, ShortReason(o.Reason), next, o.sentAt())
	}
	args = append(args, campaign)
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = v.status, provider_id = nullif(v.provider_id, ''), reason = nullif(v.reason, ''),
		next_at = v.next_at, sent_at = CASE WHEN v.status = 'delivered' THEN coalesce(v.sent_at, current_timestamp) ELSE mb_deliveries.sent_at END, updated_at = current_timestamp
		FROM (VALUES `+b.String()+`) v(customer_id, status, provider_id, reason, next_at, sent_at)
		WHERE mb_deliveries.campaign = ? AND mb_deliveries.customer_id = v.customer_id`, args...)
	return err
}

// Step is one write of a running send, one statement (one transaction):
// the outcomes that arrived are recorded and the next messages are marked
// sending (attempts + 1) before they go to the plugin. Grouping both in
// one statement keeps the write-ahead log from being the bottleneck of a
// parallel send.
func Step(ctx context.Context, p *storage.Project, campaign string, outcomes []Outcome, next []Delivery) error {
	if len(outcomes) == 0 && len(next) == 0 {
		return nil
	}
	var b strings.Builder
	args := make([]any, 0, 5*(len(outcomes)+len(next))+1)
	row := func(id, status string, inc int, provider, reason string, at, sent any) {
		if len(args) > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(?, ?, %d, ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)", inc)
		args = append(args, id, status, provider, ShortReason(reason), at, sent)
	}
	for _, o := range outcomes {
		var at any
		if o.Status == Retry {
			at = o.NextAt.UTC()
		}
		row(o.CustomerID, o.Status, 0, o.ProviderID, o.Reason, at, o.sentAt())
	}
	for _, d := range next {
		row(d.CustomerID, Sending, 1, "", "", nil, nil)
	}
	args = append(args, campaign)
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = v.status, attempts = attempts + v.inc,
		provider_id = CASE WHEN v.inc = 1 THEN mb_deliveries.provider_id ELSE nullif(v.provider_id, '') END,
		reason = CASE WHEN v.inc = 1 THEN mb_deliveries.reason ELSE nullif(v.reason, '') END, next_at = v.next_at,
		sent_at = CASE WHEN v.status = 'delivered' THEN coalesce(v.sent_at, current_timestamp) ELSE mb_deliveries.sent_at END, updated_at = current_timestamp
		FROM (VALUES `+b.String()+`) v(customer_id, status, inc, provider_id, reason, next_at, sent_at)
		WHERE mb_deliveries.campaign = ? AND mb_deliveries.customer_id = v.customer_id`, args...)
	return err
}

// Release puts deliveries that were marked sending but never handed to
// the plugin (it could not be started, or its session not opened) back to
// planned, and takes back the attempt: they were never in flight.
func Release(ctx context.Context, p *storage.Project, campaign string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET status = 'planned', attempts = greatest(attempts - 1, 0), updated_at = current_timestamp
		WHERE campaign = ? AND status = 'sending' AND customer_id IN (`+literals(ids)+`)`, campaign)
	return err
}

func literals(ids []string) string {
	lits := make([]string, len(ids))
	for i, id := range ids {
		lits[i] = storage.Literal(id)
	}
	return strings.Join(lits, ",")
}

// Why a delivery's fate is unknown (stored in English; see ReasonWords).
var (
	ReasonStopped   = i18n.Mark("the app or the plugin stopped while this message was being sent; it may or may not have gone out")
	ReasonPluginBug = i18n.Mark("the plugin failed (a bug in it) while sending this message; it may or may not have gone out")
	ReasonNoAnswer  = i18n.Mark("the plugin did not answer for this message in time; it may or may not have gone out")
)

// Settle applies Recover's rules to the given deliveries still marked
// sending (messages that were in flight when the plugin failed): sent
// again under the same key when the channel honours keys, otherwise
// unknown with reason. Others' messages in flight are not touched.
func Settle(ctx context.Context, p *storage.Project, c *Campaign, ids []string, reason string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return settle(ctx, p, c, ` AND customer_id IN (`+literals(ids)+`)`, reason)
}

// Recover settles deliveries left "sending" by a crash: with a channel that
// honours idempotency keys they are sent again under the same key (the
// provider drops a duplicate); otherwise they become "unknown", for the user
// to check, since sending again could reach someone twice.
//
// A delivery that has used up its attempts this way is given up
// (rejected): a message the plugin keeps failing on must not stall the
// campaign for ever.
func Recover(ctx context.Context, p *storage.Project, c *Campaign) (int, error) {
	return settle(ctx, p, c, "", ReasonStopped)
}

func settle(ctx context.Context, p *storage.Project, c *Campaign, only, reason string) (int, error) {
	status := Planned
	if !c.Idempotent {
		status = Unknown
	} else {
		reason = ""
	}
	var n int64
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mb_deliveries SET status = 'rejected', updated_at = current_timestamp,
			reason = 'gave up after ' || attempts || ' attempts: the plugin stopped or did not answer while sending it'
			WHERE campaign = ? AND status = 'sending' AND attempts >= ?`+only, c.Name, c.maxAttempts())
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		res, err = tx.ExecContext(ctx, `UPDATE mb_deliveries SET status = ?, reason = nullif(?, ''), updated_at = current_timestamp
			WHERE campaign = ? AND status = 'sending'`+only, status, reason, c.Name)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		n = k + m
		return nil
	})
	return int(n), err
}

// Refund takes back the attempt counted for deliveries that were marked
// sending but never reached the plugin (it stopped on an earlier message),
// so they are not given up for another message's fault.
func Refund(ctx context.Context, p *storage.Project, campaign string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := p.Q().ExecContext(ctx, `UPDATE mb_deliveries SET attempts = greatest(attempts - 1, 0)
		WHERE campaign = ? AND status = 'sending' AND customer_id IN (`+literals(ids)+`)`, campaign)
	return err
}

// Counts tallies the delivery log: status → count, and per variant.
type Counts struct {
	Total     int
	ByStatus  map[string]int
	ByVariant map[string]map[string]int
	// Reasons counts exclusions, rejections and unknowns by cause
	// (Cause of the stored reason).
	Reasons map[string]int
}

// Count reads the delivery log's tallies.
func Count(ctx context.Context, p *storage.Project, campaign string) (*Counts, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT variant, status, coalesce(reason, ''), count(*) FROM mb_deliveries WHERE campaign = ? GROUP BY ALL`, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &Counts{ByStatus: map[string]int{}, ByVariant: map[string]map[string]int{}, Reasons: map[string]int{}}
	for rows.Next() {
		var v, s, why string
		var n int
		if err := rows.Scan(&v, &s, &why, &n); err != nil {
			return nil, err
		}
		c.Total += n
		c.ByStatus[s] += n
		if v != "" {
			if c.ByVariant[v] == nil {
				c.ByVariant[v] = map[string]int{}
			}
			c.ByVariant[v][s] += n
		}
		if why != "" && (s == Excluded || s == Rejected || s == Unknown) {
			c.Reasons[Cause(why)] += n
		}
	}
	return c, rows.Err()
}

// maxReason is the longest reason stored for a delivery.
const maxReason = 200

// ShortReason is the first line of a reason, at most maxReason bytes: a
// plugin's reason (a stack, a whole response body) is not kept per
// customer; the full text goes to the plugin's log.
func ShortReason(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = strings.TrimSpace(s[:i]) + " …"
	}
	if len(s) > maxReason {
		cut := maxReason
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// Cause groups reasons: what comes before the first ": " when that part
// says what happened ("HTTP 400 Bad Request: {...}" → "HTTP 400 Bad
// Request"), with numbers and quoted values in it masked, so a thousand
// customers rejected for the same cause make one line.
func Cause(reason string) string {
	if _, ok := contact.Words(reason); ok {
		return reason // a few fixed sentences, each its own cause
	}
	c := reason
	if i := strings.Index(c, ": "); i >= 12 {
		c = c[:i]
	}
	c = quotedRE.ReplaceAllString(c, `"…"`)
	if !strings.HasPrefix(c, "HTTP ") {
		c = countRE.ReplaceAllString(c, "N")
	}
	return c
}

var (
	quotedRE = regexp.MustCompile(`"[^"]*"`)
	countRE  = regexp.MustCompile(`\b\d+\b`)
)

// UnknownDelivery is a delivery whose fate a crash left unknown.
type UnknownDelivery struct {
	CustomerID, Variant, Key, Reason string
	Attempts                         int
	At                               *time.Time
}

// Unknowns lists the campaign's unknown deliveries, by customer.
func Unknowns(ctx context.Context, p *storage.Project, campaign string) ([]UnknownDelivery, error) {
	rows, err := p.Q().QueryContext(ctx, `SELECT customer_id, variant, idempotency_key, coalesce(reason, ''), attempts, updated_at
		FROM mb_deliveries WHERE campaign = ? AND status = 'unknown' ORDER BY customer_id`, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnknownDelivery
	for rows.Next() {
		var u UnknownDelivery
		if err := rows.Scan(&u.CustomerID, &u.Variant, &u.Key, &u.Reason, &u.Attempts, &u.At); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// How the user settles unknown deliveries.
const (
	// ResolveSent: the user checked that the message arrived.
	ResolveSent = "sent"
	// ResolveNotSent: it did not arrive, and is not to be sent.
	ResolveNotSent = "not-sent"
	// ResolveResend: send it again at the next resume.
	ResolveResend = "resend"
)

// Resolve settles unknown deliveries (all, or the given customers'), with
// an audit record, in one transaction. It returns how many it settled.
func Resolve(ctx context.Context, p *storage.Project, campaign, how string, customers []string) (int, error) {
	var set, words string
	switch how {
	case ResolveSent:
		set, words = `status = 'delivered', reason = 'marked sent by the user', sent_at = coalesce(sent_at, updated_at, current_timestamp)`, "marked sent"
	case ResolveNotSent:
		set, words = `status = 'rejected', reason = 'not sent (checked by the user)'`, "marked not sent"
	case ResolveResend:
		set, words = `status = 'planned', reason = NULL, next_at = NULL`, "set to be sent again at the next resume"
	default:
		return 0, i18n.Errorf("settle unknown deliveries as %s, %s or %s, not %q", ResolveSent, ResolveNotSent, ResolveResend, how)
	}
	only := ""
	if len(customers) > 0 {
		only = ` AND customer_id IN (` + literals(customers) + `)`
	}
	var n int64
	err := p.Tx(ctx, func(tx *storage.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE mb_deliveries SET `+set+`, updated_at = current_timestamp
			WHERE campaign = ? AND status = 'unknown'`+only, campaign)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if n == 0 {
			if len(customers) > 0 {
				return i18n.Errorf("campaign %q has no unknown delivery for %s; see 'campaign unknown %s'", campaign, strings.Join(customers, ", "), campaign)
			}
			return i18n.Errorf("campaign %q has no unknown deliveries", campaign)
		}
		if how == ResolveResend {
			if _, err := tx.ExecContext(ctx, `UPDATE mb_campaigns SET status = 'paused' WHERE name = ? AND status = 'done'`, campaign); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("%d unknown deliveries %s", n, words)
		if len(customers) > 0 {
			detail += " (customers " + strings.Join(customers, ", ") + ")"
		}
		return p.InTx(tx).Audit(ctx, tx, "campaign resolve", campaign, -1, n, detail)
	})
	return int(n), err
}
