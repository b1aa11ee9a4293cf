package ostimer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The runner's runs are kept one JSON line each beside the project, and
// read back newest last.
func TestRunLog(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	if runs, err := LastRuns(project, 5); err != nil || len(runs) != 0 {
		t.Fatalf("before any run: %v, %v", runs, err)
	}
	at := time.Date(2026, 12, 6, 10, 1, 0, 0, time.FixedZone("CET", 3600))
	for i := range 3 {
		r := RunRecord{Time: at.Add(time.Duration(i) * time.Minute), Duration: 1500 * time.Millisecond, Due: 10 + i, Sent: 8, Skipped: 1, Errors: i, Message: "欢迎旅程: 8 sent"}
		if err := RecordRun(project, r); err != nil {
			t.Fatal(err)
		}
	}
	// A crash in the middle of a line.
	f, _ := os.OpenFile(project+LogSuffix, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-12-06T09:`)
	f.Close()
	runs, err := LastRuns(project, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Due != 11 || runs[1].Due != 12 || runs[1].Errors != 2 {
		t.Fatalf("last 2 runs: %+v", runs)
	}
	if r := runs[1]; !r.Time.Equal(at.Add(2*time.Minute)) || r.Duration != 1500*time.Millisecond || r.Message != "欢迎旅程: 8 sent" || r.Sent != 8 || r.Skipped != 1 {
		t.Errorf("round trip: %+v", r)
	}
	b, _ := os.ReadFile(project + LogSuffix)
	first, _, _ := strings.Cut(string(b), "\n")
	var line map[string]any
	if err := json.Unmarshal([]byte(first), &line); err != nil {
		t.Fatal(err)
	}
	if line["time"] != "2026-12-06T09:01:00Z" || line["duration_seconds"] != 1.5 || line["due"] != 10.0 {
		t.Errorf("a log line: %s", first)
	}
	// A run after the torn line is read again.
	RecordRun(project, RunRecord{Time: at, Due: 99})
	if runs, _ := LastRuns(project, 1); len(runs) != 1 || runs[0].Due != 99 {
		t.Errorf("the run after a torn line is lost: %+v", runs)
	}
}

// The log keeps its newer half once it passes its size limit.
func TestRunLogTrims(t *testing.T) {
	project := filepath.Join(t.TempDir(), "shop.mbproj")
	long := strings.Repeat("x", 4000)
	n := maxLog/4000 + 50
	for i := range n {
		if err := RecordRun(project, RunRecord{Time: time.Unix(int64(i), 0), Due: i, Message: long}); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := os.Stat(project + LogSuffix)
	if st.Size() > maxLog {
		t.Errorf("the log is %d bytes, over its limit %d", st.Size(), maxLog)
	}
	runs, err := LastRuns(project, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) == 0 || len(runs) >= n || runs[len(runs)-1].Due != n-1 {
		t.Errorf("after trimming: %d runs, the last %+v", len(runs), runs[len(runs)-1].Due)
	}
	for i := 1; i < len(runs); i++ {
		if runs[i].Due != runs[i-1].Due+1 {
			t.Fatalf("trimming broke the sequence at %d: %d after %d", i, runs[i].Due, runs[i-1].Due)
		}
	}
}
