//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/app/core/ostimer"
	"github.com/marketbench/marketbench/app/core/ostimer/ostimertest"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/runlock"
)

// The done-when of issue 13: the demo's journeys run by themselves under
// the operating system's timer. The real marketbench program, with the
// bundled outbox plugin beside it, is started by a systemd user timer
// (a private user manager, so the machine's own is not touched) as
// `marketbench automate run -p DEMO`; between firings the test appends
// orders of customers who never ordered, and each round of first-time
// buyers gets the welcome in the outbox, once, as the delivery log and the
// runner's own log (PROJECT.automate.log) record. Then the timer is removed.
func TestDemoJourneysUnderTheOSTimer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program and runs it under a systemd timer")
	}
	dir := t.TempDir()
	// The service inherits the manager's environment, which is this one:
	// plugin approvals and recent files stay in the test's folders.
	t.Setenv(host.ConfigDirEnv, filepath.Join(dir, "config"))
	t.Setenv("MARKETBENCH_NO_RECENT", "1")
	ostimertest.UserManager(t)

	// The program and, in plugins/ beside it, the outbox, as `make build`
	// lays them out.
	exe := filepath.Join(dir, "bin", "marketbench")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("building marketbench: %v\n%s", err, out)
	}
	if _, err := host.Bundle("../plugins", filepath.Join(dir, "bin", "plugins"), "outbox"); err != nil {
		t.Fatal(err)
	}
	t.Setenv(host.BundledEnv, filepath.Join(dir, "bin", "plugins"))

	ctx := context.Background()
	project := filepath.Join(dir, "shop", "demo.mbproj")
	os.MkdirAll(filepath.Dir(project), 0o755)
	w, err := core.CreateDemo(ctx, project, core.DemoOptions{Customers: 800, Orders: 4000, Products: 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := w.Journeys(ctx)
	w.Close()
	if err != nil || len(js) != 2 {
		t.Fatalf("the demo has %d journeys (%v), want the welcome series and the win-back", len(js), err)
	}

	// The CLI's shortest interval is a minute; the job itself runs the
	// real program every 5 s so the test sees several runs.
	j := ostimer.Job{Exe: exe, Project: project, Every: 5 * time.Second}
	if _, err := ostimer.Install(ctx, j); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ostimer.Uninstall(context.Background(), project) })

	outbox := filepath.Join(dir, "shop", "demo-outbox", "outbox.jsonl")
	runs := waitRuns(t, project, 1)
	if r := runs[len(runs)-1]; r.Errors != 0 {
		t.Fatalf("the first run under the timer: %+v", r)
	}
	baseline := len(welcomes(t, outbox))
	if baseline != 0 {
		t.Fatalf("%d welcomes before any new order", baseline)
	}

	welcomed := map[string]bool{}
	for round := range 2 {
		buyers, consenting := appendFirstOrders(t, project, round)
		// Two more runs start after the append: the first takes them in
		// and sends.
		n := len(runsOf(t, project))
		waitRuns(t, project, n+2)
		got := welcomes(t, outbox)
		for id, k := range got {
			if k != 1 {
				t.Errorf("round %d: %s welcomed %d times", round+1, id, k)
			}
		}
		var want []string
		for _, id := range buyers {
			if consenting[id] {
				want = append(want, id)
			}
		}
		for _, id := range want {
			if got[id] != 1 {
				t.Errorf("round %d: new buyer %s with consent was not welcomed", round+1, id)
			}
			welcomed[id] = true
		}
		if len(got) != len(welcomed) {
			t.Errorf("round %d: the outbox welcomed %d customers, want the %d new buyers with consent so far", round+1, len(got), len(welcomed))
		}
		if len(want) == 0 {
			t.Fatalf("round %d: none of the new buyers has consent; the test data is not what it expects", round+1)
		}
	}

	// The delivery log agrees with the outbox, and the runner's own log
	// shows runs that sent and none that failed.
	lock := holdRunner(t, project)
	w, err = core.Open(project)
	if err != nil {
		t.Fatal(err)
	}
	var delivered int
	w.DB().QueryRow(`SELECT count(*) FROM mb_deliveries WHERE campaign = 'Welcome new buyers › welcome' AND status = 'delivered'`).Scan(&delivered)
	w.Close()
	lock.Release()
	if delivered != len(welcomed) {
		t.Errorf("the delivery log has %d welcomes delivered, the outbox %d", delivered, len(welcomed))
	}
	var sent int
	for _, r := range runsOf(t, project) {
		if r.Errors != 0 {
			t.Errorf("a run failed: %+v", r)
		}
		sent += r.Sent
	}
	if sent < len(welcomed) {
		t.Errorf("the run log counts %d sent, want at least the %d welcomes", sent, len(welcomed))
	}

	r, err := ostimer.Uninstall(ctx, project)
	if err != nil || len(r.Removed) != 2 {
		t.Errorf("uninstall: %+v, %v", r, err)
	}
	if st, _ := ostimer.StatusOf(ctx, project, 0); st.Installed || st.Active {
		t.Errorf("status after uninstall: %+v", st)
	}
}

// runsOf is the runner's log of its runs.
func runsOf(t *testing.T, project string) []ostimer.RunRecord {
	t.Helper()
	runs, err := ostimer.LastRuns(project, -1)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// waitRuns waits until the timer has run the runner n times in all.
func waitRuns(t *testing.T, project string, n int) []ostimer.RunRecord {
	t.Helper()
	for start := time.Now(); ; time.Sleep(200 * time.Millisecond) {
		runs := runsOf(t, project)
		if len(runs) >= n {
			return runs
		}
		if time.Since(start) > 2*time.Minute {
			st, _ := ostimer.StatusOf(context.Background(), project, 0)
			t.Fatalf("the timer ran the runner %d times in 2 minutes, want %d; status %+v", len(runs), n, st)
		}
	}
}

// holdRunner takes the project's runner lock between two runs, so that the
// test may open the project (a run holds the lock while it has it open).
func holdRunner(t *testing.T, project string) *runlock.Lock {
	t.Helper()
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		l, err := runlock.Acquire(project, "the timer test")
		if err == nil {
			return l
		}
		if _, held := err.(*runlock.HeldError); !held || time.Since(start) > time.Minute {
			t.Fatalf("taking the runner lock: %v", err)
		}
	}
}

// appendFirstOrders appends an order for each of ten customers who never
// ordered, while no run is active, and returns them and which consented.
func appendFirstOrders(t *testing.T, project string, round int) ([]string, map[string]bool) {
	t.Helper()
	lock := holdRunner(t, project)
	defer lock.Release()
	// A run the timer starts now opens the project before it finds the
	// runner lock taken, and closes it again: wait for that.
	w, err := core.Open(project)
	for start := time.Now(); errors.Is(err, storage.ErrLocked) && time.Since(start) < 30*time.Second; {
		time.Sleep(100 * time.Millisecond)
		w, err = core.Open(project)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rows, err := w.DB().Query(`SELECT customer_id, email_consent FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders) ORDER BY customer_id LIMIT 10`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	consent := map[string]bool{}
	for rows.Next() {
		var id string
		var ok bool
		rows.Scan(&id, &ok)
		ids, consent[id] = append(ids, id), ok
	}
	rows.Close()
	if len(ids) == 0 {
		t.Fatal("the demo has no customer without orders")
	}
	var cols []string
	r, err := w.DB().Query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var c string
		r.Scan(&c)
		cols = append(cols, c)
	}
	r.Close()
	var b strings.Builder
	b.WriteString(strings.Join(cols, ",") + "\n")
	today := time.Now().Format("2006-01-02")
	for _, id := range ids {
		// The demo's order columns: order_id, customer_id, order_date,
		// product_id, quantity, unit_price, amount, channel.
		fmt.Fprintf(&b, "NEW%d-%s,%s,%s,P0001,1,20,20,web\n", round, id, id, today)
	}
	csv := filepath.Join(t.TempDir(), "orders.csv")
	os.WriteFile(csv, []byte(b.String()), 0o644)
	if _, err := w.Import(context.Background(), csv, ingest.Options{Table: "orders", Mode: ingest.Append}); err != nil {
		t.Fatal(err)
	}
	return ids, consent
}

// welcomes counts the welcome messages in the outbox by customer.
func welcomes(t *testing.T, path string) map[string]int {
	t.Helper()
	out := map[string]int{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m struct{ ID, Campaign string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("outbox line %q: %v", sc.Text(), err)
		}
		if m.Campaign == "Welcome new buyers › welcome" {
			out[m.ID]++
		}
	}
	return out
}
