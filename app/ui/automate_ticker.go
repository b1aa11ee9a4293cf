package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage/runlock"
)

// automateEvery is how often the open project runs its journeys: the same
// engine as `marketbench automate run`, which the operating system's timer
// cannot run while the GUI holds the project file.
const automateEvery = time.Minute

// automation runs the project's active journeys every minute while the
// project is open, off the UI goroutine, one run at a time; it stops when
// the project closes. Problems go to the status line, not to dialogs: no
// one asked for this run.
type automation struct {
	p       *project
	running atomic.Bool
	stopped chan struct{} // closed when the timer has stopped
	last    time.Time     // when a run last finished (UI goroutine)
}

// startAutomation starts the minute timer of an open project.
func startAutomation(p *project) *automation {
	a := &automation{p: p, stopped: make(chan struct{})}
	// The window holds the project's runner lock while it is open, so an
	// OS timer's `automate run` says who runs the journeys instead of
	// failing on the locked file.
	lock, err := runlock.Acquire(p.ws.Path, "the Marketbench window")
	if err != nil {
		lock = nil
	}
	go func() {
		defer close(a.stopped)
		if lock != nil {
			defer lock.Release()
		}
		t := time.NewTicker(automateEvery)
		defer t.Stop()
		for {
			select {
			case <-p.ctx.Done():
				return
			case <-t.C:
				a.tick()
			}
		}
	}()
	return a
}

// tick runs the engine once unless a run of the timer is still going or
// no journey is active. It returns at once; the run goes on in the
// background and reports on the UI goroutine.
func (a *automation) tick() {
	if !a.running.CompareAndSwap(false, true) {
		return
	}
	p := a.p
	async(p, p.ctx, func(ctx context.Context) (*core.AutomateReport, error) {
		defer a.running.Store(false)
		if ok, err := p.ws.HasActiveJourneys(ctx); err != nil || !ok {
			return nil, err
		}
		return p.ws.RunAutomation(ctx, core.AutomateOptions{}, nil)
	}, func(rep *core.AutomateReport, err error) {
		if err != nil {
			if ctxErr := p.ctx.Err(); ctxErr == nil {
				p.setStatus(i18n.T("Journeys: the automatic run failed: %s", i18n.Error(err)))
			}
			return
		}
		if rep != nil {
			a.ran(rep)
			if p.journeys.loaded && a.changedAnything(rep) {
				p.journeys.refresh("")
				p.journeys.editor.refreshStats()
			}
		}
	})
}

// ran notes a finished run (the timer's or Run now's) in the status line
// when it did something or had problems, and under the journey list.
func (a *automation) ran(rep *core.AutomateReport) {
	a.last = time.Now()
	if len(rep.Problems) > 0 {
		a.p.setStatus(i18n.T("Journeys at %s: %s", a.last.Format("15:04"), strings.Join(rep.Problems, "; ")))
	} else if a.changedAnything(rep) {
		a.p.setStatus(i18n.T("Journeys at %s: %s", a.last.Format("15:04"), sentences(runWords(rep))))
	}
	if a.p.journeys.loaded {
		a.p.journeys.runNote.SetText(sentences([]string{i18n.T("Last run at %s: %s", a.last.Format("15:04"), sentences(runWords(rep))),
			i18n.T("While Marketbench is open, it runs the active journeys every minute by itself.")}))
	}
}

// changedAnything reports whether a run entered, moved or sent anything.
func (a *automation) changedAnything(rep *core.AutomateReport) bool {
	if rep.Sent+rep.Failed > 0 {
		return true
	}
	for _, t := range rep.Ticks {
		if t != nil && (t.Entered+t.Converted+total(t.Moved) > 0) {
			return true
		}
	}
	return false
}
