package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
)

// Limits of a live send.
const (
	// MaxWindow caps the messages in flight whatever a plugin asks for.
	MaxWindow = 4096
	// maxFailures is how many failures in a row (crashes, timeouts, a
	// session that cannot be opened) pause a run; any answer from the
	// plugin resets the count.
	maxFailures = 3
	// fetchDue is how many due deliveries are read from the log at once.
	fetchDue = 2000
	// maxWait is the longest a run waits for a retry (or the end of
	// quiet hours) before it pauses and says when to send again.
	maxWait = time.Minute
)

// pluginCallLimit is the plugin host's limit on one call (2 minutes, or
// MARKETBENCH_PLUGIN_TIMEOUT, read the same way as Workspace.Host does):
// a send's timeout can shorten it, not lengthen it.
func pluginCallLimit() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("MARKETBENCH_PLUGIN_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return 2 * time.Minute
}

// sender runs one live send. Messages go to the plugin through a bounded
// window of the write-ahead delivery log: a group is marked sending in the
// same transaction that records the outcomes that came back, and only
// then handed to the plugin, so at any time at most `window` deliveries
// are "sending" — after a crash, at most that many have an unknown fate.
// Each group is one call to the plugin (its own Send stream), so several
// groups are in flight at once, up to the window.
type sender struct {
	w      *Workspace
	c      *campaign.Campaign
	proc   *host.Proc
	byID   map[string]*campaign.Recipient
	tpl    map[string]*campaign.Templates
	opt    SendOptions
	rep    *SendReport
	report Progress

	timeout time.Duration
	events  chan event

	// The session; replaced (on the main goroutine only, when no group
	// runs) after the plugin was restarted.
	sess     *client.Session
	sessConn *client.Conn
	window   int

	// Main goroutine state.
	inflight map[string]*group // marked sending, outcome not yet written
	tries    map[string]int    // their attempt, this one included
	outcomes []campaign.Outcome
	// dead are addresses the provider rejected for good (sdk.Undeliverable)
	// with its reasons, suppressed at the next write.
	dead, deadWhy []string
	answered      int // outcomes for messages in inflight
	running       int // groups whose call has not returned
	failures      int
	counted       map[*client.Conn]bool // a dead process is counted once
	probe         bool                  // after a failure: one message at a time
	stop          error                 // set: no new messages; return once groups end
	handed        int                   // messages handed to the plugin in this run
	started       time.Time
	rateNext      time.Time // the rate cap: when the next message may go
	left          int       // deliveries still to settle
	total         int
	lastShown     time.Time
	lastWrite     time.Duration // how long the last write took

	// The contact policy's quiet hours (nil: none), each customer's time
	// zone where known, and the project's for the others.
	pol  *contact.Policy
	locs map[string]*time.Location
	loc  *time.Location
}

type group struct {
	ids  []string
	conn *client.Conn // the process the call used
	// handed is set (by the call's goroutine, before it sends the done
	// event) once the messages were given to the plugin's stream.
	handed bool
	seen   map[string]bool // main goroutine: ids answered
}

// event is a result for one message, or (done != nil) the end of a
// group's call.
type event struct {
	id   string
	res  sdk.Result
	done *group
	err  error
}

func (w *Workspace) newSender(c *campaign.Campaign, proc *host.Proc, byID map[string]*campaign.Recipient, tpl map[string]*campaign.Templates,
	opt SendOptions, rep *SendReport, report Progress) *sender {
	limit := pluginCallLimit()
	timeout := opt.Timeout
	if timeout <= 0 || timeout > limit {
		timeout = limit
	}
	return &sender{w: w, c: c, proc: proc, byID: byID, tpl: tpl, opt: opt, rep: rep, report: report, timeout: timeout,
		events: make(chan event, 4*MaxWindow), inflight: map[string]*group{}, tries: map[string]int{}, counted: map[*client.Conn]bool{}, window: 1}
}

// policy loads the project's quiet hours and the audience's time zones.
func (s *sender) policy(ctx context.Context) error {
	pol, err := contact.Load(ctx, s.w.Project)
	if err != nil || pol.Quiet == nil {
		return err
	}
	if s.loc, err = pol.Location(); err != nil {
		return i18n.Errorf("the contact policy's time zone: %w; set it again with 'marketbench policy set --time-zone'", err)
	}
	ids := make([]string, 0, len(s.byID))
	for id, r := range s.byID {
		if r.Excluded == "" {
			ids = append(ids, id)
		}
	}
	if s.locs, err = contact.Locations(ctx, s.w.Project, s.c.Table, ids); err != nil {
		return err
	}
	s.pol = pol
	return nil
}

// quiet reports whether the customer is in quiet hours now, and if so the
// outcome that holds the message back until they end.
func (s *sender) quiet(id string, now time.Time) (campaign.Outcome, bool) {
	if s.pol == nil {
		return campaign.Outcome{}, false
	}
	loc := s.locs[id]
	if loc == nil {
		loc = s.loc
	}
	until, quiet := s.pol.QuietUntil(loc, now)
	if !quiet {
		return campaign.Outcome{}, false
	}
	return campaign.Outcome{CustomerID: id, Status: campaign.Retry, Reason: contact.QuietReason(until, loc), NextAt: until}, true
}

// warn passes a line to opt.Warn, in the language in use; format is
// translated by the caller with i18n.T.
func (s *sender) warn(msg string) {
	if s.opt.Warn != nil {
		s.opt.Warn(msg)
	}
}

func (s *sender) progress(force bool) {
	if s.report == nil || (!force && time.Since(s.lastShown) < 100*time.Millisecond) {
		return
	}
	s.lastShown = time.Now()
	done := s.total - s.left
	s.report(i18n.T("Sent %d; %d of %d settled", s.rep.Sent, done, s.total), float64(done)/float64(max(1, s.total)))
}

// run sends until nothing is due, the user stops, or the plugin fails.
func (s *sender) run(ctx context.Context) error {
	bg := context.WithoutCancel(ctx)
	p := s.w.Project
	var err error
	if s.left, err = remaining(bg, s.w, s.c.Name); err != nil {
		return err
	}
	s.total, s.started = s.left, time.Now()
	defer func() {
		if s.sess != nil {
			cctx, cancel := context.WithTimeout(bg, 5*time.Second)
			s.sess.Close(cctx)
			cancel()
		}
	}()
	var queue []campaign.Delivery
	for {
		if s.stop == nil && ctx.Err() != nil {
			s.stop = i18n.Errorf("%w: stopped by the user; send again to resume", ErrPaused)
		}
		if s.stop != nil && s.running == 0 {
			if err := s.write(bg, nil); err != nil {
				return err
			}
			return s.stop
		}
		var wake <-chan time.Time
		if s.stop == nil {
			if s.sess == nil && s.running == 0 {
				s.openSession(ctx)
				continue
			}
			if len(queue) == 0 && s.running == 0 {
				if err := s.write(bg, nil); err != nil {
					return err
				}
			}
			if len(queue) == 0 && s.running == 0 && len(s.inflight) == 0 {
				if queue, err = campaign.Due(bg, p, s.c.Name, fetchDue, s.opt.now()); err != nil {
					return err
				}
				if len(queue) == 0 {
					next, err := campaign.NextRetry(bg, p, s.c.Name)
					if err != nil || next.IsZero() {
						return err // done
					}
					wait := next.Sub(s.opt.now())
					if wait > maxWait {
						// Quiet hours last for hours: the run ends and
						// says when to send again, rather than sleep.
						s.stop = s.waiting(bg, next)
						continue
					}
					if s.report != nil {
						s.report(i18n.T("Waiting to retry (next at %s)", next.Local().Format("15:04:05")), -1)
					}
					wake = time.After(wait + 10*time.Millisecond)
				}
			}
			if s.sess != nil && len(queue) > 0 {
				var next []campaign.Delivery
				var msgs []sdk.Message
				var hold time.Duration
				queue, next, msgs, hold = s.take(queue)
				if hold > 0 {
					wake = time.After(hold)
				}
				if err := s.write(bg, next); err != nil {
					return err
				}
				if len(msgs) > 0 {
					s.launch(bg, next, msgs)
				}
				// An emptied queue (everyone left was settled or held
				// back without a message) is read again, not waited on.
				if len(msgs) > 0 || len(s.events) > 0 || len(queue) == 0 {
					s.drain()
					continue
				}
			}
		}
		// Nothing more can go now: wait for the plugin, a retry or a stop.
		if err := s.write(bg, nil); err != nil {
			return err
		}
		select {
		case ev := <-s.events:
			s.handle(bg, ev)
			s.linger()
		case <-wake:
		case <-ctx.Done():
		}
	}
}

// linger gathers the results of the messages in flight for a moment (as
// long as a write takes, at most 10 ms) before they are written, so one
// write carries a whole window rather than a result at a time.
func (s *sender) linger() {
	t := time.NewTimer(min(max(s.lastWrite, time.Millisecond), 10*time.Millisecond))
	defer t.Stop()
	for s.running > 0 && s.answered < len(s.inflight) {
		select {
		case ev := <-s.events:
			s.handle(context.Background(), ev)
		case <-t.C:
			s.drain()
			return
		}
	}
	s.drain()
}

// drain handles the events that are already waiting, so their outcomes
// are written together.
func (s *sender) drain() {
	bg := context.Background()
	for {
		select {
		case ev := <-s.events:
			s.handle(bg, ev)
		default:
			s.progress(false)
			return
		}
	}
}

// take picks the next messages that fit in the window (and the rate
// cap), rendering them and skipping customers excluded since planning.
// It returns the rest of the queue, the deliveries to mark sending, their
// messages, and how long to wait when the rate cap holds them back.
func (s *sender) take(queue []campaign.Delivery) ([]campaign.Delivery, []campaign.Delivery, []sdk.Message, time.Duration) {
	window := s.window
	if s.probe {
		window = 1
	}
	free := window - (len(s.inflight) - s.answered)
	var hold time.Duration
	var step time.Duration
	if s.c.RatePerMinute > 0 {
		// A cap, not an average: message k goes no sooner than k steps
		// after the first. Time lost to a slow start or a stall is made
		// up only within a tenth of a second, so no burst follows it.
		step = time.Minute / time.Duration(s.c.RatePerMinute)
		now := time.Now()
		if floor := now.Add(-max(0, 100*time.Millisecond-step)); s.rateNext.Before(floor) {
			s.rateNext = floor
		}
		allowed := 0
		if !now.Before(s.rateNext) {
			allowed = int(now.Sub(s.rateNext)/step) + 1
		}
		if allowed < free {
			free = allowed
			hold = max(time.Until(s.rateNext.Add(time.Duration(allowed)*step)), 10*time.Millisecond)
		}
	}
	var next []campaign.Delivery
	var msgs []sdk.Message
	now := s.opt.now()
	for free > 0 && len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		r := s.byID[d.CustomerID]
		// Consent and suppression are checked again now: a customer who
		// withdrew consent since the audience was frozen gets nothing.
		switch {
		case r == nil:
			s.settled(campaign.Outcome{CustomerID: d.CustomerID, Status: campaign.Excluded, Reason: "no longer in the audience"})
			continue
		case r.Excluded != "":
			s.settled(campaign.Outcome{CustomerID: d.CustomerID, Status: campaign.Excluded, Reason: r.Excluded})
			continue
		}
		// In the customer's quiet hours the message waits for their end,
		// before it is marked sending: no attempt is used.
		if o, quiet := s.quiet(d.CustomerID, now); quiet {
			s.outcomes = append(s.outcomes, o)
			s.rep.Deferred++
			continue
		}
		content, err := s.tpl[d.Variant].Render(r.Data)
		if err != nil {
			s.settled(campaign.Outcome{CustomerID: d.CustomerID, Status: campaign.Rejected, Reason: err.Error()})
			continue
		}
		next = append(next, d)
		if step > 0 {
			s.rateNext = s.rateNext.Add(step)
		}
		msgs = append(msgs, sdk.Message{ID: d.CustomerID, IdempotencyKey: d.Key, To: r.To, Subject: content.Subject, Text: content.Text,
			HTML: content.HTML, Fields: r.Fields, Campaign: s.c.Name, Variant: d.Variant})
		free--
	}
	return queue, next, msgs, hold
}

// settled queues an outcome for a delivery that is not in flight.
func (s *sender) settled(o campaign.Outcome) {
	s.outcomes = append(s.outcomes, o)
	s.left--
}

// write records the outcomes that came back and marks next as sending,
// in one transaction; next joins the window.
func (s *sender) write(ctx context.Context, next []campaign.Delivery) error {
	if len(s.outcomes) == 0 && len(next) == 0 {
		return nil
	}
	t0 := time.Now()
	defer func() { s.lastWrite = time.Since(t0) }()
	if err := campaign.Step(ctx, s.w.Project, s.c.Name, s.outcomes, next); err != nil {
		return i18n.Errorf("cannot write the delivery log: %s", firstLine(err.Error()))
	}
	for _, o := range s.outcomes {
		delete(s.inflight, o.CustomerID)
		delete(s.tries, o.CustomerID)
	}
	s.outcomes, s.answered = s.outcomes[:0], 0
	// Addresses the provider called dead go on the suppression list, so
	// no later campaign or journey tries them again.
	byWhy := map[string][]string{}
	for i, addr := range s.dead {
		byWhy[s.deadWhy[i]] = append(byWhy[s.deadWhy[i]], addr)
	}
	for why, addrs := range byWhy {
		if _, err := campaign.Suppress(ctx, s.w.Project, campaign.ContactField(s.c), addrs, why); err != nil {
			return i18n.Errorf("cannot add a dead address to the suppression list: %s", firstLine(err.Error()))
		}
	}
	s.dead, s.deadWhy = s.dead[:0], s.deadWhy[:0]
	return nil
}

// launch hands msgs (already marked sending) to the plugin as one call.
func (s *sender) launch(ctx context.Context, next []campaign.Delivery, msgs []sdk.Message) {
	g := &group{seen: map[string]bool{}}
	for _, d := range next {
		g.ids = append(g.ids, d.CustomerID)
		s.inflight[d.CustomerID] = g
		s.tries[d.CustomerID] = d.Attempts + 1
	}
	s.running++
	s.handed += len(msgs)
	sess, sessConn := s.sess, s.sessConn
	go func() {
		err := s.proc.Call(ctx, func(cctx context.Context, conn *client.Conn) error {
			g.conn = conn
			if conn != sessConn {
				// The plugin was restarted since the session was opened:
				// nothing was handed over; the main loop opens a new one.
				return errNoSession
			}
			cctx, cancel := context.WithTimeout(cctx, s.timeout)
			defer cancel()
			g.handed = true
			return sess.Send(cctx, msgs, func(id string, r sdk.Result) error {
				s.events <- event{id: id, res: r}
				return nil
			})
		})
		s.events <- event{done: g, err: err}
	}()
}

var errNoSession = errors.New("the plugin was restarted before the messages were handed over")

// handle takes one event on the main goroutine.
func (s *sender) handle(ctx context.Context, ev event) {
	if ev.done != nil {
		s.ended(ctx, ev.done, ev.err)
		return
	}
	g := s.inflight[ev.id]
	if g == nil || g.seen[ev.id] {
		return // the client refuses these; nothing to record
	}
	g.seen[ev.id] = true
	s.failures, s.probe = 0, false
	r := ev.res
	o := campaign.Outcome{CustomerID: ev.id}
	switch r.Outcome {
	case sdk.OutcomeDelivered:
		o.Status, o.ProviderID, o.SentAt = campaign.Delivered, r.ProviderID, s.opt.now()
		s.rep.Sent++
	case sdk.OutcomeRetry:
		o.Status, o.Reason, o.NextAt = campaign.Retry, r.Reason, s.opt.now().Add(max(r.After, time.Second))
		if s.attempts(ev.id) >= s.c.MaxAttemptsOrDefault() {
			o.Status, o.Reason = campaign.Rejected, fmt.Sprintf("gave up after %d attempts: %s", s.attempts(ev.id), r.Reason)
		}
	default:
		if bug, ok := pluginBug(r.Reason); ok {
			// A recovered panic is the plugin's fault, not the
			// customer's: the message is set aside like one in flight
			// at a crash, and the run pauses.
			s.proc.Log("campaign " + s.c.Name + ", customer " + ev.id + ": " + r.Reason)
			delete(s.inflight, ev.id)
			delete(s.tries, ev.id)
			if _, err := campaign.Settle(ctx, s.w.Project, s.c, []string{ev.id}, campaign.ReasonPluginBug); err != nil && s.stop == nil {
				s.stop = err
			}
			if s.stop == nil {
				s.stop = i18n.Errorf("%w: %s has a bug: it failed while sending (%s); see its log, and update or report it", ErrPaused, s.c.Plugin, bug)
			}
			return
		}
		o.Status, o.Reason = campaign.Rejected, r.Reason
		if rc := s.byID[ev.id]; r.Undeliverable && rc != nil && rc.To != "" {
			s.dead = append(s.dead, rc.To)
			s.deadWhy = append(s.deadWhy, campaign.ShortReason(r.Reason))
		}
	}
	if o.Reason != campaign.ShortReason(o.Reason) {
		s.proc.Log("campaign " + s.c.Name + ", customer " + ev.id + ": " + o.Reason)
	}
	if o.Status != campaign.Retry {
		s.left--
	}
	s.outcomes = append(s.outcomes, o)
	s.answered++
}

// attempts is how often a delivery in flight has been tried, this time
// included.
func (s *sender) attempts(id string) int { return max(1, s.tries[id]) }

// pluginBug recognises the SDK's words for a panic it recovered in the
// plugin ("the plugin failed in Send: <panic>\n<stack>", possibly as a
// gRPC status text) and returns the panic's first line.
func pluginBug(reason string) (string, bool) {
	_, rest, ok := strings.Cut(reason, "the plugin failed in ")
	if !ok {
		return "", false
	}
	if _, after, ok := strings.Cut(rest, ": "); ok {
		rest = after
	}
	return strings.TrimSuffix(campaign.ShortReason(rest), " …"), true
}

// ended handles the end of a group's call: the messages without a result
// were either never handed over (they go back, attempt refunded) or were
// with the plugin when it failed (settled like a crash's).
func (s *sender) ended(ctx context.Context, g *group, err error) {
	s.running--
	var open []string
	for _, id := range g.ids {
		if !g.seen[id] && s.inflight[id] == g {
			open = append(open, id)
		}
	}
	if err == nil && len(open) == 0 {
		return
	}
	if err == nil {
		err = i18n.Errorf("the plugin ended the stream without answering for every message")
	}
	for _, id := range open {
		delete(s.inflight, id)
		delete(s.tries, id)
	}
	bg := context.WithoutCancel(ctx)
	if !g.handed {
		if rerr := campaign.Release(bg, s.w.Project, s.c.Name, open); rerr != nil && s.stop == nil {
			s.stop = rerr
		}
	} else {
		reason := campaign.ReasonStopped
		switch {
		case errors.Is(err, client.ErrTimeout):
			reason = campaign.ReasonNoAnswer
		case !errors.Is(err, client.ErrGone):
			reason = campaign.ReasonPluginBug
		}
		if _, serr := campaign.Settle(bg, s.w.Project, s.c, open, reason); serr != nil && s.stop == nil {
			s.stop = serr
		}
	}
	// What is left depends on how they were settled (again, unknown or
	// given up): read it back once the outcomes are written (failures are
	// rare).
	if werr := s.write(bg, nil); werr != nil && s.stop == nil {
		s.stop = werr
	}
	if left, lerr := remaining(bg, s.w, s.c.Name); lerr == nil {
		s.left = left
	}
	s.failed(g.conn, err, false)
}

// failed counts a failure of the plugin and decides whether to go on.
func (s *sender) failed(conn *client.Conn, err error, opening bool) {
	if s.stop != nil {
		return
	}
	if (conn != nil && conn == s.sessConn) || errors.Is(err, errNoSession) {
		s.sess, s.sessConn = nil, nil // open a new session on the next process
	}
	if errors.Is(err, errNoSession) {
		return // the restart it follows was counted (or will be) by its cause
	}
	if conn != nil {
		if s.counted[conn] {
			return // the same dead process, reported by another group
		}
		s.counted[conn] = true
	}
	id := s.c.Plugin
	kind := "other"
	switch {
	case errors.Is(err, host.ErrCrashLoop), errors.Is(err, ErrNotEnabled), errors.Is(err, host.ErrChanged):
		s.stop = i18n.Errorf("%w: %v", ErrPaused, err)
		return
	case errors.Is(err, client.ErrTimeout):
		kind = "timeout"
	case errors.Is(err, client.ErrGone), errors.Is(err, errNoSession):
		kind = "crash"
	case conn != nil:
		// The plugin answered the call with an error of its own (a
		// broken protocol, a failed session): that is not transient.
		s.proc.Log("campaign " + s.c.Name + ": " + err.Error())
		if bug, ok := pluginBug(err.Error()); ok || errors.Is(err, client.ErrInternal) {
			if !ok {
				bug = campaign.ShortReason(err.Error())
			}
			// A panic the SDK recovered ends the call (client.ErrInternal).
			s.stop = i18n.Errorf("%w: %s has a bug: it failed while sending (%s); see its log, and update or report it", ErrPaused, id, bug)
		} else {
			s.stop = i18n.Errorf("%w: %s failed while sending: %s", ErrPaused, id, campaign.ShortReason(err.Error()))
		}
		return
	default:
		kind = "start"
	}
	if kind == "crash" && opening {
		kind = "open"
	}
	s.failures++
	s.probe = true
	// what is an error only so that it can be told in either language.
	var what error
	switch kind {
	case "timeout":
		what = i18n.Errorf("%s did not answer within %v", id, s.timeout)
	case "crash":
		what = i18n.Errorf("%s stopped while sending", id)
	case "open":
		what = i18n.Errorf("%s stopped while opening a sending session, before it took any message", id)
	default:
		what = i18n.Errorf("%s could not be started (%s)", id, campaign.ShortReason(err.Error()))
	}
	if s.failures < maxFailures {
		s.warn(i18n.T("%s; restarting it and trying again (%d of %d)", i18n.Error(what), s.failures, maxFailures))
		return
	}
	switch kind {
	case "timeout":
		s.stop = i18n.Errorf("%w: %v, %d times in a row. If the channel is only slow, resume with a longer timeout (campaign resume %q --timeout %v)",
			ErrPaused, what, s.failures, s.c.Name, 2*s.timeout)
	default:
		s.stop = i18n.Errorf("%w: %v, %d times in a row; see its log ('plugin logs %s'), and update or remove it", ErrPaused, what, s.failures, id)
	}
}

// openSession opens a sending session on the (re)started plugin before
// anything is marked sending: a plugin that cannot be started or opened
// has received nothing, so nothing is set aside.
func (s *sender) openSession(ctx context.Context) {
	var conn *client.Conn
	var sess *client.Session
	err := s.proc.Call(ctx, func(cctx context.Context, c *client.Conn) error {
		conn = c
		cctx, cancel := context.WithTimeout(cctx, s.timeout)
		defer cancel()
		var err error
		sess, err = c.Open(cctx, s.c.Component, s.c.Config, s.opt.Secrets)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return // the loop reports the stop
		}
		if conn != nil && !errors.Is(err, client.ErrGone) && !errors.Is(err, client.ErrTimeout) {
			// The plugin is up and refused the session: its settings.
			s.stop = i18n.Errorf("%w: %s refused to open a sending session: %s", ErrPaused, s.c.Plugin, campaign.ShortReason(err.Error()))
			return
		}
		s.failed(conn, err, true)
		return
	}
	s.sess, s.sessConn = sess, conn
	s.window = min(max(1, sess.MaxInFlight), MaxWindow)
}

// waiting is how a run ends when what is left waits longer than maxWait:
// paused, saying how many wait and when the first may go.
func (s *sender) waiting(ctx context.Context, next time.Time) error {
	var n int
	if err := s.w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE campaign = ? AND status = 'retry'`, s.c.Name).Scan(&n); err != nil {
		return err
	}
	s.rep.Waiting, s.rep.NextAt = n, next
	// The time on this computer's clock; with an injected clock, shifted
	// back to real time so "then" means when to come back.
	at := next.Add(time.Since(s.opt.now())).Local().Format("2006-01-02 15:04 MST")
	return i18n.Errorf("%w: %d messages wait for quiet hours to end or for a retry; the first may go at %s. Send again then ('marketbench campaign resume %s'), or let 'marketbench automate run' send them",
		ErrPaused, n, at, strconv.Quote(s.c.Name))
}

func remaining(ctx context.Context, w *Workspace, name string) (int, error) {
	var n int
	err := w.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_deliveries WHERE campaign = ? AND status IN ('planned', 'retry', 'sending')`, name).Scan(&n)
	return n, err
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
