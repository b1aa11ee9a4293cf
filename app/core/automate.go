package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/contact"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/segment"
)

// SaveJourney checks a journey and stores it: everything it names must
// exist (tables, fields, segments, rules, campaigns, templates) and every
// send step's channel must be enabled and approved; each problem names its
// step. now is the time a one-off schedule must be after.
func (w *Workspace) SaveJourney(ctx context.Context, j *journey.Journey, replace bool, now time.Time) error {
	if j.Table == "" {
		t, err := w.DefaultRuleTable(ctx)
		if err != nil {
			return err
		}
		j.Table = t
	}
	if err := journey.Validate(ctx, w.Project, j, now, w.ProjectLocation(ctx)); err != nil {
		return err
	}
	for _, s := range j.Steps {
		if s.Kind != journey.Send {
			continue
		}
		c, err := s.Resolve(ctx, w.Project, j)
		if err == nil {
			err = w.readyChannel(ctx, c)
		}
		if err != nil {
			return i18n.Errorf("step %q: %v", s.ID, err)
		}
	}
	return journey.Save(ctx, w.Project, j, replace, now)
}

// Journey returns a stored journey.
func (w *Workspace) Journey(ctx context.Context, name string) (*journey.Info, error) {
	return journey.Get(ctx, w.Project, name)
}

// PauseJourney stops a journey taking customers in and moving them on;
// ResumeJourney starts it again where they wait.
func (w *Workspace) PauseJourney(ctx context.Context, name string) error {
	return journey.SetStatus(ctx, w.Project, name, journey.Paused, time.Now())
}

// ResumeJourney is the opposite of PauseJourney.
func (w *Workspace) ResumeJourney(ctx context.Context, name string) error {
	return journey.SetStatus(ctx, w.Project, name, journey.Active, time.Now())
}

// DeleteJourney removes a journey and its customers' places in it.
func (w *Workspace) DeleteJourney(ctx context.Context, name string) error {
	return journey.Delete(ctx, w.Project, name)
}

// ProjectLocation is the project's time zone for schedules, waits until a
// time of day and daily limits: the contact policy's, else the computer's.
func (w *Workspace) ProjectLocation(ctx context.Context) *time.Location {
	if pol, err := contact.Load(ctx, w.Project); err == nil {
		if loc, err := pol.Location(); err == nil {
			return loc
		}
	}
	return time.Local
}

// AutomateOptions are the choices of one automation run.
type AutomateOptions struct {
	// Now is the time the run works as of; zero means the clock's time.
	// A later time catches up; an earlier one is for tests.
	Now time.Time
	// DryRun works out who would enter, move and receive what, and keeps
	// none of it.
	DryRun bool
	// Timeout bounds one call to a channel plugin (see SendOptions).
	Timeout time.Duration
	// Warn receives a line for each problem a send gets past on its own.
	Warn func(string)
	// AllowDevPlugin confirms sends through development builds ('plugin
	// dev'); without it a step on one fails with ErrDevBuild.
	AllowDevPlugin bool

	clock func() time.Time
}

// AutomateReport is what one run did.
type AutomateReport struct {
	Now    time.Time
	DryRun bool
	Ticks  []*journey.Tick
	// Sent counts messages the channels accepted in this run; Pending is
	// what waits in the delivery log for a later run (retries, quiet hours).
	Sent, Failed, Pending int
	// WouldSend lists, for a dry run, each message that would go.
	WouldSend []PlannedMessage
	// Problems are the journeys and sends that failed, one line each; the
	// other journeys ran.
	Problems []string
	// Upkeep is the models' scheduled retraining and drift check.
	Upkeep *Upkeep
	// Campaigns are the paused campaigns whose waiting messages the run
	// sent or found still waiting (automate_campaigns.go).
	Campaigns []CampaignRun
	// Retention is the day's application of the retention rules, when
	// this run made it (nil otherwise; see retention.go).
	Retention *RetentionReport
}

// PlannedMessage is one message a run would send.
type PlannedMessage struct {
	Journey, Step, CustomerID, Variant, To string
}

var errDryRun = errors.New("dry run")

// runMu keeps one automation run at a time in this process (the GUI's
// timer and a person pressing Run now).
var runMu sync.Mutex

// RunAutomation processes everything due in every active journey as of
// opt.Now, then sends what the moves planned, through the same delivery
// log and sender as campaigns. It is safe to run every minute, and after a
// crash a run resumes where the last one stopped: a customer passes each
// step once, and a message is sent once.
func (w *Workspace) RunAutomation(ctx context.Context, opt AutomateOptions, progress Progress) (*AutomateReport, error) {
	runMu.Lock()
	defer runMu.Unlock()
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	rep := &AutomateReport{Now: now, DryRun: opt.DryRun}
	all, err := journey.List(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	loc := w.ProjectLocation(ctx)
	if !opt.DryRun {
		if err := w.refreshRFM(ctx, all, now, loc); err != nil {
			rep.Problems = append(rep.Problems, err.Error())
		}
	}
	hooks := journey.Hooks{Channel: w.readyChannel}
	move := func(p *storage.Project) {
		for i := range all {
			in := &all[i]
			if progress != nil {
				progress(i18n.T("Journey %s", in.Name), float64(i)/float64(len(all)+1))
			}
			t, err := journey.Run(ctx, p, in, now, loc, hooks)
			rep.Ticks = append(rep.Ticks, t)
			if err != nil {
				rep.Problems = append(rep.Problems, err.Error())
			}
		}
	}
	if opt.DryRun {
		err := w.Tx(ctx, func(tx *storage.Tx) error {
			p := w.Project.InTx(tx)
			move(p)
			msgs, err := plannedMessages(ctx, p, all)
			rep.WouldSend = msgs
			if err != nil {
				return err
			}
			return errDryRun
		})
		if !errors.Is(err, errDryRun) {
			return rep, err
		}
		return rep, nil
	}
	move(w.Project)
	if up, err := w.ModelUpkeep(ctx, now, nil); err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	} else {
		rep.Upkeep = up
	}
	// Sends run on the run's clock: as of opt.Now, moving with real time.
	offset := now.Sub(time.Now())
	opt.clock = func() time.Time { return time.Now().Add(offset) }
	for i := range all {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		w.sendJourney(ctx, &all[i], opt, rep)
	}
	w.resumeCampaigns(ctx, opt, rep)
	if len(all) > 0 {
		w.runRetention(ctx, now, loc, rep)
	}
	if progress != nil {
		progress(i18n.T("Done"), 1)
	}
	return rep, nil
}

// plannedMessages lists the planned deliveries of the journeys' send steps.
func plannedMessages(ctx context.Context, p *storage.Project, all []journey.Info) ([]PlannedMessage, error) {
	var out []PlannedMessage
	for _, in := range all {
		prefix := journey.DeliveryPrefix(in.Name)
		rows, err := p.Q().QueryContext(ctx, `SELECT campaign, customer_id, variant FROM mb_deliveries
			WHERE starts_with(campaign, ?) AND status = 'planned' ORDER BY campaign, customer_id`, prefix)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m PlannedMessage
			var dc string
			rows.Scan(&dc, &m.CustomerID, &m.Variant)
			m.Journey, m.Step = in.Name, stepOf(dc, prefix)
			out = append(out, m)
		}
		rows.Close()
	}
	return out, nil
}

// stepOf is the step id in a delivery-log campaign name.
func stepOf(deliveryName, prefix string) string {
	s := strings.TrimPrefix(deliveryName, prefix)
	if i := strings.LastIndex(s, " #"); i > 0 {
		s = s[:i]
	}
	return s
}

// sendJourney sends what is due in the delivery log for a journey's send
// steps. A paused journey sends nothing: its messages wait.
func (w *Workspace) sendJourney(ctx context.Context, in *journey.Info, opt AutomateOptions, rep *AutomateReport) {
	if in.Status != journey.Active {
		return
	}
	prefix := journey.DeliveryPrefix(in.Name)
	rows, err := w.Q().QueryContext(ctx, `SELECT campaign, count(*) FILTER (WHERE status IN ('planned', 'sending') OR next_at <= ?), count(*)
		FROM mb_deliveries WHERE starts_with(campaign, ?) AND status IN ('planned', 'sending', 'retry') GROUP BY campaign ORDER BY campaign`,
		opt.clock().UTC(), prefix)
	if err != nil {
		rep.Problems = append(rep.Problems, err.Error())
		return
	}
	type pending struct {
		name     string
		due, all int
	}
	var ps []pending
	for rows.Next() {
		var p pending
		rows.Scan(&p.name, &p.due, &p.all)
		ps = append(ps, p)
	}
	rows.Close()
	for _, p := range ps {
		if p.due == 0 {
			rep.Pending += p.all
			continue
		}
		s := in.Step(stepOf(p.name, prefix))
		if s == nil {
			rep.Problems = append(rep.Problems, i18n.T("journey %q: messages wait for step %q, which it no longer has", in.Name, stepOf(p.name, prefix)))
			continue
		}
		sr, err := w.sendStep(ctx, in, s, p.name, opt)
		if sr != nil {
			rep.Sent += sr.Sent
			if sr.Counts != nil {
				rep.Failed += sr.Counts.ByStatus[campaign.Rejected]
				rep.Pending += sr.Counts.ByStatus[campaign.Retry] + sr.Counts.ByStatus[campaign.Planned]
			}
		}
		// Messages held back for quiet hours or a later retry are not a
		// problem: a later run sends them.
		if err != nil && !(errors.Is(err, ErrPaused) && sr != nil && sr.Waiting > 0) {
			rep.Problems = append(rep.Problems, i18n.T("journey %q, step %q: %v", in.Name, s.ID, err))
		}
	}
}

// sendStep sends one delivery-log campaign of a send step with the
// campaign sender: recovery of a crashed run first, then what is due.
func (w *Workspace) sendStep(ctx context.Context, in *journey.Info, s *journey.Step, name string, opt AutomateOptions) (*SendReport, error) {
	c, err := s.Resolve(ctx, w.Project, &in.Journey)
	if err != nil {
		return nil, err
	}
	c.Name = name
	if err := w.readyChannel(ctx, c); err != nil {
		return nil, err
	}
	// The step may say the receiver honours keys though the plugin does
	// not declare it (the user's knowledge of their endpoint).
	c.Idempotent = c.Idempotent || s.Idempotent
	proc, fields, err := w.enabled(ctx, c.Plugin)
	if err != nil {
		return nil, err
	}
	if proc.Found.Development && !opt.AllowDevPlugin {
		return nil, devBuildRefused(proc.Found)
	}
	c.Fields = fields
	rs, err := campaign.AudienceOf(ctx, w.Project, c, `SELECT customer_id FROM mb_deliveries WHERE campaign = `+storage.Literal(name)+
		` AND status IN ('planned', 'sending', 'retry')`, nil)
	if err != nil {
		return nil, err
	}
	tpl, err := templates(c)
	if err != nil {
		return nil, err
	}
	rep := &SendReport{Mode: campaign.Live}
	if rep.Recovered, err = campaign.Recover(ctx, w.Project, c); err != nil {
		return rep, err
	}
	byID := make(map[string]*campaign.Recipient, len(rs))
	for i := range rs {
		// The delivery log decided who is sent: a customer whose consent
		// was withdrawn since is caught below by the exclusion.
		byID[rs[i].CustomerID] = &rs[i]
	}
	sopt := SendOptions{Mode: campaign.Live, Secrets: w.ChannelSecrets(ctx, c.Plugin, c.Component, nil), Timeout: opt.Timeout, Warn: opt.Warn, Now: opt.clock}
	snd := w.newSender(c, proc, byID, tpl, sopt, rep, nil)
	if err := snd.policy(ctx); err != nil { // quiet hours, as for campaigns
		return rep, err
	}
	err = snd.run(ctx)
	rep.Counts, _ = campaign.Count(context.WithoutCancel(ctx), w.Project, c.Name)
	detail := fmt.Sprintf("journey send: %d sent in this run, %d settled from an earlier run", rep.Sent, rep.Recovered)
	if err != nil {
		detail += ": " + err.Error()
	}
	bg := context.WithoutCancel(ctx)
	w.Tx(bg, func(tx *storage.Tx) error {
		return w.InTx(tx).Audit(bg, tx, "journey send", c.Name, -1, int64(rep.Sent), detail)
	})
	return rep, err
}

// refreshRFM re-scores RFM once a day (as of that day) when an active
// journey is triggered by an RFM segment, so that customers slip into "At
// Risk" as time passes, as they would if someone re-ran RFM by hand.
func (w *Workspace) refreshRFM(ctx context.Context, all []journey.Info, now time.Time, loc *time.Location) error {
	var saved []segment.Segment // read once, only if a journey names a segment
	uses := false
	for _, in := range all {
		t := in.Trigger
		if in.Status != journey.Active || t.Segment == "" || (t.Kind != journey.SegmentEnter && t.Kind != journey.SegmentLeave && t.Kind != journey.Schedule) {
			continue
		}
		if saved == nil {
			var err error
			if saved, err = w.SavedSegments(ctx); err != nil {
				return err
			}
		}
		// Not a saved segment: an RFM segment.
		uses = uses || !slices.ContainsFunc(saved, func(x segment.Segment) bool { return x.Name == t.Segment })
	}
	if !uses {
		return nil
	}
	run, err := segment.LastRFM(ctx, w.Project)
	if err != nil || run == nil {
		return err
	}
	lt := now.In(loc)
	today := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	if !run.AsOf.Before(today) {
		return nil
	}
	_, err = w.RFM(ctx, run.Table, run.Scheme.Name, today)
	return err
}

// ReadJourneyFile reads a journey definition (JSON), refusing fields it
// does not know: a typo would otherwise silently mean "not set".
func ReadJourneyFile(path string) (*journey.Journey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, i18n.Errorf("cannot read the journey file: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j journey.Journey
	if err := dec.Decode(&j); err != nil {
		return nil, i18n.Errorf("%s is not a journey definition: %v (see docs/JOURNEYS.md)", path, err)
	}
	return &j, nil
}
