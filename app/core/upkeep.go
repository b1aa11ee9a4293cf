package core

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/models"
)

// Drift is recomputed when the data changed (at most once per
// driftMinInterval, so a source streaming rows every minute does not make
// every tick score every customer) and otherwise once per driftMaxAge, in
// case a change escaped the fingerprint.
const (
	driftMinInterval = time.Hour
	driftMaxAge      = 24 * time.Hour
)

// Schedule is a model's retraining schedule.
type Schedule struct {
	Model string `json:"model"`
	// Retrain is the cron expression ("" when there is no schedule).
	Retrain     string    `json:"retrain"`
	Next        time.Time `json:"next,omitzero"`
	LastRetrain time.Time `json:"last_retrain,omitzero"`
}

// parseSchedule reads a standard five-field cron expression ("0 3 * * SUN"),
// or a descriptor such as @daily.
func parseSchedule(expr string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, i18n.Errorf("retraining schedule %q: %v; write five fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * SUN\"", expr, err)
	}
	return s, nil
}

// SetRetrainSchedule sets when model is retrained by ModelUpkeep (a cron
// expression in the time zone of upkeep's clock), or turns it off with "".
// The first run is the schedule's first time after now.
func (w *Workspace) SetRetrainSchedule(ctx context.Context, name, expr string, now time.Time) (*Schedule, error) {
	info, _, err := w.LoadModel(ctx, name)
	if err != nil {
		return nil, err
	}
	expr = strings.TrimSpace(expr)
	out := &Schedule{Model: info.Name, Retrain: expr}
	if expr != "" {
		s, err := parseSchedule(expr)
		if err != nil {
			return nil, err
		}
		out.Next = s.Next(now)
	}
	if err := models.SetSchedule(ctx, w.Project, info.Name, expr, now); err != nil {
		return nil, err
	}
	return out, nil
}

// RetrainSchedule returns a model's schedule and its next run after now.
func (w *Workspace) RetrainSchedule(ctx context.Context, name string, now time.Time) (*Schedule, error) {
	r, _, err := models.Get(ctx, w.Project, name)
	if err != nil {
		return nil, err
	}
	ups, err := models.Upkeeps(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	u := ups[strings.ToLower(r.Name)]
	out := &Schedule{Model: r.Name, Retrain: u.Schedule, LastRetrain: u.LastRetrainAt}
	if u.Schedule != "" {
		s, err := parseSchedule(u.Schedule)
		if err != nil {
			return nil, err
		}
		out.Next = s.Next(lastRun(u).In(now.Location()))
	}
	return out, nil
}

// lastRun is what a schedule counts from: the last retrain, or when the
// schedule was set if it has not run since.
func lastRun(u models.Upkeep) time.Time {
	if u.LastRetrainAt.After(u.ScheduleSetAt) {
		return u.LastRetrainAt
	}
	return u.ScheduleSetAt
}

// Upkeep is what one ModelUpkeep run did and found.
type Upkeep struct {
	At time.Time `json:"at"`
	// Retrained are the scheduled retrains run now.
	Retrained []RetrainResult `json:"retrained"`
	// Checked are the models whose drift was computed now.
	Checked []string `json:"checked"`
	// Alerts are every model's major shifts, computed now or earlier.
	Alerts []DriftAlert `json:"alerts"`
	// NoReference are models trained before drift monitoring.
	NoReference []string `json:"no_reference"`
	// Problems are what went wrong, per model; the run goes on.
	Problems []UpkeepProblem `json:"problems"`
}

// UpkeepProblem is a retrain or drift check that failed.
type UpkeepProblem struct {
	Model string `json:"model"`
	Error string `json:"error"`
}

// ModelUpkeep is the models' share of an automation tick: it retrains the
// models whose schedule has come due since their last run (as of now) and
// measures drift where it is due, returning every model's drift alerts.
// When nothing is due it reads two small tables and computes nothing.
func (w *Workspace) ModelUpkeep(ctx context.Context, now time.Time, progress Progress) (*Upkeep, error) {
	report := func(stage string, f float64) {
		if progress != nil {
			progress(stage, f)
		}
	}
	recs, err := models.List(ctx, w.Project, models.Predictive)
	if err != nil {
		return nil, err
	}
	ups, err := models.Upkeeps(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	refs, err := models.References(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	out := &Upkeep{At: now.UTC(), Retrained: []RetrainResult{}, Checked: []string{}, Alerts: []DriftAlert{}, NoReference: []string{}, Problems: []UpkeepProblem{}}
	problem := func(name string, err error) {
		out.Problems = append(out.Problems, UpkeepProblem{Model: name, Error: i18n.Error(err)})
	}
	for i, r := range recs {
		if strings.HasPrefix(r.Algo, PluginAlgoPrefix) {
			continue // plugin models are neither retrained nor monitored here
		}
		if err := ctx.Err(); err != nil {
			return nil, ErrCancelled
		}
		frac := float64(i) / float64(len(recs))
		key := strings.ToLower(r.Name)
		u := ups[key]
		if u.Schedule != "" {
			s, err := parseSchedule(u.Schedule)
			if err != nil {
				problem(r.Name, err)
			} else if !s.Next(lastRun(u).In(now.Location())).After(now) {
				report(i18n.T("Retraining %s", r.Name), frac)
				res, err := w.Retrain(ctx, r.Name, RetrainOptions{Cause: CauseSchedule, Now: now}, nil)
				if err == ErrCancelled {
					return nil, err
				}
				if err != nil {
					problem(r.Name, err)
				} else {
					out.Retrained = append(out.Retrained, *res)
					// A promotion replaced the reference and forgot the drift.
					if ups, err = models.Upkeeps(ctx, w.Project); err != nil {
						return nil, err
					}
					u = ups[key]
					if refs, err = models.References(ctx, w.Project); err != nil {
						return nil, err
					}
				}
			}
		}
		if _, ok := refs[key]; !ok {
			out.NoReference = append(out.NoReference, r.Name)
			continue
		}
		due, err := w.driftDue(ctx, r, u, now)
		if err != nil {
			problem(r.Name, err)
			continue
		}
		if !due {
			if rep := storedDrift(u); rep != nil {
				out.Alerts = append(out.Alerts, rep.Alerts()...)
			}
			continue
		}
		report(i18n.T("Checking %s for drift", r.Name), frac)
		rep, err := w.drift(ctx, r.Name, "", now)
		if err == ErrCancelled {
			return nil, err
		}
		if err != nil {
			// Kept, so a broken model is retried when its data changes or a
			// day later, not every tick.
			w.keepDriftError(ctx, r, now, err)
			problem(r.Name, err)
			continue
		}
		out.Checked = append(out.Checked, r.Name)
		out.Alerts = append(out.Alerts, rep.Alerts()...)
	}
	report(i18n.T("Done"), 1)
	return out, nil
}

// driftDue reports whether a model's drift should be computed now: never
// computed, a day old, or (an hour on) its data changed.
func (w *Workspace) driftDue(ctx context.Context, r models.Record, u models.Upkeep, now time.Time) (bool, error) {
	if u.DriftAt.IsZero() {
		return true, nil
	}
	age := now.Sub(u.DriftAt)
	switch {
	case age >= driftMaxAge:
		return true, nil
	case age < driftMinInterval:
		return false, nil
	}
	info, err := infoOf(r)
	if err != nil {
		return false, err
	}
	fp, err := models.DataFingerprint(ctx, w.Project, driftTables(info)...)
	if err != nil {
		return false, err
	}
	return fp != u.DriftData, nil
}

// keepDriftError records a failed drift check as the model's latest.
func (w *Workspace) keepDriftError(ctx context.Context, r models.Record, now time.Time, cause error) {
	info, err := infoOf(r)
	if err != nil {
		return
	}
	fp, err := models.DataFingerprint(ctx, w.Project, driftTables(info)...)
	if err != nil {
		return
	}
	js, _ := json.Marshal(DriftReport{Model: r.Name, ComputedAt: now.UTC(), Error: i18n.Error(cause)})
	_ = models.SaveDrift(ctx, w.Project, r.Name, now, fp, js)
}

// LastDrift returns a model's drift as last computed, or nil when it has
// not been computed since the model was trained.
func (w *Workspace) LastDrift(ctx context.Context, name string) (*DriftReport, error) {
	ups, err := models.Upkeeps(ctx, w.Project)
	if err != nil {
		return nil, err
	}
	return storedDrift(ups[strings.ToLower(name)]), nil
}
