package core

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/marketbench/marketbench/app/core/secretstore"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/seal"
)

// SealOptions chooses the key of a new seal: the system keyring, or a
// passphrase.
type SealOptions struct {
	Keyring    bool
	Passphrase string
}

// SealStatus says whether a project file is sealed and where its parts are.
type SealStatus struct {
	Path     string    // the project file
	Sealed   bool      // it is a sealed file
	Key      string    // "passphrase" or "keyring"
	SealedAt time.Time // when the sealed file was last written
	WorkDir  string    // its private working folder
	Open     bool      // a Marketbench process has it open now
	PID      int       // that process, when known
	Leftover bool      // a crashed process left a working copy; the next open seals it
}

// SealInfo reads a project file's seal status without any key.
func SealInfo(path string) (*SealStatus, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, i18n.Errorf("cannot open %s: %w; check the path", path, storage.ErrNotFound)
	}
	out := &SealStatus{Path: abs}
	if !seal.IsSealed(abs) {
		return out, nil
	}
	hdr, err := seal.ReadHeader(abs)
	if err != nil {
		return nil, err
	}
	ws, err := seal.Inspect(abs)
	if err != nil {
		return nil, err
	}
	out.Sealed, out.Key, out.SealedAt = true, hdr.Key, st.ModTime()
	out.WorkDir, out.Open, out.PID, out.Leftover = ws.Dir, ws.Open, ws.PID, ws.Leftover
	return out, nil
}

// SealStatus is the open project's seal status.
func (w *Workspace) SealStatus() *SealStatus {
	s := w.seal
	if s == nil {
		return &SealStatus{Path: w.Path}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &SealStatus{Path: s.work.Sealed, Sealed: true, Key: s.hdr.Key, SealedAt: s.last, WorkDir: s.work.Dir, Open: true, PID: os.Getpid()}
}

// Seal turns a plain project file (closed) into a sealed one in place: the
// project is encrypted to a temporary file beside it, read back and
// compared, and only then renamed over the plain file. The plain bytes
// may survive in the disk's free blocks; sealing a project before
// importing personal data avoids that.
func Seal(ctx context.Context, path string, o SealOptions) (*SealStatus, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if seal.IsSealed(abs) {
		return nil, i18n.Errorf("%s is already sealed; see 'marketbench privacy seal --status'", path)
	}
	// Opening checks it is a project this version reads (and upgrades
	// it); closing checkpoints it, so the file alone is the whole project.
	p, err := storage.Open(abs)
	if err != nil {
		return nil, err
	}
	if err := p.Close(); err != nil {
		return nil, err
	}
	kind := seal.Passphrase
	if o.Keyring {
		kind = seal.Keyring
	}
	hdr, key, err := seal.New(kind, o.Passphrase)
	if err != nil {
		return nil, err
	}
	if o.Keyring {
		err := secretstore.Set(hdr.ID, SealKeyName, key.String())
		if errors.Is(err, ErrNoKeyring) {
			return nil, i18n.Errorf("no system keyring can be used here, so the key cannot be kept in it; nothing was changed: seal with a passphrase instead, or start the desktop's keyring and try again")
		}
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	tmp, err := seal.WriteTemp(abs, hdr, key.Recipient(), abs)
	if err != nil {
		return nil, err
	}
	// Read back what a later open will read: the key as stored, the bytes.
	_, back, err := unlock(tmp, o.Passphrase)
	if err == nil {
		err = seal.Verify(tmp, back, abs)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, i18n.Errorf("the sealed copy did not read back, so %s was left as it was: %v", path, err)
	}
	if err := seal.Commit(tmp, abs); err != nil {
		return nil, err
	}
	os.Remove(abs + ".wal")
	return SealInfo(abs)
}

// Unseal turns a sealed project back into a plain project file in place
// (a working copy a crash left behind is sealed first, so nothing is
// lost). A keyring key stays in the keyring, so older sealed copies of the
// project, such as backups, still open.
func Unseal(ctx context.Context, path, passphrase string) (*SealStatus, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if !seal.IsSealed(abs) {
		return nil, i18n.Errorf("%s is not sealed", path)
	}
	w, err := OpenWith(abs, passphrase)
	if err != nil {
		return nil, err
	}
	s := w.seal
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if err := w.Project.Close(); err != nil {
		s.work.Release(false)
		return nil, err
	}
	// The sealed file already holds everything in the copy: on any error
	// below, dropping the folder loses nothing.
	defer s.work.Release(true)
	if err := ctx.Err(); err != nil {
		return nil, ErrCancelled
	}
	tmp := filepath.Join(filepath.Dir(abs), ".unsealing-"+filepath.Base(abs))
	os.Remove(tmp) // left by a crash
	if err := copyFile(s.work.Copy, tmp); err != nil {
		os.Remove(tmp)
		return nil, i18n.Errorf("cannot write beside %s: %v; it stays sealed", path, err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		os.Remove(tmp)
		return nil, i18n.Errorf("cannot replace %s: %v; it stays sealed", path, err)
	}
	return &SealStatus{Path: abs}, nil
}

// copyFile copies src to a new dst (0600) and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
