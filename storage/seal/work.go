package seal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// Work is a sealed project's private working folder while this process
// has it open: the plain copy DuckDB works on, a lock the operating system
// drops when the process dies (even by kill -9), and owner.json naming the
// process and the sealed file, for recovery and for "who has it open".
type Work struct {
	Dir    string
	Copy   string // the plain project DuckDB opens
	Sealed string // the sealed file's absolute path
	lock   *flock.Flock
}

// Owner is what owner.json says.
type Owner struct {
	PID     int       `json:"pid"`
	Sealed  string    `json:"sealed"`
	ID      string    `json:"id"`
	Started time.Time `json:"started"`
}

const (
	copyName  = "project" + storage.Ext
	lockName  = "lock"
	ownerName = "owner.json"
)

// in-process claims: the OS lock may not stop a second claim from the same
// process on every platform.
var (
	mu   sync.Mutex
	held = map[string]bool{}
)

// Base is where working folders live: under $XDG_RUNTIME_DIR when set (on
// Linux a memory-backed tmpfs private to the user, emptied at logout),
// else the user's cache folder.
func Base() (string, error) {
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "marketbench-sealed"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", i18n.Errorf("no private folder to open a sealed project in: %v", err)
	}
	return filepath.Join(d, "marketbench", "sealed"), nil
}

// DirFor is the working folder of a sealed file (by its absolute path).
func DirFor(sealed string) (string, error) {
	base, err := Base()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(sealed))
	return filepath.Join(base, hex.EncodeToString(sum[:8])), nil
}

// private makes dir (0700) and refuses one that others can enter.
func private(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return i18n.Errorf("cannot make the private folder %s: %v", dir, err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return i18n.Errorf("cannot make %s private: %v", dir, err)
	}
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() {
		return i18n.Errorf("%s is not a private folder; remove it and try again", dir)
	}
	return nil
}

// Claim takes the working folder of a sealed file for this process.
// Recovered says a whole working copy was left there by a process that
// died: it holds the newest data and must be sealed before anything else.
func Claim(sealed, id string) (w *Work, recovered bool, err error) {
	dir, err := DirFor(sealed)
	if err != nil {
		return nil, false, err
	}
	base, _ := Base()
	if err := private(base); err != nil {
		return nil, false, err
	}
	if err := private(dir); err != nil {
		return nil, false, err
	}
	mu.Lock()
	defer mu.Unlock()
	if held[dir] {
		return nil, false, i18n.Errorf("cannot open %s: it is already %w", sealed, storage.ErrLocked)
	}
	fl := flock.New(filepath.Join(dir, lockName), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, false, i18n.Errorf("cannot lock %s: %v", dir, err)
	}
	if !ok {
		o, _ := readOwner(dir)
		return nil, false, i18n.Errorf("cannot open %s: it is %w (process %d); close it there first", sealed, storage.ErrLocked, o.PID)
	}
	w = &Work{Dir: dir, Copy: filepath.Join(dir, copyName), Sealed: sealed, lock: fl}
	os.Remove(w.Copy + ".part") // a decryption that never finished
	if _, err := os.Stat(w.Copy); err == nil {
		recovered = true
		if o, err := readOwner(dir); err == nil && o.ID != "" && o.ID != id {
			fl.Unlock()
			return nil, false, i18n.Errorf("cannot open %s: %s holds the unsealed copy of another sealed project (%s); open that one first so it is sealed again", sealed, dir, o.Sealed)
		}
	}
	b, _ := json.Marshal(Owner{PID: os.Getpid(), Sealed: sealed, ID: id, Started: time.Now().UTC()})
	if err := os.WriteFile(filepath.Join(dir, ownerName), b, 0o600); err != nil {
		fl.Unlock()
		return nil, false, i18n.Errorf("cannot write in %s: %v", dir, err)
	}
	held[dir] = true
	return w, recovered, nil
}

// Release gives the folder up; with remove it deletes it and all in it
// (the plain copy, its write-ahead log, DuckDB's spill files).
func (w *Work) Release(remove bool) error {
	mu.Lock()
	defer mu.Unlock()
	var err error
	if remove {
		err = os.RemoveAll(w.Dir)
	}
	w.lock.Unlock()
	delete(held, w.Dir)
	return err
}

func readOwner(dir string) (Owner, error) {
	var o Owner
	b, err := os.ReadFile(filepath.Join(dir, ownerName))
	if err == nil {
		err = json.Unmarshal(b, &o)
	}
	return o, err
}

// State is what is in a sealed file's working folder now.
type State struct {
	Dir      string
	Open     bool // a live process has it open
	PID      int  // its owner, when known
	Leftover bool // a working copy left by a process that died
}

// Inspect looks at a sealed file's working folder without claiming it.
func Inspect(sealed string) (State, error) {
	dir, err := DirFor(sealed)
	if err != nil {
		return State{}, err
	}
	s := State{Dir: dir}
	if _, err := os.Stat(dir); err != nil {
		return s, nil
	}
	o, _ := readOwner(dir)
	s.PID = o.PID
	mu.Lock()
	mine := held[dir]
	mu.Unlock()
	if mine {
		s.Open = true
		return s, nil
	}
	fl := flock.New(filepath.Join(dir, lockName), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	if ok, err := fl.TryLock(); err == nil && !ok {
		s.Open = true
		return s, nil
	} else if ok {
		fl.Unlock()
	}
	if _, err := os.Stat(filepath.Join(dir, copyName)); err == nil {
		s.Leftover = true
	}
	return s, nil
}
