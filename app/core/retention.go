package core

import (
	"context"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/retention"
)

// RetentionRule keeps a table's rows for some months (see storage/retention).
type RetentionRule = retention.Rule

// RetentionReport is what applying the retention rules did, or would do.
type RetentionReport struct {
	Now    time.Time
	DryRun bool
	// Rules has a result per rule, by table; a failed rule has its Err.
	Rules []retention.Result
	// Removed counts the rows removed (a dry run: that would be).
	Removed int64
	// Rewritten says the file was rewritten so the removed rows are gone
	// from its bytes, not only from its tables.
	Rewritten bool
}

// RetentionRules lists the project's rules.
func (w *Workspace) RetentionRules(ctx context.Context) ([]RetentionRule, error) {
	return retention.List(ctx, w.Project)
}

// SetRetentionRule checks and stores a rule, replacing the table's earlier
// one; it returns the rule with names spelled as the project stores them.
func (w *Workspace) SetRetentionRule(ctx context.Context, r RetentionRule) (RetentionRule, error) {
	return retention.Set(ctx, w.Project, r, time.Now())
}

// RemoveRetentionRule deletes a table's rule.
func (w *Workspace) RemoveRetentionRule(ctx context.Context, table string) error {
	return retention.Remove(ctx, w.Project, table)
}

// ApplyRetention applies every rule as of now. When rows were removed the
// file is then rewritten, as an erasure does, so they do not linger in its
// free blocks. A dry run counts the rows and changes nothing.
func (w *Workspace) ApplyRetention(ctx context.Context, dryRun bool, progress Progress) (*RetentionReport, error) {
	if !dryRun {
		runMu.Lock() // the rewrite reopens the file: not under a running automation
		defer runMu.Unlock()
	}
	rep, err := w.applyRetention(ctx, time.Now(), dryRun, progress)
	if err != nil || dryRun || rep.Removed == 0 {
		return rep, err
	}
	if err := w.rewrite(ctx); err != nil {
		return rep, i18n.Errorf("the old rows were removed from the tables, but the file could not be rewritten (%v); apply the rules again", err)
	}
	rep.Rewritten = true
	return rep, nil
}

func (w *Workspace) applyRetention(ctx context.Context, now time.Time, dryRun bool, progress Progress) (*RetentionReport, error) {
	res, err := retention.Apply(ctx, w.Project, retention.Options{Now: now, DryRun: dryRun, Progress: progress})
	rep := &RetentionReport{Now: now, DryRun: dryRun, Rules: res}
	for _, r := range res {
		rep.Removed += r.Rows
	}
	return rep, err
}

// retentionDue says whether the automation runner applies the rules in the
// run at now: some rule has not been applied since the start of the day
// (in the project's time zone), such as one set since.
func (w *Workspace) retentionDue(ctx context.Context, now time.Time, loc *time.Location) (bool, error) {
	rules, err := retention.List(ctx, w.Project)
	if err != nil {
		return false, err
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	for _, r := range rules {
		if r.LastRunAt.Before(today) {
			return true, nil
		}
	}
	return false, nil
}

// runRetention is the automation runner's daily application. It compacts
// with a checkpoint but does not rewrite the file: the runner works beside
// open screens, which a reopened file would pull the rug from under.
func (w *Workspace) runRetention(ctx context.Context, now time.Time, loc *time.Location, rep *AutomateReport) {
	due, err := w.retentionDue(ctx, now, loc)
	if err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	}
	if !due {
		return
	}
	rr, err := w.applyRetention(ctx, now, false, nil)
	if err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	}
	rep.Retention = rr
	for _, r := range rr.Rules {
		if r.Err != nil {
			rep.Problems = append(rep.Problems, i18n.T("retention of %s: %v", r.Table, r.Err))
		}
	}
	if rr.Removed > 0 {
		if _, err := w.DB().ExecContext(ctx, `CHECKPOINT`); err != nil {
			rep.Problems = append(rep.Problems, err.Error())
		}
	}
}
