// Package seal keeps a project file encrypted at rest with age
// (filippo.io/age). A sealed file is a short Marketbench header followed by
// the project's DuckDB bytes encrypted to the project's own X25519 key:
//
//	marketbench sealed project v1\n
//	{"format":1,"id":"…","key":"passphrase","wrapped_key":"…"}\n
//	<age payload>
//
// The project key is either in the system keyring (key "keyring", found by
// id) or in the header, itself age-encrypted under the user's passphrase
// with scrypt (key "passphrase"). Re-sealing needs only the key's public
// half, so an open project keeps neither the passphrase nor the secret key
// in memory, and re-sealing does not pay for scrypt each time.
package seal

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Magic is a sealed file's first line; it is how Open knows to ask for a key.
const Magic = "marketbench sealed project v1\n"

// Key kinds: where the project key lives.
const (
	Passphrase = "passphrase"
	Keyring    = "keyring"
)

// MinPassphrase is the shortest passphrase Seal accepts.
const MinPassphrase = 8

var (
	// ErrWrongPassphrase: the passphrase does not open this file.
	ErrWrongPassphrase = errors.New(i18n.Mark("the passphrase is wrong"))
	// ErrNotSealed: the file has no seal header.
	ErrNotSealed = errors.New(i18n.Mark("the project is not sealed"))
)

// Header is what a sealed file says about itself in the clear: no data.
type Header struct {
	Format  int    `json:"format"`
	ID      string `json:"id"`  // names the working folder's owner and the keyring entry
	Key     string `json:"key"` // Passphrase or Keyring
	Wrapped string `json:"wrapped_key,omitempty"`
	size    int64  // bytes before the payload
}

// New makes a header and a fresh project key. With Passphrase the key is
// wrapped into the header under pass.
func New(kind, pass string) (*Header, *age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, nil, err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	h := &Header{Format: 1, ID: hex.EncodeToString(b), Key: kind}
	switch kind {
	case Keyring:
	case Passphrase:
		if len([]rune(pass)) < MinPassphrase {
			return nil, nil, i18n.Errorf("the passphrase is too short: use at least %d characters (a few words are easy to remember and hard to guess)", MinPassphrase)
		}
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, nil, err
		}
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, r)
		if err != nil {
			return nil, nil, err
		}
		io.WriteString(w, id.String())
		if err := w.Close(); err != nil {
			return nil, nil, err
		}
		h.Wrapped = base64.StdEncoding.EncodeToString(buf.Bytes())
	default:
		return nil, nil, i18n.Errorf("unknown kind of key %q", kind)
	}
	return h, id, nil
}

// Unwrap opens the project key in the header with the passphrase.
func (h *Header) Unwrap(pass string) (*age.X25519Identity, error) {
	if h.Key != Passphrase {
		return nil, i18n.Errorf("this project is sealed with a key in the system keyring, not a passphrase")
	}
	raw, err := base64.StdEncoding.DecodeString(h.Wrapped)
	if err != nil {
		return nil, i18n.Errorf("the sealed file's header is damaged: %v", err)
	}
	sid, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, err
	}
	r, err := age.Decrypt(bytes.NewReader(raw), sid)
	if err != nil {
		// A tampered header reads the same to the user as a wrong passphrase.
		return nil, ErrWrongPassphrase
	}
	s, err := io.ReadAll(io.LimitReader(r, 1024))
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return ParseKey(string(s))
}

// ParseKey reads a project key kept as text (the keyring's form).
func ParseKey(s string) (*age.X25519Identity, error) {
	id, err := age.ParseX25519Identity(strings.TrimSpace(s))
	if err != nil {
		return nil, i18n.Errorf("the project key is damaged")
	}
	return id, nil
}

// IsSealed reports whether path starts with the seal header.
func IsSealed(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(Magic))
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == Magic
}

// ReadHeader reads a sealed file's header.
func ReadHeader(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, i18n.Errorf("cannot open %s: %v", path, err)
	}
	defer f.Close()
	return readHeader(f, path)
}

func readHeader(f io.Reader, path string) (*Header, error) {
	br := bufio.NewReader(io.LimitReader(f, 64<<10))
	magic, err := br.ReadString('\n')
	if err != nil || magic != Magic {
		return nil, i18n.Errorf("cannot open %s: %w", path, ErrNotSealed)
	}
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, i18n.Errorf("cannot open %s: its seal header is damaged", path)
	}
	var h Header
	if err := json.Unmarshal([]byte(line), &h); err != nil || h.ID == "" || (h.Key != Passphrase && h.Key != Keyring) {
		return nil, i18n.Errorf("cannot open %s: its seal header is damaged", path)
	}
	if h.Format != 1 {
		return nil, i18n.Errorf("cannot open %s: it was sealed by a newer version of Marketbench (seal format %d); update Marketbench", path, h.Format)
	}
	h.size = int64(len(magic) + len(line))
	return &h, nil
}

func (h *Header) bytes() []byte {
	b, _ := json.Marshal(struct {
		Format  int    `json:"format"`
		ID      string `json:"id"`
		Key     string `json:"key"`
		Wrapped string `json:"wrapped_key,omitempty"`
	}{h.Format, h.ID, h.Key, h.Wrapped})
	return append(append([]byte(Magic), b...), '\n')
}

// payload opens a sealed file positioned at its age payload.
func payload(path string) (*os.File, *Header, error) {
	h, err := ReadHeader(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	if _, err := f.Seek(h.size, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, h, nil
}

// Check proves key opens the file's payload without decrypting it.
func Check(path string, key *age.X25519Identity) error {
	f, _, err := payload(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := age.Decrypt(f, key); err != nil {
		return i18n.Errorf("cannot open %s: the key does not fit this sealed file (%v)", path, err)
	}
	return nil
}

// Decrypt writes the project's plain bytes to dst.
func Decrypt(path string, key *age.X25519Identity, dst io.Writer) error {
	f, _, err := payload(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := age.Decrypt(f, key)
	if err != nil {
		return i18n.Errorf("cannot open %s: the key does not fit this sealed file (%v)", path, err)
	}
	if _, err := io.Copy(dst, r); err != nil {
		return i18n.Errorf("cannot open %s: the sealed file is damaged or cut short (%v); restore it from a backup", path, err)
	}
	return nil
}

// DecryptFile writes the plain project to dst (0600), through a ".part"
// file so that dst exists only when it is whole.
func DecryptFile(path string, key *age.X25519Identity, dst string) error {
	part := dst + ".part"
	f, err := os.OpenFile(part, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = Decrypt(path, key, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(part, dst)
	}
	if err != nil {
		os.Remove(part)
	}
	return err
}

// TempPrefix starts the name of a file being sealed beside its target; a
// crash can leave one behind, and it never replaces the sealed file.
const TempPrefix = ".sealing-"

// WriteTemp encrypts src (a whole, closed or checkpointed project file)
// to a temporary file beside dst and syncs it; Commit moves it into place.
// While src is open, a checkpoint may rewrite it during the read; the
// DuckDB headers (its first 12 KiB) are compared before and after, and the
// read is repeated when they changed, so the copy is one consistent
// checkpoint.
func WriteTemp(dst string, h *Header, to age.Recipient, src string) (string, error) {
	var err error
	for range 5 {
		var tmp string
		var same bool
		tmp, same, err = writeTemp(dst, h, to, src)
		if err == nil && same {
			return tmp, nil
		}
		if tmp != "" {
			os.Remove(tmp)
		}
		if err != nil {
			return "", err
		}
	}
	return "", i18n.Errorf("the project kept changing while it was being sealed; try again")
}

const duckHeaders = 3 * 4096

func writeTemp(dst string, h *Header, to age.Recipient, src string) (string, bool, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", false, err
	}
	defer in.Close()
	before := make([]byte, duckHeaders)
	n, _ := io.ReadFull(in, before)
	before = before[:n]
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return "", false, err
	}
	out, err := os.CreateTemp(filepath.Dir(dst), TempPrefix+filepath.Base(dst)+"-*")
	if err != nil {
		return "", false, i18n.Errorf("cannot write beside %s: %v", dst, err)
	}
	tmp := out.Name()
	fail := func(err error) (string, bool, error) {
		out.Close()
		os.Remove(tmp)
		return "", false, err
	}
	if err := out.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := out.Write(h.bytes()); err != nil {
		return fail(err)
	}
	w, err := age.Encrypt(out, to)
	if err != nil {
		return fail(err)
	}
	if _, err := io.Copy(w, in); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := out.Sync(); err != nil {
		return fail(err)
	}
	if err := out.Close(); err != nil {
		return fail(err)
	}
	after := make([]byte, duckHeaders)
	if _, err := in.ReadAt(after[:n], 0); err != nil && !errors.Is(err, io.EOF) {
		os.Remove(tmp)
		return "", false, err
	}
	return tmp, bytes.Equal(before, after[:n]), nil
}

// Commit moves a sealed temp file over dst in one rename and syncs the
// folder: dst is always either the old sealed file or the new one.
func Commit(tmp, dst string) error {
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return i18n.Errorf("cannot replace %s: %v", dst, err)
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Write seals src to dst: WriteTemp then Commit.
func Write(dst string, h *Header, to age.Recipient, src string) error {
	tmp, err := WriteTemp(dst, h, to, src)
	if err != nil {
		return err
	}
	return Commit(tmp, dst)
}

// Verify decrypts the sealed file and compares it with the plain file,
// without writing plaintext anywhere.
func Verify(sealed string, key *age.X25519Identity, plain string) error {
	hs := sha256.New()
	if err := Decrypt(sealed, key, hs); err != nil {
		return err
	}
	f, err := os.Open(plain)
	if err != nil {
		return err
	}
	defer f.Close()
	hp := sha256.New()
	if _, err := io.Copy(hp, f); err != nil {
		return err
	}
	if !bytes.Equal(hs.Sum(nil), hp.Sum(nil)) {
		return i18n.Errorf("the sealed copy of %s does not read back the same; nothing was changed", plain)
	}
	return nil
}
