package host

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aead.dev/minisign"

	"github.com/marketbench/marketbench/assets/i18n"
)

// SignerPin is the key this user trusts to sign a plugin: the key of the
// first signed version they installed (trust on first use), or one they
// chose with 'plugin trust-signer'. Like approvals it belongs to the
// person, on this computer, not to a project or a registry.
type SignerPin struct {
	ID        string    `json:"id"`
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key"`
	Version   string    `json:"version,omitempty"` // the version that was installed when pinned
	At        time.Time `json:"pinned_at"`
}

// Signers is the file of this user's signer pins:
// <config dir>/plugin-signers.json.
type Signers struct{ path string }

type signersFile struct {
	Signers []SignerPin `json:"signers"`
}

// OpenSigners returns this user's signer pins.
func OpenSigners() (*Signers, error) {
	d, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	return &Signers{path: filepath.Join(d, "plugin-signers.json")}, nil
}

func (s *Signers) read() ([]SignerPin, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.Errorf("cannot read your trusted plugin signers: %v", err)
	}
	var f signersFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, i18n.Errorf("your trusted plugin signers (%s) are damaged (%v); fix or remove the file", s.path, err)
	}
	return f.Signers, nil
}

// Get returns the pin of plugin id, or nil.
func (s *Signers) Get(id string) (*SignerPin, error) {
	list, err := s.read()
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.ID == id {
			return &p, nil
		}
	}
	return nil, nil
}

// Pin records key as the signer of plugin id, replacing any earlier pin,
// and returns the pin it replaced (nil if none).
func (s *Signers) Pin(id string, key minisign.PublicKey, version string) (*SignerPin, error) {
	list, err := s.read()
	if err != nil {
		return nil, err
	}
	var old *SignerPin
	if i := slices.IndexFunc(list, func(p SignerPin) bool { return p.ID == id }); i >= 0 {
		o := list[i]
		old = &o
		list = slices.Delete(list, i, i+1)
	}
	list = append(list, SignerPin{ID: id, KeyID: KeyID(key.ID()), PublicKey: key.String(), Version: version, At: time.Now().UTC().Truncate(time.Second)})
	slices.SortFunc(list, func(a, b SignerPin) int { return strings.Compare(a.ID, b.ID) })
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, i18n.Errorf("cannot save the trusted signer: %v", err)
	}
	b, _ := json.MarshalIndent(signersFile{Signers: list}, "", "  ")
	if err := writeAtomic(s.path, append(b, '\n'), 0o600); err != nil {
		return nil, i18n.Errorf("cannot save the trusted signer: %v", err)
	}
	return old, nil
}
