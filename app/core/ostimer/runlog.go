package ostimer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// LogSuffix names the runner's log: the project's path plus LogSuffix.
const LogSuffix = ".automate.log"

// maxLog is the size past which the log keeps only its newer half: a run
// a minute writes a line a minute.
const maxLog = 1 << 20

// RunRecord is one run of the automation runner, as it records it.
type RunRecord struct {
	Time     time.Time
	Duration time.Duration
	Due      int
	Sent     int
	Skipped  int
	Errors   int
	Message  string
}

// runLine is a RunRecord as one line of the log.
type runLine struct {
	Time    time.Time `json:"time"`
	Seconds float64   `json:"duration_seconds"`
	Due     int       `json:"due"`
	Sent    int       `json:"sent"`
	Skipped int       `json:"skipped"`
	Errors  int       `json:"errors"`
	Message string    `json:"message"`
}

// MarshalJSON writes the record as the log and --json show it: snake_case
// keys, the time in UTC, the duration in seconds.
func (r RunRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal(runLine{Time: r.Time.UTC(), Seconds: r.Duration.Seconds(), Due: r.Due, Sent: r.Sent, Skipped: r.Skipped, Errors: r.Errors, Message: r.Message})
}

func (r *RunRecord) UnmarshalJSON(b []byte) error {
	var l runLine
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*r = RunRecord{Time: l.Time, Duration: time.Duration(l.Seconds * float64(time.Second)), Due: l.Due, Sent: l.Sent, Skipped: l.Skipped, Errors: l.Errors, Message: l.Message}
	return nil
}

func logPath(projectPath string) (string, error) {
	abs, err := filepath.Abs(projectPath)
	if err != nil {
		return "", i18n.Errorf("cannot find the project %s: %w", projectPath, err)
	}
	return abs + LogSuffix, nil
}

// RecordRun appends one run to the log beside the project (one JSON line).
// The runner calls it while it holds the runner lock, so lines never
// interleave.
func RecordRun(projectPath string, r RunRecord) error {
	path, err := logPath(projectPath)
	if err != nil {
		return err
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return i18n.Errorf("cannot write the automation log %s: %w; check that its folder is writable", path, err)
	}
	line = append(line, '\n')
	// A run killed mid-line leaves no line end: this run starts a fresh line.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	_, err = f.Write(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return i18n.Errorf("cannot write the automation log %s: %w; check that its folder is writable", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Size() > maxLog {
		return trim(path)
	}
	return nil
}

// trim keeps the newer half of the log, replacing the file whole so that a
// crash leaves the old or the new one.
func trim(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	keep := b[len(b)/2:]
	if i := bytes.IndexByte(keep, '\n'); i >= 0 {
		keep = keep[i+1:]
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, keep, 0o644); err != nil {
		return i18n.Errorf("cannot write the automation log %s: %w; check that its folder is writable", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return i18n.Errorf("cannot write the automation log %s: %w; check that its folder is writable", path, err)
	}
	return nil
}

// LastRuns returns the last n runs in the log, oldest first; none when the
// runner has not run. A line a crash cut short is skipped.
func LastRuns(projectPath string, n int) ([]RunRecord, error) {
	path, err := logPath(projectPath)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return []RunRecord{}, nil
	}
	if err != nil {
		return nil, i18n.Errorf("cannot read the automation log %s: %w", path, err)
	}
	defer f.Close()
	runs := []RunRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLog)
	for sc.Scan() {
		var r RunRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil {
			runs = append(runs, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, i18n.Errorf("cannot read the automation log %s: %w", path, err)
	}
	if n >= 0 && len(runs) > n {
		runs = runs[len(runs)-n:]
	}
	return runs, nil
}
