package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/marketbench/marketbench/app/core/secretstore"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/seal"
)

// SealKeyName is the keyring entry holding a keyring-sealed project's key;
// the "project" part of the entry is the seal id from the file's header,
// since the project's own id is inside the sealed data.
var SealKeyName = secretstore.Name{Plugin: "marketbench", Component: "seal", Field: "project-key"}

var (
	// ErrNeedPassphrase: the project is sealed with a passphrase and none
	// was given. Match with errors.Is; the error is a *PassphraseError.
	ErrNeedPassphrase = errors.New(i18n.Mark("it is sealed with a passphrase"))
	// ErrWrongPassphrase: the passphrase given does not open it.
	ErrWrongPassphrase = seal.ErrWrongPassphrase
)

// PassphraseError asks for (another) passphrase for a sealed project.
type PassphraseError struct {
	Path  string
	Wrong bool // one was given and it did not fit
}

func (e *PassphraseError) Error() string {
	format, args := e.Message()
	return fmt.Sprintf(format, args...)
}

// Message is the error as a format and its arguments, for i18n.Error.
func (e *PassphraseError) Message() (string, []any) {
	if e.Wrong {
		return i18n.Mark("cannot open %s: the passphrase is wrong; type it again (letters and case must match)"), []any{e.Path}
	}
	return i18n.Mark("cannot open %s: it is sealed with a passphrase; give the passphrase (on the command line: set MARKETBENCH_PASSPHRASE or run it in a terminal to be asked)"), []any{e.Path}
}

func (e *PassphraseError) Is(target error) bool {
	return (target == ErrNeedPassphrase && !e.Wrong) || (target == ErrWrongPassphrase && e.Wrong)
}

// MinPassphrase is the shortest passphrase Seal accepts.
const MinPassphrase = seal.MinPassphrase

// sealing is the state of an open sealed project.
type sealing struct {
	mu     sync.Mutex // one seal at a time; Close waits for a running one
	hdr    *seal.Header
	to     age.Recipient // the public half of the project key
	work   *seal.Work
	last   time.Time // when the sealed file was last written
	closed bool
}

// IsSealed reports whether path is a sealed project file.
func IsSealed(path string) bool { return seal.IsSealed(path) }

// OpenWith opens a project; a sealed one with passphrase, or with its key
// from the system keyring when it was sealed that way (then passphrase is
// ignored). Open is OpenWith without a passphrase.
func OpenWith(path, passphrase string) (*Workspace, error) {
	if !seal.IsSealed(path) {
		return Open(path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	hdr, key, err := unlock(abs, passphrase)
	if err != nil {
		return nil, err
	}
	w, err := openSealed(abs, hdr, key)
	if err != nil {
		return nil, err
	}
	rememberRecent(abs)
	return w, nil
}

// unlock reads the header and finds the project key, checking it fits.
func unlock(path, passphrase string) (*seal.Header, *age.X25519Identity, error) {
	hdr, err := seal.ReadHeader(path)
	if err != nil {
		return nil, nil, err
	}
	var key *age.X25519Identity
	switch hdr.Key {
	case seal.Keyring:
		v, ok, err := secretstore.Get(hdr.ID, SealKeyName)
		if errors.Is(err, ErrNoKeyring) {
			return nil, nil, i18n.Errorf("cannot open %s: it is sealed with a key in the system keyring, and no keyring can be used here; start the desktop's keyring (GNOME Keyring, KWallet, the macOS Keychain) and try again", path)
		}
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			return nil, nil, i18n.Errorf("cannot open %s: it is sealed with a key kept in the system keyring of the computer and account that sealed it, and this keyring does not have it; open it there (and unseal it there to move it)", path)
		}
		if key, err = seal.ParseKey(v); err != nil {
			return nil, nil, err
		}
	default:
		if passphrase == "" {
			return nil, nil, &PassphraseError{Path: path}
		}
		if key, err = hdr.Unwrap(passphrase); errors.Is(err, seal.ErrWrongPassphrase) {
			return nil, nil, &PassphraseError{Path: path, Wrong: true}
		} else if err != nil {
			return nil, nil, err
		}
	}
	if err := seal.Check(path, key); err != nil {
		return nil, nil, err
	}
	return hdr, key, nil
}

// openSealed claims the private folder, recovers a working copy a dead
// process left there (sealing it first, so nothing is lost) or decrypts
// the sealed file into it, and opens the copy.
func openSealed(path string, hdr *seal.Header, key *age.X25519Identity) (*Workspace, error) {
	work, recovered, err := seal.Claim(path, hdr.ID)
	if err != nil {
		return nil, err
	}
	if !recovered {
		os.Remove(work.Copy + ".wal") // a log without its database belongs to nothing
		if err := seal.DecryptFile(path, key, work.Copy); err != nil {
			work.Release(true)
			return nil, err
		}
	}
	p, err := storage.Open(work.Copy)
	if err != nil {
		// A recovered copy may hold the only copy of recent changes: keep it.
		work.Release(!recovered)
		if recovered {
			return nil, i18n.Errorf("cannot open the working copy a crashed Marketbench left in %s: %v; the sealed file %s is unchanged", work.Dir, err, path)
		}
		return nil, err
	}
	w := &Workspace{Project: p, seal: &sealing{hdr: hdr, to: key.Recipient(), work: work}}
	if st, err := os.Stat(path); err == nil {
		w.seal.last = st.ModTime()
	}
	if recovered {
		if err := w.Reseal(context.Background()); err != nil {
			p.Close()
			work.Release(false)
			return nil, i18n.Errorf("cannot seal the working copy a crashed Marketbench left in %s: %v; it is kept there and the sealed file is unchanged", work.Dir, err)
		}
	}
	return w, nil
}

// Sealed reports whether the open project is sealed.
func (w *Workspace) Sealed() bool { return w.seal != nil }

// SealedPath is the sealed file of an open sealed project ("" for a plain
// one); Path is then its working copy.
func (w *Workspace) SealedPath() string {
	if w.seal == nil {
		return ""
	}
	return w.seal.work.Sealed
}

// FilePath is the file the user opened: the sealed file, or Path.
func (w *Workspace) FilePath() string {
	if s := w.SealedPath(); s != "" {
		return s
	}
	return w.Path
}

// Reseal writes the sealed file anew from the working copy: a checkpoint,
// then the copy encrypted to a temporary file beside the sealed one,
// synced, and renamed over it. A crash at any point leaves the last good
// sealed file. A plain project has nothing to do.
func (w *Workspace) Reseal(ctx context.Context) error {
	s := w.seal
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if err := checkpoint(ctx, w.DB()); err != nil {
		return i18n.Errorf("cannot seal %s now: %w", s.work.Sealed, err)
	}
	return s.write()
}

// ErrSealBusy: other work kept writing to the project, so it could not be
// checkpointed for sealing; the next seal (at the latest on close) has it.
var ErrSealBusy = errors.New(i18n.Mark("the project is busy with other changes; it is sealed again when they are done"))

// checkpoint flushes the write-ahead log into the file. A plain CHECKPOINT
// fails while another write transaction runs; FORCE CHECKPOINT would hold
// every new query until that work ends, so it is retried for a while.
func checkpoint(ctx context.Context, db *sql.DB) error {
	for try := 0; ; try++ {
		_, err := db.ExecContext(ctx, `CHECKPOINT`)
		if err == nil || !strings.Contains(err.Error(), "other write transactions") {
			return err
		}
		if try == 40 {
			return ErrSealBusy
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *sealing) write() error {
	if err := seal.Write(s.work.Sealed, s.hdr, s.to, s.work.Copy); err != nil {
		return err
	}
	s.last = time.Now()
	return nil
}

// closeFile closes the project file (Close, in plugins.go, calls it). A
// sealed project is checkpointed, sealed and its private folder deleted;
// if sealing fails the folder is kept, and the next open seals from it.
func (w *Workspace) closeFile() error {
	s := w.seal
	if s == nil {
		return w.Project.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := w.Project.Close(); err != nil {
		s.work.Release(false)
		return i18n.Errorf("cannot close %s: %v; its working copy stays in %s and is sealed the next time it is opened", s.work.Sealed, err, s.work.Dir)
	}
	if err := s.write(); err != nil {
		s.work.Release(false)
		return i18n.Errorf("cannot seal %s: %v; its working copy stays in %s and is sealed the next time it is opened", s.work.Sealed, err, s.work.Dir)
	}
	return s.work.Release(true)
}

// Name is the project's name: the sealed file's for a sealed project (its
// working copy has a fixed name).
func (w *Workspace) Name() string {
	if s := w.SealedPath(); s != "" {
		return strings.TrimSuffix(filepath.Base(s), storage.Ext)
	}
	return w.Project.Name()
}
