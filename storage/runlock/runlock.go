// Package runlock keeps one automation runner per project at a time: an
// exclusive lock held by the operating system on a file beside the project,
// which also says who holds it. The OS drops the lock when the holder dies
// (even by kill -9), so a file left behind never blocks the next runner.
package runlock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Suffix names the lock file: the project's path plus Suffix.
const Suffix = ".runner.lock"

// header is the lock file's first line. The holder's details follow it:
// on Windows the lock is a mandatory lock on the file's first byte, which
// nobody else may read, so the details must start after it.
const header = "marketbench automation runner lock\n"

// Holder says who holds a project's lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Who     string    `json:"who"`
	Started time.Time `json:"started"`
}

// Lock is a held runner lock; Release gives it up.
type Lock struct {
	path   string
	fl     *flock.Flock
	Holder Holder
}

// HeldError: another runner holds the lock. Holder is zero when the holder
// has not written its details yet.
type HeldError struct {
	Path   string
	Holder Holder
}

func (e *HeldError) Error() string {
	format, args := e.Message()
	return fmt.Sprintf(format, args...)
}

// Message is the error as a format and its arguments, which i18n.Error
// translates.
func (e *HeldError) Message() (string, []any) {
	h := e.Holder
	since := h.Started.Local().Format("2006-01-02 15:04")
	switch {
	case h.PID == 0:
		return i18n.Mark("the automation runner is already running for this project (it has just started); this run exits"), nil
	case h.Host != "" && h.Host != hostname():
		return i18n.Mark("the automation runner (pid %d on %s, '%s', since %s) is already running for this project; this run exits"),
			[]any{h.PID, h.Host, h.Who, since}
	}
	return i18n.Mark("the automation runner (pid %d, '%s', since %s) is already running for this project; this run exits"),
		[]any{h.PID, h.Who, since}
}

// held are the lock files this process holds. flock(2) already refuses a
// second lock through another descriptor, but not every platform's lock
// does (fcntl locks belong to the process), so the rule "a second Acquire
// in the same process fails" is kept here for all.
var (
	mu   sync.Mutex
	held = map[string]bool{}
)

// Path returns the lock file of a project.
func Path(projectPath string) (string, error) {
	abs, err := filepath.Abs(projectPath)
	if err != nil {
		return "", i18n.Errorf("cannot find the project %s: %w", projectPath, err)
	}
	return abs + Suffix, nil
}

// Acquire takes the project's runner lock for who (what runs: a command
// line or "the Marketbench window"), or fails at once with a *HeldError
// when another runner holds it.
func Acquire(projectPath, who string) (*Lock, error) {
	path, err := Path(projectPath)
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if held[path] {
		h, _ := Read(projectPath)
		return nil, &HeldError{Path: path, Holder: h}
	}
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o644))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, i18n.Errorf("cannot lock %s for the automation runner: %w; check that its folder is writable", path, err)
	}
	if !ok {
		h, _ := Read(projectPath)
		return nil, &HeldError{Path: path, Holder: h}
	}
	l := &Lock{path: path, fl: fl, Holder: Holder{PID: os.Getpid(), Host: hostname(), Who: who, Started: time.Now().Truncate(time.Second)}}
	if err := l.write(); err != nil {
		fl.Unlock()
		return nil, i18n.Errorf("cannot write who runs the automation to %s: %w; check that its folder is writable", path, err)
	}
	held[path] = true
	return l, nil
}

// write puts the holder's details after the header, replacing what a
// previous (perhaps killed) holder left there.
func (l *Lock) write() error {
	b, err := json.Marshal(l.Holder)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	// The first byte is written only when the file is new: on Windows it is
	// the locked byte.
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		if _, err := f.WriteAt([]byte(header[:1]), 0); err != nil {
			return err
		}
	}
	body := append([]byte(header[1:]), append(b, '\n')...)
	if _, err := f.WriteAt(body, 1); err != nil {
		return err
	}
	return f.Truncate(int64(1 + len(body)))
}

// Release gives up the lock. The file stays (removing it would let a
// runner that opened it just before lock a file nobody else sees); its
// details are cleared so it no longer names a holder.
func (l *Lock) Release() error {
	if l == nil || l.fl == nil {
		return nil
	}
	mu.Lock()
	defer mu.Unlock()
	if f, err := os.OpenFile(l.path, os.O_WRONLY, 0); err == nil {
		f.Truncate(int64(len(header)))
		f.Close()
	}
	err := l.fl.Unlock()
	delete(held, l.path)
	l.fl = nil
	if err != nil {
		return i18n.Errorf("cannot release the automation runner's lock %s: %w", l.path, err)
	}
	return nil
}

// Read returns the holder named in a project's lock file: the holder when
// the lock is held, the last one (or nobody) when it is not. Whether the
// lock is held only Acquire can tell.
func Read(projectPath string) (Holder, error) {
	path, err := Path(projectPath)
	if err != nil {
		return Holder{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Holder{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() <= 1 {
		return Holder{}, err
	}
	b := make([]byte, st.Size()-1)
	n, err := f.ReadAt(b, 1)
	if err != nil && n == 0 {
		return Holder{}, err
	}
	b = b[:n]
	var h Holder
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if last := lines[len(lines)-1]; bytes.HasPrefix(last, []byte("{")) {
		if err := json.Unmarshal(last, &h); err != nil {
			return Holder{}, err
		}
	}
	return h, nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}

// IsHeld reports whether err says another runner holds the lock.
func IsHeld(err error) bool {
	var h *HeldError
	return errors.As(err, &h)
}
