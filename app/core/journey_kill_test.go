package core

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/storage/campaign"
	"github.com/marketbench/marketbench/storage/journey"
)

const killJourneyHours = 36

var killStart = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// killJourneyRuns is what the runner does every hour for a day and a half:
// the child process runs it until it is killed, the parent to the end.
// Starting again from the first hour is harmless: a run as of a time
// already processed finds nothing due.
func killJourneyRuns(w *Workspace) error {
	for h := 0; h <= killJourneyHours; h++ {
		rep, err := w.RunAutomation(context.Background(), AutomateOptions{Now: killStart.Add(time.Duration(h) * time.Hour)}, nil)
		if err != nil {
			return err
		}
		if len(rep.Problems) > 0 {
			return fmt.Errorf("hour %d: %v", h, rep.Problems)
		}
	}
	return nil
}

// The runner is killed (SIGKILL) at random points, again and again, while
// a journey moves 600 customers through two sends and a wait; after a
// final run every customer has passed each step once and received each
// message once: nothing twice, nothing skipped.
func TestJourneyRunnerKilled(t *testing.T) {
	if os.Getenv("MB_JKILL_CHILD") != "" {
		t.Skip("parent only")
	}
	r := newReceiver(t, true, 3*time.Millisecond)
	proj := filepath.Join(t.TempDir(), "k.mbproj")
	w := journeyProject(t, 600)
	ctx := context.Background()
	if _, err := w.CreateSegment(ctx, "Everyone", "customers", "email IS NOT EMPTY"); err != nil {
		t.Fatal(err)
	}
	send := func(id string) journey.Step {
		return journey.Step{ID: id, Kind: journey.Send, Plugin: "marketbench.org/webhook", Component: "webhook", Idempotent: true,
			Config: sdk.Config{"url": r.URL, "concurrency": "8"}, Variants: []campaign.Variant{{Name: "A", Percent: 100, Subject: id, Text: "Hi"}}}
	}
	j := &journey.Journey{Name: "Kill", Table: "customers", Trigger: journey.Trigger{Kind: journey.SegmentEnter, Segment: "Everyone", IncludeExisting: true},
		Steps: []journey.Step{send("first"), {ID: "later", Kind: journey.Wait, Duration: "1d"}, send("second")}}
	if err := w.SaveJourney(ctx, j, false, killStart); err != nil {
		t.Fatal(err)
	}
	src := w.Path
	w.Close()
	if err := os.Rename(src, proj); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(13, 14))
	// Kill points spread over the run: after a random number of messages
	// (during sends of both steps) plus a random few milliseconds (so some
	// land between sends, in the moves).
	targets := []int{1, 150, 400, 520, 700, 900}
	for k, target := range targets {
		cmd := exec.Command(os.Args[0], "-test.run=^TestJourneyKillChild$")
		cmd.Env = append(os.Environ(), "MB_JKILL_CHILD="+proj, "MB_KILL_CHILD="+proj) // MB_KILL_CHILD: use the parent's plugins
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if req, _, _ := r.count(); req >= target {
				break
			}
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		time.Sleep(300 * time.Millisecond) // the orphaned plugin notices and exits
		req, keys, _ := r.count()
		t.Logf("kill %d: %d requests, %d messages so far", k+1, req, keys)
		if req < target {
			t.Fatalf("the runner did not get to message %d before the kill:\n%s", target, out.String())
		}
	}
	w, err := Open(proj)
	if err != nil {
		t.Fatalf("reopening after the kills: %v", err)
	}
	defer w.Close()
	if err := killJourneyRuns(w); err != nil {
		t.Fatal(err)
	}
	consenting := 0
	for i := range 600 {
		if i%5 != 4 {
			consenting++
			for _, step := range []string{"first", "second"} {
				if key := campaign.IdempotencyKey(journey.DeliveryName("Kill", step, 1), fmt.Sprintf("C%03d", i)); !r.has(key) {
					t.Fatalf("C%03d never got %q", i, step)
				}
			}
		}
	}
	requests, keys, _ := r.count()
	if keys != 2*consenting {
		t.Errorf("the receiver processed %d messages, want %d", keys, 2*consenting)
	}
	// Only messages in flight at a kill are sent again (under their key).
	if requests-keys > 6*8 {
		t.Errorf("%d repeated requests after 6 kills at concurrency 8", requests-keys)
	}
	var dup int
	w.DB().QueryRow(`SELECT count(*) FROM (SELECT customer_id, step, event FROM mb_journey_log WHERE journey = 'Kill' AND event IN ('send', 'wait')
		GROUP BY ALL HAVING count(*) > 1)`).Scan(&dup)
	var passes int
	w.DB().QueryRow(`SELECT count(*) FROM mb_journey_log WHERE journey = 'Kill' AND event = 'send'`).Scan(&passes)
	if dup != 0 || passes != 2*600 {
		t.Errorf("journey log: %d customer-steps twice (want 0), %d sends logged (want %d)", dup, passes, 2*600)
	}
	var delivered int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE starts_with(campaign, 'Kill › ') AND status = 'delivered'`).Scan(&delivered)
	if delivered != 2*consenting {
		t.Errorf("%d delivered in the log, want %d", delivered, 2*consenting)
	}
}

// TestJourneyKillChild is the runner process the test above kills.
func TestJourneyKillChild(t *testing.T) {
	proj := os.Getenv("MB_JKILL_CHILD")
	if proj == "" {
		t.Skip("run by TestJourneyRunnerKilled")
	}
	w, err := Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	if err := killJourneyRuns(w); err != nil {
		t.Fatal(err)
	}
	t.Fatal("the runs finished before the parent killed them")
}
