package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/marketbench/marketbench/analytics/abtest"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/segment"
)

// SaveCampaign stores a campaign after checking it against its channel:
// the plugin must be enabled, the component must exist and the settings
// must pass its checks. The customer fields come from what the project
// approved for the plugin; whether resends are safe from its capabilities.
func (w *Workspace) SaveCampaign(ctx context.Context, c *campaign.Campaign, replace bool) error {
	if c.Table == "" {
		t, err := w.DefaultRuleTable(ctx)
		if err != nil {
			return err
		}
		c.Table = t
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := w.readyChannel(ctx, c); err != nil {
		return err
	}
	for _, v := range c.Variants {
		if _, err := campaign.Parse(v); err != nil {
			return err
		}
	}
	return campaign.Save(ctx, w.Project, c, replace)
}

// readyChannel checks a campaign's channel before it is saved: the plugin
// is enabled and approved, the settings (the channel's saved ones when the
// campaign has none) are valid; it sets the fields the channel receives
// and whether it honours idempotency keys.
func (w *Workspace) readyChannel(ctx context.Context, c *campaign.Campaign) error {
	if len(c.Config) == 0 {
		saved, err := w.ChannelSettings(ctx, c.Plugin, c.Component)
		if err != nil {
			return err
		}
		c.Config = saved
	}
	spec, md, err := w.ChannelSpec(ctx, c.Plugin, c.Component)
	if err != nil {
		return err
	}
	if errs := spec.Check(c.Config, nil); len(errs) > 0 {
		var kept []sdk.FieldError
		for _, e := range errs {
			if e.Message != "is required" || !isSecretField(spec, e.Field) {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 {
			return fieldErrors(kept)
		}
	}
	_, fields, err := w.enabled(ctx, c.Plugin)
	if err != nil {
		return err
	}
	c.Fields = fields
	c.Idempotent = slices.Contains(md.GetCapabilities(), sdk.CapIdempotencyKeys)
	return nil
}

func isSecretField(c sdk.Component, name string) bool {
	for _, f := range c.Config {
		if f.Name == name {
			return f.Type == sdk.Secret
		}
	}
	return false
}

// Campaigns lists the stored campaigns.
func (w *Workspace) Campaigns(ctx context.Context) ([]campaign.Info, error) {
	return campaign.List(ctx, w.Project)
}

// Sample is a rendered message for one customer.
type Sample struct {
	Variant, CustomerID, To string
	campaign.Content
	// Problems and Notes are what the channel found in this message.
	Problems, Notes []string `json:",omitempty"`
}

// Preview is what a send would do, before anything is sent.
type Preview struct {
	Audience int
	// Excluded counts customers who get nothing, by reason.
	Excluded map[string]int
	// Groups counts customers per variant and in the holdout.
	Groups map[string]int
	// Samples are rendered messages, a few per variant.
	Samples []Sample
	// Fields are the customer fields the channel will receive.
	Fields []string
	// Planned is each group's planned share of the customers in Groups,
	// in percent (see Split).
	Planned map[string]float64
	// Problems counts the rendered messages the channel says its provider
	// would refuse, by problem ("not a Chinese mobile number"); Notes
	// counts what is worth knowing ("2 SMS parts"). Both come from the
	// channel plugin and stay empty when it checks nothing.
	Problems, Notes map[string]int
	// ChecksSkipped says why the channel's checks did not run (its plugin
	// could not start); empty when they ran or the channel has none.
	ChecksSkipped string `json:",omitempty"`
}

// PreviewCampaign resolves the audience and renders sample messages. A
// template that uses a field the customers lack fails here, not at send.
func (w *Workspace) PreviewCampaign(ctx context.Context, name string, samples int) (*Preview, error) {
	return w.previewCampaign(ctx, name, samples, true)
}

// previewCampaign is PreviewCampaign; check says whether the channel
// checks the messages (a live send's own template check skips them).
func (w *Workspace) previewCampaign(ctx context.Context, name string, samples int, check bool) (*Preview, error) {
	in, err := campaign.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	c := &in.Campaign
	rs, err := campaign.Audience(ctx, w.Project, c)
	if err != nil {
		return nil, err
	}
	// The frequency caps as they stand now, until the audience is frozen
	// (then the log says who was capped).
	if planned, err := campaign.IsPlanned(ctx, w.Project, c.Name); err != nil {
		return nil, err
	} else if !planned {
		if _, err := campaign.Cap(ctx, w.Project, c, rs, time.Now()); err != nil {
			return nil, err
		}
	}
	tpl, err := templates(c)
	if err != nil {
		return nil, err
	}
	pv := &Preview{Audience: len(rs), Excluded: map[string]int{}, Groups: map[string]int{}, Fields: c.Fields,
		Planned: map[string]float64{campaign.Holdout: c.HoldoutPercent}, Problems: map[string]int{}, Notes: map[string]int{}}
	var msgs []sdk.Message
	sampleOf := map[int]int{} // message → its sample
	for _, v := range c.Variants {
		pv.Planned[v.Name] = (100 - c.HoldoutPercent) * v.Percent / 100
	}
	per := map[string]int{}
	for _, r := range rs {
		if r.Excluded != "" {
			pv.Excluded[r.Excluded]++
			continue
		}
		pv.Groups[r.Group]++
		if r.Group == campaign.Holdout {
			continue
		}
		// Every included customer is rendered, so a field that is missing
		// for anyone is found now.
		content, err := tpl[r.Group].Render(r.Data)
		if err != nil {
			return nil, i18n.Errorf("variant %s, customer %s: %v", r.Group, r.CustomerID, err)
		}
		if per[r.Group] < samples {
			per[r.Group]++
			sampleOf[len(msgs)] = len(pv.Samples)
			pv.Samples = append(pv.Samples, Sample{Variant: r.Group, CustomerID: r.CustomerID, To: r.To, Content: content})
		}
		if check {
			msgs = append(msgs, sdk.Message{ID: r.CustomerID, To: r.To, Subject: content.Subject, Text: content.Text, HTML: content.HTML,
				Fields: r.Fields, Campaign: c.Name, Variant: r.Group})
		}
	}
	if len(msgs) > 0 {
		if err := w.checkMessages(ctx, c, msgs, pv, sampleOf); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(pv.Samples, func(i, j int) bool { return pv.Samples[i].Variant < pv.Samples[j].Variant })
	return pv, nil
}

func templates(c *campaign.Campaign) (map[string]*campaign.Templates, error) {
	out := map[string]*campaign.Templates{}
	for _, v := range c.Variants {
		t, err := campaign.Parse(v)
		if err != nil {
			return nil, err
		}
		out[v.Name] = t
	}
	return out, nil
}

// SendOptions are the send-time choices.
type SendOptions struct {
	// Mode is campaign.DryRun (default), campaign.TestSend or campaign.Live.
	Mode string
	// Secrets for the channel (passwords, API keys) given for this send;
	// never stored. A secret not given is read from the environment or
	// the system keyring (ChannelSecrets).
	Secrets sdk.Secrets
	// TestTo receives the test send: one message per variant.
	TestTo string
	// AllowDevPlugin confirms a live send through a development build
	// ('plugin dev'); without it such a send fails with ErrDevBuild.
	AllowDevPlugin bool
	// Timeout bounds one call to the plugin (a group of messages in
	// flight, or opening the session); 0 means the plugin host's limit (2
	// minutes, or MARKETBENCH_PLUGIN_TIMEOUT), which it cannot exceed. A
	// call that times out stops the plugin like a crash, and three
	// failures in a row pause the send.
	Timeout time.Duration
	// Warn, when set, receives a line for each problem the send gets past
	// on its own (the plugin crashed or timed out and is restarted).
	Warn func(msg string)
	// Now, when set, is the clock the contact policy and the delivery
	// log's waits are read on (nil: time.Now). It must advance with real
	// time (for tests and catching up: time.Now().Add(offset)).
	Now func() time.Time
}

func (o *SendOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// SendReport says what a send did.
type SendReport struct {
	Mode    string
	Preview *Preview `json:",omitempty"`
	// Sent counts messages the plugin accepted in this run.
	Sent int
	// Recovered counts deliveries a previous run left unfinished (sent
	// again under the same key, or set aside as unknown).
	Recovered int
	// Unknown counts deliveries whose fate is unknown, for the user to
	// settle ('campaign unknown', 'campaign resolve').
	Unknown int
	Counts  *campaign.Counts `json:",omitempty"`
	// Done is true when nothing is left to send.
	Done bool
	// Deferred counts messages held back in this run because their
	// customer was in quiet hours; they wait as retries, no attempt used.
	Deferred int
	// Waiting counts messages left waiting (for quiet hours to end or a
	// retry) when the run paused rather than wait for long, and NextAt is
	// when the first of them may go (zero when none wait).
	Waiting int
	NextAt  time.Time
}

// ErrPaused is returned when a send stops before it is done (cancelled by
// the user, or the plugin failed); a later send resumes it.
var ErrPaused = errors.New("the campaign is paused")

// SendCampaign sends a campaign. A dry run only previews. A test send
// renders one message per variant for the first customers and sends them
// to TestTo, without touching the delivery log. A live send freezes the
// audience in the delivery log on its first run and then sends what is due,
// exactly once per customer: it can be stopped at any point (or the app
// or the plugin can die) and resumed by sending again.
func (w *Workspace) SendCampaign(ctx context.Context, name string, opt SendOptions, progress Progress) (*SendReport, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	if opt.Mode == "" {
		opt.Mode = campaign.DryRun
	}
	rep := &SendReport{Mode: opt.Mode}
	switch opt.Mode {
	case campaign.DryRun:
		pv, err := w.PreviewCampaign(ctx, name, 3)
		rep.Preview = pv
		return rep, err
	case campaign.TestSend, campaign.Live:
	default:
		return nil, i18n.Errorf("unknown send mode %q: use dry-run, test or live", opt.Mode)
	}
	in, err := campaign.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	c := &in.Campaign
	proc, fields, err := w.enabled(ctx, c.Plugin)
	if err != nil {
		return nil, err
	}
	if opt.Mode == campaign.Live && proc.Found.Development && !opt.AllowDevPlugin {
		return nil, devBuildRefused(proc.Found)
	}
	c.Fields = fields // what the project approves now, not when saved
	opt.Secrets = w.ChannelSecrets(ctx, c.Plugin, c.Component, opt.Secrets)
	report(i18n.T("Resolving the audience"), 0.02)
	rs, err := campaign.Audience(ctx, w.Project, c)
	if err != nil {
		return nil, err
	}
	tpl, err := templates(c)
	if err != nil {
		return nil, err
	}
	if opt.Mode == campaign.TestSend {
		return rep, w.testSend(ctx, c, proc, rs, tpl, opt, rep)
	}

	planned, err := campaign.IsPlanned(ctx, w.Project, c.Name)
	if err != nil {
		return nil, err
	}
	if !planned {
		if _, err := w.previewCampaign(ctx, name, 0, false); err != nil { // refuse broken templates before anything is logged
			return nil, err
		}
		if err := campaign.PlanAt(ctx, w.Project, c, rs, opt.now()); err != nil {
			return nil, err
		}
	}
	if rep.Recovered, err = campaign.Recover(ctx, w.Project, c); err != nil {
		return nil, err
	}
	if err := campaign.SetStatus(ctx, w.Project, c.Name, "sending"); err != nil {
		return nil, err
	}
	byID := make(map[string]*campaign.Recipient, len(rs))
	for i := range rs {
		byID[rs[i].CustomerID] = &rs[i]
	}
	snd := w.newSender(c, proc, byID, tpl, opt, rep, report)
	if err := snd.policy(ctx); err != nil {
		return nil, err
	}
	err = snd.run(ctx)
	bg := context.WithoutCancel(ctx)
	rep.Counts, _ = campaign.Count(bg, w.Project, c.Name)
	if rep.Counts != nil {
		rep.Unknown = rep.Counts.ByStatus[campaign.Unknown]
	}
	status := "paused"
	if err == nil {
		rep.Done, status = true, "done"
	}
	campaign.SetStatus(bg, w.Project, c.Name, status)
	// One audit record per send run, with what it did and how it ended.
	detail := fmt.Sprintf("live send: %d sent in this run, %d settled from an earlier run; %s", rep.Sent, rep.Recovered, status)
	if err != nil {
		detail += ": " + err.Error()
	}
	w.Tx(bg, func(tx *sql.Tx) error {
		return w.InTx(tx).Audit(bg, tx, "campaign send", c.Name, -1, int64(rep.Sent), detail)
	})
	if err != nil {
		return rep, err
	}
	report(i18n.T("Done"), 1)
	return rep, nil
}

// testSend sends one message per variant, rendered for the first included
// customer of that variant, to opt.TestTo.
func (w *Workspace) testSend(ctx context.Context, c *campaign.Campaign, proc *host.Proc, rs []campaign.Recipient,
	tpl map[string]*campaign.Templates, opt SendOptions, rep *SendReport) error {
	if opt.TestTo == "" {
		return i18n.Errorf("give the address for the test send")
	}
	var msgs []sdk.Message
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Excluded != "" || r.Group == campaign.Holdout || seen[r.Group] {
			continue
		}
		seen[r.Group] = true
		content, err := tpl[r.Group].Render(r.Data)
		if err != nil {
			return i18n.Errorf("variant %s: %v", r.Group, err)
		}
		fields := map[string]string{}
		for k := range r.Fields {
			fields[k] = ""
		}
		if _, ok := fields["email"]; ok {
			fields["email"] = opt.TestTo
		}
		if _, ok := fields["phone"]; ok {
			fields["phone"] = opt.TestTo
		}
		msgs = append(msgs, sdk.Message{ID: "test-" + r.Group, IdempotencyKey: fmt.Sprintf("test-%s-%d", r.Group, time.Now().UnixNano()),
			To: opt.TestTo, Subject: "[TEST] " + content.Subject, Text: content.Text, HTML: content.HTML, Fields: fields, Campaign: c.Name, Variant: r.Group})
	}
	if len(msgs) == 0 {
		return i18n.Errorf("no customer of the audience can receive this campaign, so there is nothing to test")
	}
	var failures []string
	err := proc.Call(ctx, func(ctx context.Context, conn *client.Conn) error {
		s, err := conn.Open(ctx, c.Component, c.Config, opt.Secrets)
		if err != nil {
			return err
		}
		defer s.Close(ctx)
		return s.Send(ctx, msgs, func(id string, r sdk.Result) error {
			if r.Outcome == sdk.OutcomeDelivered {
				rep.Sent++
			} else {
				failures = append(failures, id+": "+r.Reason)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	w.Tx(ctx, func(tx *sql.Tx) error {
		return w.InTx(tx).Audit(ctx, tx, "campaign test send", c.Name, -1, int64(rep.Sent), opt.TestTo)
	})
	if len(failures) > 0 {
		return i18n.Errorf("the test send failed: %v", failures)
	}
	return nil
}

// CampaignStatus tallies the delivery log.
func (w *Workspace) CampaignStatus(ctx context.Context, name string) (*campaign.Info, *campaign.Counts, error) {
	in, err := campaign.Get(ctx, w.Project, name)
	if err != nil {
		return nil, nil, err
	}
	counts, err := campaign.Count(ctx, w.Project, name)
	return in, counts, err
}

// UnknownDeliveries lists the campaign's deliveries whose fate a crash
// left unknown (a channel without idempotency keys cannot be asked again
// safely), for the user to check with the provider and settle.
func (w *Workspace) UnknownDeliveries(ctx context.Context, name string) ([]campaign.UnknownDelivery, error) {
	if _, err := campaign.Get(ctx, w.Project, name); err != nil {
		return nil, err
	}
	return campaign.Unknowns(ctx, w.Project, name)
}

// ResolveUnknown settles unknown deliveries (all, or the given customers')
// as how says: campaign.ResolveSent (the provider has it),
// campaign.ResolveNotSent (it never went out; it stays unsent) or
// campaign.ResolveResend (send it at the next resume). Audited.
func (w *Workspace) ResolveUnknown(ctx context.Context, name, how string, customers []string) (int, error) {
	if _, err := campaign.Get(ctx, w.Project, name); err != nil {
		return 0, err
	}
	return campaign.Resolve(ctx, w.Project, name, how, customers)
}

// ImportCampaignResults imports a responses file for a campaign, or with
// a "table:" prefix, a project table (e.g. one a source plugin fills).
func (w *Workspace) ImportCampaignResults(ctx context.Context, name, path string) (*campaign.ImportResult, error) {
	if _, err := campaign.Get(ctx, w.Project, name); err != nil {
		return nil, err
	}
	return w.ImportCampaignEvents(ctx, name, path)
}

// ImportCampaignEvents imports responses for a delivery-log campaign (a
// campaign's, or a journey step's) from a file or "table:NAME".
func (w *Workspace) ImportCampaignEvents(ctx context.Context, name, path string) (*campaign.ImportResult, error) {
	if t, ok := strings.CutPrefix(path, "table:"); ok {
		return campaign.ImportEventsFromTable(ctx, w.Project, name, t)
	}
	return campaign.ImportEvents(ctx, w.Project, name, path)
}

// Results is a campaign's (or an experiment table's) readout per metric.
type Results struct {
	Groups []campaign.GroupStat
	// Reports has one comparison per metric ("conversion", "click", ...)
	// of every variant against the control.
	Reports map[string]*abtest.Report
	Control string
}

// CampaignResults compares each variant with the holdout on conversions
// and revenue (and opens and clicks against the first variant, since the
// holdout receives nothing to open). attributionDays > 0 also counts
// orders in that many days after the start as conversions.
func (w *Workspace) CampaignResults(ctx context.Context, name string, attributionDays int) (*Results, error) {
	in, err := campaign.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	var orders *campaign.OrderSource
	if attributionDays > 0 {
		o, err := segment.OrdersOf(ctx, w.Project, "")
		if err != nil {
			return nil, i18n.Errorf("attribution needs an order table: %w", err)
		}
		orders = &campaign.OrderSource{Table: o.Table, Customer: o.Customer, Date: o.Date, Amount: o.Amount}
	}
	groups, err := campaign.Stats(ctx, w.Project, name, orders, attributionDays)
	if err != nil {
		return nil, err
	}
	res := &Results{Groups: groups, Reports: map[string]*abtest.Report{}, Control: campaign.Holdout}
	split := []float64{in.HoldoutPercent}
	for _, v := range in.Variants {
		split = append(split, (100-in.HoldoutPercent)*v.Percent/100)
	}
	if err := res.analyze(campaign.Holdout, []string{"conversion"}, split, in.HoldoutPercent > 0); err != nil {
		return nil, err
	}
	// The holdout opens and clicks nothing, so those compare the variants
	// with the first one, when there are such events at all.
	if len(in.Variants) > 1 {
		var engaged []string
		for _, m := range []string{"open", "click"} {
			for _, g := range groups {
				if g.With[m] > 0 {
					engaged = append(engaged, m)
					break
				}
			}
		}
		if len(engaged) > 0 {
			sub := &Results{Reports: map[string]*abtest.Report{}}
			for _, g := range groups {
				if g.Group != campaign.Holdout {
					sub.Groups = append(sub.Groups, g)
				}
			}
			if err := sub.analyze(in.Variants[0].Name, engaged, nil, false); err != nil {
				return nil, err
			}
			for m, r := range sub.Reports {
				for i := range r.Variants {
					r.Variants[i].Revenue = nil
				}
				r.Control.Revenue = nil
				res.Reports[m] = r
			}
		}
	}
	return res, nil
}

// CampaignTimeline is the cumulative number of converted customers per
// group by day (for the "conversions over time" chart).
func (w *Workspace) CampaignTimeline(ctx context.Context, name string, attributionDays int) (map[string][]campaign.Point, error) {
	if _, err := campaign.Get(ctx, w.Project, name); err != nil {
		return nil, err
	}
	var orders *campaign.OrderSource
	if attributionDays > 0 {
		o, err := segment.OrdersOf(ctx, w.Project, "")
		if err != nil {
			return nil, i18n.Errorf("attribution needs an order table: %w", err)
		}
		orders = &campaign.OrderSource{Table: o.Table, Customer: o.Customer, Date: o.Date, Amount: o.Amount}
	}
	return campaign.Timeline(ctx, w.Project, name, orders, attributionDays)
}

// DeleteCampaign removes a campaign with its delivery log and results.
func (w *Workspace) DeleteCampaign(ctx context.Context, name string) error {
	return campaign.Delete(ctx, w.Project, name)
}

// analyze fills Reports for metrics, with control as the baseline.
func (r *Results) analyze(control string, metrics []string, split []float64, srm bool) error {
	var ctl *campaign.GroupStat
	var vars []campaign.GroupStat
	for i := range r.Groups {
		if r.Groups[i].Group == control {
			ctl = &r.Groups[i]
		} else {
			vars = append(vars, r.Groups[i])
		}
	}
	if ctl == nil || len(vars) == 0 {
		return nil // nothing to compare yet
	}
	for _, m := range metrics {
		g := func(s campaign.GroupStat) abtest.Group {
			return abtest.Group{Name: s.Group, N: s.N, Conversions: s.With[m],
				Revenue: &abtest.Revenue{N: s.N, Mean: s.RevenueMean, SD: s.RevenueSD}}
		}
		var vs []abtest.Group
		for _, v := range vars {
			vs = append(vs, g(v))
		}
		opt := abtest.Options{Adjust: abtest.AdjustHolm}
		if srm && len(split) == len(vs)+1 {
			opt.Split = split
		}
		rep, err := abtest.Analyze(g(*ctl), vs, opt)
		if err != nil {
			return err
		}
		r.Reports[m] = rep
	}
	return nil
}

// AnalyzeTable reads an experiment stored as a table (one row per
// customer, a group column, 0/1 outcome columns, a revenue column), such as
// the Hillstrom e-mail test, and compares each group with control.
func (w *Workspace) AnalyzeTable(ctx context.Context, table, groupCol, control string, outcomes []string, revenue string) (*Results, error) {
	if len(outcomes) == 0 {
		return nil, i18n.Errorf("name at least one outcome column (0/1 per customer)")
	}
	groups, err := campaign.TableStats(ctx, w.Project, table, groupCol, outcomes, revenue)
	if err != nil {
		return nil, err
	}
	res := &Results{Groups: groups, Reports: map[string]*abtest.Report{}, Control: control}
	found := false
	for _, g := range groups {
		found = found || g.Group == control
	}
	if !found {
		return nil, i18n.Errorf("column %q has no group %q", groupCol, control)
	}
	if err := res.analyze(control, outcomes, nil, false); err != nil {
		return nil, err
	}
	if revenue == "" {
		for _, rep := range res.Reports {
			for i := range rep.Variants {
				rep.Variants[i].Revenue = nil
			}
			rep.Control.Revenue = nil
		}
	}
	return res, nil
}

// Suppress adds addresses or customer ids to the suppression list.
func (w *Workspace) Suppress(ctx context.Context, kind string, values []string, reason string) (int, error) {
	return campaign.Suppress(ctx, w.Project, kind, values, reason)
}
