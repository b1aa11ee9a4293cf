package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"aead.dev/minisign"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// Errors of a registry install; each message says what was found and what
// to do, and nothing is installed.
var (
	// ErrTampered: the archive is not what the index says (checksum, or a
	// manifest asking for other fields or hosts than the index shows).
	ErrTampered = errors.New(i18n.Mark("the archive does not match the registry's index"))
	// ErrSignerChanged: signed by another key than the one you trust.
	ErrSignerChanged = errors.New(i18n.Mark("signed by a different key"))
	// ErrUnsigned: not signed, though earlier versions were.
	ErrUnsigned = errors.New(i18n.Mark("not signed"))
)

// RegistryInstall is a version installed from a registry.
type RegistryInstall struct {
	Found   *Found
	Plugin  RegPlugin
	Version RegVersion
	// SignerKeyID is the key that signed it ("" when unsigned); NewPin is
	// set when this install pinned it (the plugin's first signed install
	// here), so the person is shown the key they now trust.
	SignerKeyID string
	NewPin      bool
}

// SplitRef splits "NAME@VERSION" (the version may be absent).
func SplitRef(ref string) (name, version string) {
	name, version, _ = strings.Cut(ref, "@")
	return name, version
}

// InstallFromRegistry installs ref (an id or name, with @VERSION or the
// newest this Marketbench runs) from the registry folder regDir into
// userDir. The archive must have the index's checksum; a signed one must
// verify with its key, and that key must be the one this user trusts for
// the plugin (pinned on its first signed install); its manifest must ask
// for what the index shows. Only then is it installed, from a private copy
// of the bytes that were checked.
func InstallFromRegistry(regDir, ref, userDir string) (*RegistryInstall, error) {
	ix, err := ReadIndex(regDir, false)
	if err != nil {
		return nil, err
	}
	name, version := SplitRef(ref)
	p, err := ix.Plugin(name)
	if err != nil {
		return nil, err
	}
	v, err := p.Version(version)
	if err != nil {
		return nil, err
	}
	data, err := readArchive(regDir, p.ID, *v)
	if err != nil {
		return nil, err
	}
	var pub *minisign.PublicKey
	if v.Signed() {
		var sig []byte
		if v.Signature != "" {
			if sig, err = os.ReadFile(filepath.Join(regDir, v.Signature)); err != nil {
				return nil, i18n.Errorf("%w: cannot read the signature %s of %s %s: %v", ErrBadSignature, v.Signature, p.ID, v.Version, err)
			}
		}
		k, err := verifySignature(p.ID, *v, data, sig)
		if err != nil {
			return nil, err
		}
		pub = &k
	}
	signers, err := OpenSigners()
	if err != nil {
		return nil, err
	}
	pin, err := signers.Get(p.ID)
	if err != nil {
		return nil, err
	}
	if err := checkSigner(p, *v, pub, pin); err != nil {
		return nil, err
	}
	ext := ""
	for _, e := range []string{".zip", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(strings.ToLower(v.Archive), e) {
			ext = e
		}
	}
	if ext == "" {
		return nil, i18n.Errorf("%s %s in the registry: %s is not a .zip or .tar.gz", p.ID, v.Version, v.Archive)
	}
	m, err := checkArchive(data, ext)
	if err != nil {
		return nil, i18n.Errorf("%s %s in the registry: %w", p.ID, v.Version, err)
	}
	if err := matchesIndex(p.ID, *v, m); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "mb-registry-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	arc := filepath.Join(tmp, "plugin"+ext)
	if err := os.WriteFile(arc, data, 0o600); err != nil {
		return nil, err
	}
	f, err := Install(arc, userDir)
	if err != nil {
		return nil, err
	}
	out := &RegistryInstall{Found: f, Plugin: *p, Version: *v}
	if pub != nil {
		out.SignerKeyID = KeyID(pub.ID())
		if pin == nil {
			if _, err := signers.Pin(p.ID, *pub, v.Version); err != nil {
				return nil, err
			}
			out.NewPin = true
		}
	}
	return out, nil
}

// readArchive reads a version's archive and checks it against the index's
// checksum.
func readArchive(regDir, id string, v RegVersion) ([]byte, error) {
	fh, err := os.Open(filepath.Join(regDir, v.Archive))
	if err != nil {
		return nil, i18n.Errorf("the registry lists %s %s but its archive %s cannot be read: %v", id, v.Version, v.Archive, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limits.total+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limits.total {
		return nil, i18n.Errorf("%s is larger than %d MB", v.Archive, limits.total>>20)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != v.SHA256 {
		return nil, i18n.Errorf("%w: %s %s: the archive %s has sha256 %s but the index says %s; it was changed or damaged after it was published, so nothing was installed (ask the publisher to publish it again)",
			ErrTampered, id, v.Version, v.Archive, got, v.SHA256)
	}
	return data, nil
}

// checkSigner compares a version's signer (pub, nil when unsigned) with the
// key this user trusts for the plugin (pin, nil when none yet) and with the
// registry's earlier versions.
func checkSigner(p *RegPlugin, v RegVersion, pub *minisign.PublicKey, pin *SignerPin) error {
	if pub == nil {
		if pin != nil {
			return i18n.Errorf("%w: %s %s is not signed, but you trust key %s to sign %s (since %s): refused. Ask the publisher to sign it ('marketbench plugin publish … --key')",
				ErrUnsigned, p.ID, v.Version, pin.KeyID, p.ID, pin.At.Format("2006-01-02"))
		}
		var last *RegVersion // the newest earlier signed version
		for i, x := range p.Versions {
			if x.Signed() && CompareSemver(x.Version, v.Version) < 0 && (last == nil || CompareSemver(last.Version, x.Version) < 0) {
				last = &p.Versions[i]
			}
		}
		if last != nil {
			return i18n.Errorf("%w: %s %s is not signed, but its earlier version %s was signed by key %s: refused. Ask the publisher to sign it ('marketbench plugin publish … --key')",
				ErrUnsigned, p.ID, v.Version, last.Version, last.SignerKeyID)
		}
		return nil
	}
	if pin != nil && pin.PublicKey != pub.String() {
		return i18n.Errorf("%w: %s %s is signed by key %s, but you trust key %s to sign %s (pinned %s with version %s): refused, as another key may mean another publisher. If the publisher tells you, by another way than this registry, that they changed keys and that the new public key is %s, trust it with 'marketbench plugin trust-signer %s %s' and install again",
			ErrSignerChanged, p.ID, v.Version, KeyID(pub.ID()), pin.KeyID, p.ID, pin.At.Format("2006-01-02"), pin.Version, pub.String(), p.ID, pub.String())
	}
	return nil
}

// matchesIndex checks that the archive's manifest is the version the index
// describes: what a person saw in 'plugin search' is what they install.
func matchesIndex(id string, v RegVersion, m *sdk.Manifest) error {
	same := func(a, b []string) bool {
		a, b = slices.Clone(a), slices.Clone(b)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	var diffs []string
	if m.ID != id {
		diffs = append(diffs, "id "+m.ID)
	}
	if m.Version != v.Version {
		diffs = append(diffs, "version "+m.Version)
	}
	if !same(m.Fields, v.Fields) {
		diffs = append(diffs, "fields ["+strings.Join(m.Fields, ", ")+"]")
	}
	if !same(m.NetworkHosts, v.NetworkHosts) {
		diffs = append(diffs, "network hosts ["+strings.Join(m.NetworkHosts, ", ")+"]")
	}
	if !same(m.Kinds, v.Kinds) {
		diffs = append(diffs, "kinds ["+strings.Join(m.Kinds, ", ")+"]")
	}
	if m.MinHostVersion != v.MinHostVersion {
		diffs = append(diffs, "min_host_version "+m.MinHostVersion)
	}
	if len(diffs) > 0 {
		return i18n.Errorf("%w: the index entry of %s %s does not describe its archive, whose manifest says %s; the index was changed, so nothing was installed",
			ErrTampered, id, v.Version, strings.Join(diffs, ", "))
	}
	return nil
}

// TrustSigner pins key as the signer of plugin id for this user (replacing
// the key trusted before), and returns the earlier pin (nil if none).
func TrustSigner(id, key string) (*SignerPin, SignerPin, error) {
	if err := sdk.CheckID(id); err != nil {
		return nil, SignerPin{}, err
	}
	pub, err := ParsePublicKey(key)
	if err != nil {
		return nil, SignerPin{}, err
	}
	signers, err := OpenSigners()
	if err != nil {
		return nil, SignerPin{}, err
	}
	old, err := signers.Pin(id, pub, "")
	if err != nil {
		return nil, SignerPin{}, err
	}
	now, err := signers.Get(id)
	if err != nil || now == nil {
		return old, SignerPin{}, err
	}
	return old, *now, nil
}
