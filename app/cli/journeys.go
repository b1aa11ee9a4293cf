package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/ostimer"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/journey"
	"github.com/marketbench/marketbench/storage/runlock"
)

func (e *env) journeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "journey", Short: "Automation journeys: a trigger and steps (wait, condition, split, send, update, exit); see docs/JOURNEYS.md"}
	var file string
	var replace bool
	create := &cobra.Command{
		Use:   "create [NAME] --file journey.json",
		Short: "Check a journey definition and save it (active at once; the automation runner moves it on)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				j, err := core.ReadJourneyFile(file)
				if err != nil {
					return err
				}
				if len(args) == 1 {
					j.Name = args[0]
				}
				if err := w.SaveJourney(ctx, j, replace, time.Now()); err != nil {
					return err
				}
				return e.emit(map[string]any{"journey": j.Name, "steps": len(j.Steps), "status": journey.Active}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Saved journey %q with %d steps. It runs whenever 'marketbench automate run' does (see 'automate install').", j.Name, len(j.Steps)))
				})
			})(cmd, args)
		},
	}
	create.Flags().StringVar(&file, "file", "", "the journey definition (JSON; see docs/JOURNEYS.md)")
	create.Flags().BoolVar(&replace, "replace", false, "replace a journey of the same name (customers in it stay where they are)")
	create.MarkFlagRequired("file")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the journeys with their status and counts",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			all, err := w.Journeys(ctx)
			if err != nil {
				return err
			}
			out := []map[string]any{}
			var rows [][]string
			for _, s := range all {
				out = append(out, map[string]any{"name": s.Name, "status": s.Status, "trigger": s.Trigger, "entered": s.Entered, "active": s.Active,
					"done": s.Done, "exited": s.Exited, "converted": s.Converted, "sent": s.Sent})
				rows = append(rows, []string{s.Name, i18n.T(s.Status), i18n.T(s.Trigger), jcount(s.Entered), jcount(s.Active), jcount(s.Converted), jcount(s.Sent)})
			}
			return e.emit(map[string]any{"journeys": out}, func(o io.Writer) {
				if len(rows) == 0 {
					fmt.Fprintln(o, i18n.T("No journeys yet; create one with 'journey create NAME --file journey.json'."))
					return
				}
				table(o, []string{i18n.T("JOURNEY"), i18n.T("STATUS"), i18n.T("TRIGGER"), i18n.T("ENTERED"), i18n.T("IN IT NOW"), i18n.T("CONVERTED"), i18n.T("SENT")}, rows)
			})
		}),
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a journey's definition and live counts per step",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				st, err := w.JourneyStats(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(journeyJSON(st), func(o io.Writer) { printJourney(o, st) })
			})(cmd, args)
		},
	}
	status := func(use, short string, fn func(*core.Workspace, context.Context, string) error, said string) *cobra.Command {
		return &cobra.Command{
			Use: use + " NAME", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return e.withProject(func(ctx context.Context, w *core.Workspace) error {
					if err := fn(w, ctx, args[0]); err != nil {
						return err
					}
					return e.emit(map[string]any{"journey": args[0], "done": use}, func(o io.Writer) { fmt.Fprintln(o, i18n.T(said, args[0])) })
				})(cmd, args)
			},
		}
	}
	results := &cobra.Command{
		Use:   "import-results NAME STEP FILE|table:NAME",
		Short: "Import a channel's responses (open, click, conversion, unsubscribe, bounce) to a journey's send step",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				r, err := w.ImportJourneyResults(ctx, args[0], args[1], args[2])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"rows": r.Rows, "matched": r.Matched, "unmatched": r.Unmatched, "by_event": r.ByEvent,
					"suppressed": r.Suppressed}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Imported %d responses for step %q (%d matched a delivery, %d did not); %d added to the suppression list.",
						r.Rows, args[1], r.Matched, r.Unmatched, r.Suppressed))
				})
			})(cmd, args)
		},
	}
	cmd.AddCommand(create, list, show, results,
		status("pause", "Pause a journey: nobody enters or moves on; messages wait", (*core.Workspace).PauseJourney, "Paused journey %q; its customers wait where they are."),
		status("resume", "Resume a paused journey where its customers wait", (*core.Workspace).ResumeJourney, "Resumed journey %q."),
		status("delete", "Delete a journey and its customers' places in it (its deliveries stay in the log)", (*core.Workspace).DeleteJourney, "Deleted journey %q."))
	return cmd
}

func jcount(n int64) string { return i18n.Number(float64(n)) }

func journeyJSON(st *core.JourneyStats) map[string]any {
	var steps []map[string]any
	for _, s := range st.Steps {
		m := map[string]any{"id": s.ID, "kind": s.Kind, "waiting": s.Waiting, "passed": s.Passed}
		switch s.Kind {
		case journey.Send:
			m["planned"], m["delivered"], m["excluded"], m["failed"], m["ordered"] = s.Planned, s.Delivered, s.Excluded, s.Failed, s.Ordered
			m["responses"] = s.Responses
		case journey.Condition:
			m["yes"], m["no"] = s.Yes, s.No
		case journey.Split:
			m["branches"] = s.Branches
		}
		steps = append(steps, m)
	}
	out := map[string]any{"name": st.Name, "status": st.Status, "definition": st.Journey, "entered": st.Summary.Entered,
		"active": st.Summary.Active, "done": st.Summary.Done, "exited": st.Summary.Exited, "converted": st.Summary.Converted,
		"sent": st.Summary.Sent, "steps": steps}
	if h := st.Holdout; h != nil && len(h.Variants) > 0 {
		v := h.Variants[0]
		out["holdout"] = map[string]any{"attribution_days": st.AttributionDays, "holdout_customers": h.Control.N, "holdout_rate": h.Control.Rate,
			"journey_customers": v.Variant.N, "journey_rate": v.Variant.Rate, "p_value": v.ZTest.P}
	}
	return out
}

func printJourney(o io.Writer, st *core.JourneyStats) {
	fmt.Fprintln(o, i18n.T("Journey %q (%s), customer table %s.", st.Name, i18n.T(st.Status), st.Table))
	fmt.Fprintln(o, i18n.T("Entered %s; in it now %s; finished %s; left at an exit %s; converted %s; messages delivered %s.",
		jcount(st.Summary.Entered), jcount(st.Summary.Active), jcount(st.Summary.Done), jcount(st.Summary.Exited), jcount(st.Summary.Converted), jcount(st.Summary.Sent)))
	var rows [][]string
	for _, s := range st.Steps {
		more := ""
		switch s.Kind {
		case journey.Send:
			more = i18n.T("delivered %s, excluded %s, failed %s, to send %s; %s ordered within %d days", jcount(s.Delivered), jcount(s.Excluded), jcount(s.Failed), jcount(s.Planned),
				jcount(s.Ordered), st.AttributionDays)
		case journey.Condition:
			more = i18n.T("yes %s, no %s", jcount(s.Yes), jcount(s.No))
		case journey.Split:
			var names []string
			for n := range s.Branches {
				names = append(names, n)
			}
			sort.Strings(names)
			var parts []string
			for _, n := range names {
				parts = append(parts, n+" "+jcount(s.Branches[n]))
			}
			more = strings.Join(parts, ", ")
		}
		rows = append(rows, []string{s.ID, i18n.T(s.Kind), jcount(s.Waiting), jcount(s.Passed), more})
	}
	table(o, []string{i18n.T("STEP"), i18n.T("KIND"), i18n.T("WAITING"), i18n.T("PASSED"), i18n.T("DETAIL")}, rows)
	if h := st.Holdout; h != nil && len(h.Variants) > 0 {
		v := h.Variants[0]
		fmt.Fprintln(o, i18n.T("Conversion within %d days: journey %s of %s, holdout %s of %s (p = %.3f).", st.AttributionDays,
			i18n.Percent(1, v.Variant.Rate), jcount(v.Variant.N), i18n.Percent(1, h.Control.Rate), jcount(h.Control.N), v.ZTest.P))
	}
}

func (e *env) automateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "automate", Short: "Run the automation (journeys) now, or have the operating system run it every minute"}
	var now string
	var dry, allowDev bool
	run := &cobra.Command{
		Use:   "run [--now TIME] [--dry-run]",
		Short: "Process everything due in every active journey, then send what is due; safe to run every minute",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := e.open()
			if errors.Is(err, storage.ErrLocked) {
				// Another process has the project: if it is a runner (it
				// holds the runner lock), say who.
				lock, lerr := runlock.Acquire(e.project, "marketbench automate run")
				var held *runlock.HeldError
				if errors.As(lerr, &held) {
					return e.heldBy(held)
				}
				if lerr == nil {
					lock.Release()
				}
			}
			if err != nil {
				return err
			}
			defer w.Close()
			// One runner per project, taken once the project has opened
			// (a project that is refused gets no lock file beside it).
			if !dry {
				lock, err := runlock.Acquire(e.project, "marketbench automate run")
				var held *runlock.HeldError
				if errors.As(err, &held) {
					return e.heldBy(held)
				}
				if err != nil {
					return err
				}
				defer lock.Release()
			}
			started := time.Now()
			rep, err := e.runAutomation(cmd.Context(), w, now, dry, allowDev)
			if !dry {
				ostimer.RecordRun(e.project, runRecord(rep, err, started))
			}
			return err
		},
	}
	run.Flags().StringVar(&now, "now", "", "run as of this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time) instead of the clock's: to catch up, or to test")
	run.Flags().BoolVar(&dry, "dry-run", false, "show who would enter, move and receive what; change nothing and send nothing")
	run.Flags().BoolVar(&allowDev, "allow-dev-plugin", false, "send through channels whose plugin is a development build ('plugin dev'); refused without it")
	cmd.AddCommand(run)
	cmd.AddCommand(e.automateOSCmds()...)
	return cmd
}

// heldBy says that another runner has the project, and exits: not a
// failure, the other runner does the work.
func (e *env) heldBy(held *runlock.HeldError) error {
	fmt.Fprintln(e.errOut, held.Error())
	return e.emit(map[string]any{"skipped": true, "reason": held.Error(), "holder_pid": held.Holder.PID,
		"holder": held.Holder.Who, "holder_since": held.Holder.Started.Format(time.RFC3339)}, func(io.Writer) {})
}

// runRecord is one line of the project's run log.
func runRecord(rep *core.AutomateReport, err error, started time.Time) ostimer.RunRecord {
	rec := ostimer.RunRecord{Time: started, Duration: time.Since(started)}
	if rep != nil {
		rec.Sent, rec.Errors = rep.Sent, len(rep.Problems)
		for _, t := range rep.Ticks {
			for _, n := range t.Moved {
				rec.Due += int(n)
			}
			for _, n := range t.Excluded {
				rec.Skipped += int(n)
			}
		}
		if len(rep.Problems) > 0 {
			rec.Message = rep.Problems[0]
		}
	}
	if err != nil {
		rec.Errors++
		rec.Message = err.Error()
	}
	return rec
}

// runAutomation runs the automation once and prints what it did.
func (e *env) runAutomation(ctx context.Context, w *core.Workspace, now string, dry, allowDev bool) (*core.AutomateReport, error) {
	opt := core.AutomateOptions{DryRun: dry, AllowDevPlugin: allowDev, Warn: func(msg string) { fmt.Fprintln(e.errOut, msg) }}
	if now != "" {
		t, err := parseNow(now)
		if err != nil {
			return nil, err
		}
		opt.Now = t
	}
	progress, done := e.progress()
	rep, err := w.RunAutomation(ctx, opt, progress)
	done()
	if err != nil {
		return rep, err
	}
	return rep, e.emit(automateJSON(rep), func(o io.Writer) { printAutomate(o, rep) })
}

// parseNow reads --now: a date, or a date and time, in local time.
func parseNow(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, i18n.Errorf("--now must be a time like 2026-12-06T09:00, got %q", s)
}

func automateJSON(rep *core.AutomateReport) map[string]any {
	js := []map[string]any{}
	for _, t := range rep.Ticks {
		js = append(js, map[string]any{"journey": t.Journey, "entered": t.Entered, "converted": t.Converted, "moved": t.Moved,
			"planned": t.Planned, "excluded": t.Excluded})
	}
	out := map[string]any{"now": rep.Now.Format(time.RFC3339), "dry_run": rep.DryRun, "journeys": js, "sent": rep.Sent,
		"failed": rep.Failed, "pending": rep.Pending, "problems": nonNil(rep.Problems)}
	cs := []map[string]any{}
	for _, c := range rep.Campaigns {
		cs = append(cs, map[string]any{"campaign": c.Campaign, "sent": c.Sent, "waiting": c.Waiting, "done": c.Done})
	}
	out["campaigns"] = cs
	if rep.Retention != nil { // the day's application of the retention rules
		out["retention"] = retentionJSON(rep.Retention)
	}
	if up := rep.Upkeep; up != nil {
		var alerts, retrained []map[string]any
		for _, a := range up.Alerts {
			alerts = append(alerts, map[string]any{"model": a.Model, "feature": a.Feature, "psi": a.PSI, "message": a.Message()})
		}
		for _, r := range up.Retrained {
			retrained = append(retrained, map[string]any{"model": r.Model, "promoted": r.Promoted, "champion": r.Champion, "challenger": r.Challenger, "reason": r.Reason})
		}
		out["drift_alerts"], out["retrained"] = alerts, retrained
	}
	if rep.DryRun {
		ws := []map[string]any{}
		for _, m := range rep.WouldSend {
			ws = append(ws, map[string]any{"journey": m.Journey, "step": m.Step, "customer_id": m.CustomerID, "variant": m.Variant})
		}
		out["would_send"] = ws
	}
	return out
}

func printAutomate(o io.Writer, rep *core.AutomateReport) {
	if len(rep.Ticks) == 0 && len(rep.Campaigns) == 0 {
		fmt.Fprintln(o, i18n.T("No journeys; nothing to do."))
		return
	}
	for _, t := range rep.Ticks {
		var moved int64
		for _, n := range t.Moved {
			moved += n
		}
		var planned int64
		for _, n := range t.Planned {
			planned += n
		}
		fmt.Fprintln(o, i18n.T("%s: %s entered, %s converted, %s steps taken, %s messages planned.", t.Journey, jcount(t.Entered), jcount(t.Converted), jcount(moved), jcount(planned)))
		for why, n := range t.Excluded {
			fmt.Fprintln(o, "  "+i18n.T("not sent to %s: %s", jcount(n), i18n.T(why)))
		}
	}
	if rep.DryRun {
		fmt.Fprintln(o, i18n.T("Dry run: nothing was kept or sent. %d messages would go:", len(rep.WouldSend)))
		var rows [][]string
		for i, m := range rep.WouldSend {
			if i == 50 {
				rows = append(rows, []string{"…", "", "", ""})
				break
			}
			rows = append(rows, []string{m.Journey, m.Step, m.CustomerID, m.Variant})
		}
		table(o, []string{i18n.T("JOURNEY"), i18n.T("STEP"), i18n.T("CUSTOMER"), i18n.T("VARIANT")}, rows)
		return
	}
	for _, c := range rep.Campaigns {
		if c.Done {
			fmt.Fprintln(o, i18n.T("Campaign %q: %d waiting messages sent; it is done.", c.Campaign, c.Sent))
		} else {
			fmt.Fprintln(o, i18n.T("Campaign %q: %d waiting messages sent, %d still wait.", c.Campaign, c.Sent, c.Waiting))
		}
	}
	fmt.Fprintln(o, i18n.T("Sent %d messages; %d failed; %d wait for a later run.", rep.Sent, rep.Failed, rep.Pending))
	for _, p := range rep.Problems {
		fmt.Fprintln(o, i18n.T("Problem: %s", p))
	}
	if up := rep.Upkeep; up != nil {
		for _, r := range up.Retrained {
			fmt.Fprintln(o, i18n.T("Model %s retrained: %s", r.Model, r.Reason))
		}
		for _, a := range up.Alerts {
			fmt.Fprintln(o, i18n.T("Drift: %s", a.Message()))
		}
		for _, p := range up.Problems {
			fmt.Fprintln(o, i18n.T("Model %s: %s", p.Model, p.Error))
		}
	}
	if r := rep.Retention; r != nil {
		fmt.Fprintln(o, i18n.T("Retention rules applied (once a day): %d row(s) removed.", r.Removed))
	}
}
