package host

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"aead.dev/minisign"

	"github.com/marketbench/marketbench/sdk"
)

const regID = "example.com/filechannel"

// regPlugin lays out a real plugin folder (the filechannel example's
// program) at version with the given customer fields.
func regPlugin(t *testing.T, version string, fields ...string) string {
	t.Helper()
	return pluginDir(t, t.TempDir(), regID, bins.file, func(m *sdk.Manifest) {
		m.Version, m.Fields = version, fields
		m.Name, m.Description, m.Publisher = "File channel", "Writes messages to a file", "Example Ltd"
	})
}

func readIndexT(t *testing.T, reg string) *Index {
	t.Helper()
	ix, err := ReadIndex(reg, false)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// editIndex changes the registry's index.json in place, as someone with
// write access to the shared folder could.
func editIndex(t *testing.T, reg string, edit func(*Index)) {
	t.Helper()
	ix := readIndexT(t, reg)
	edit(ix)
	if err := writeIndex(reg, ix); err != nil {
		t.Fatal(err)
	}
}

func entry(ix *Index, version string) *RegVersion {
	p, _ := ix.Plugin(regID)
	v, _ := p.Version(version)
	return v
}

func keygen(t *testing.T, name string) (string, minisign.PublicKey) {
	t.Helper()
	key := filepath.Join(t.TempDir(), name+".key")
	pub, pubPath, err := Keygen(key)
	if err != nil {
		t.Fatal(err)
	}
	if pubPath != filepath.Join(filepath.Dir(key), name+".pub") {
		t.Fatalf("public key at %s", pubPath)
	}
	return key, pub
}

// Two signed versions published from folders; install by name, by
// @version, and the newest; the first signed install pins the key.
func TestRegistryPublishAndInstall(t *testing.T) {
	t.Setenv(ConfigDirEnv, t.TempDir())
	reg, user := filepath.Join(t.TempDir(), "shared-drive"), t.TempDir()
	key, pub := keygen(t, "team")
	if st, err := os.Stat(key); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Fatalf("secret key file: %v %v", st.Mode(), err)
	}
	if _, _, err := Keygen(key); err == nil || !strings.Contains(err.Error(), "never replaces a key") {
		t.Fatalf("keygen over an existing key: %v", err)
	}

	v1 := regPlugin(t, "1.0.0", "email")
	p1, err := Publish(v1, reg, PublishOptions{Key: key, Changelog: "First release."})
	if err != nil {
		t.Fatal(err)
	}
	if p1.Already || p1.Version.SignerKeyID != KeyID(pub.ID()) || p1.Version.Signature == "" {
		t.Fatalf("published %+v", p1)
	}
	// The same folder again packs to the same bytes: nothing changes.
	if again, err := Publish(v1, reg, PublishOptions{Key: key}); err != nil || !again.Already || again.Version.SHA256 != p1.Version.SHA256 {
		t.Fatalf("republishing the same build: %+v %v", again, err)
	}
	if _, err := Publish(regPlugin(t, "1.1.0", "email", "first_name"), reg, PublishOptions{Key: key, Changelog: "Greets by first name."}); err != nil {
		t.Fatal(err)
	}
	// A published version never changes.
	changed := pluginDir(t, t.TempDir(), regID, bins.file, func(m *sdk.Manifest) { m.Version, m.Description = "1.0.0", "another build" })
	if _, err := Publish(changed, reg, PublishOptions{Key: key}); err == nil || !strings.Contains(err.Error(), "already in the registry with other bytes") {
		t.Fatalf("overwriting 1.0.0: %v", err)
	}

	// Publish checks the archive as install would.
	badSum := pluginDir(t, t.TempDir(), regID, bins.file, func(m *sdk.Manifest) {
		m.Version, m.Binaries[Platform()] = "1.2.0", sdk.Binary{Path: "filechannel", SHA256: strings.Repeat("0", 64)}
	})
	if _, err := Publish(badSum, reg, PublishOptions{Key: key}); !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), "but plugin.json says "+strings.Repeat("0", 64)) {
		t.Fatalf("publishing a wrong checksum: %v", err)
	}

	ix := readIndexT(t, reg)
	p, err := ix.Plugin("filechannel")
	if err != nil || p.Name != "File channel" || !slices.Equal(p.VersionList(), []string{"1.0.0", "1.1.0"}) || p.Latest().Changelog != "Greets by first name." {
		t.Fatalf("index: %+v %v", p, err)
	}
	// The signature is minisign's: the library verifies it on its own.
	v := entry(ix, "1.0.0")
	data, _ := os.ReadFile(filepath.Join(reg, v.Archive))
	sig, _ := os.ReadFile(filepath.Join(reg, v.Signature))
	if !minisign.Verify(pub, data, sig) {
		t.Fatal("minisign does not verify the archive's signature")
	}
	var s minisign.Signature
	if s.UnmarshalText(sig) != nil || s.Algorithm != minisign.HashEdDSA || !strings.Contains(s.TrustedComment, "plugin:"+regID+"@1.0.0") {
		t.Fatalf("signature %+v", s)
	}

	got, err := InstallFromRegistry(reg, "filechannel@1.0.0", user)
	if err != nil {
		t.Fatal(err)
	}
	if got.Found.Manifest.Version != "1.0.0" || !got.NewPin || got.SignerKeyID != KeyID(pub.ID()) {
		t.Fatalf("install @1.0.0: %+v", got)
	}
	signers, _ := OpenSigners()
	if pin, _ := signers.Get(regID); pin == nil || pin.PublicKey != pub.String() || pin.Version != "1.0.0" {
		t.Fatalf("pin %+v", pin)
	}
	got, err = InstallFromRegistry(reg, regID, user)
	if err != nil || got.Found.Manifest.Version != "1.1.0" || got.NewPin {
		t.Fatalf("install newest: %+v %v", got, err)
	}
	if n := len(Discover(user, "")); n != 2 {
		t.Fatalf("%d installed versions, want 2", n)
	}
	if _, err := InstallFromRegistry(reg, "filechannel@9.9.9", user); err == nil || !strings.Contains(err.Error(), "has 1.0.0, 1.1.0") {
		t.Fatalf("missing version: %v", err)
	}
}

// Every way the shared folder can lie is refused with words that say
// what was found, and nothing is installed.
func TestRegistryRefusals(t *testing.T) {
	key, pub := keygen(t, "team")
	other, otherPub := keygen(t, "intruder")
	// Two signed versions, published once and copied for each case.
	template := t.TempDir()
	for _, v := range []string{"1.0.0", "1.1.0"} {
		if _, err := Publish(regPlugin(t, v, "email"), template, PublishOptions{Key: key}); err != nil {
			t.Fatal(err)
		}
	}
	setup := func(t *testing.T) (reg, user string) {
		t.Setenv(ConfigDirEnv, t.TempDir())
		reg, user = t.TempDir(), t.TempDir()
		if err := os.CopyFS(reg, os.DirFS(template)); err != nil {
			t.Fatal(err)
		}
		return reg, user
	}
	nothingInstalled := func(t *testing.T, user string) {
		t.Helper()
		if found := Discover(user, ""); len(found) != 0 {
			t.Errorf("something was installed: %+v", found)
		}
	}

	t.Run("tampered archive", func(t *testing.T) {
		reg, user := setup(t)
		v := entry(readIndexT(t, reg), "1.1.0")
		path := filepath.Join(reg, v.Archive)
		b, _ := os.ReadFile(path)
		b[len(b)/2] ^= 0xff
		os.WriteFile(path, b, 0o644)
		_, err := InstallFromRegistry(reg, regID, user)
		if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "but the index says "+v.SHA256) || !strings.Contains(err.Error(), "nothing was installed") {
			t.Fatalf("tampered archive: %v", err)
		}
		nothingInstalled(t, user)
	})
	t.Run("swapped archive", func(t *testing.T) {
		reg, user := setup(t)
		// Another build, published elsewhere, put in 1.1.0's place with
		// the index's checksum fixed to match: only the signature tells.
		elsewhere := t.TempDir()
		evil, err := Publish(pluginDir(t, t.TempDir(), regID, bins.misbehave, func(m *sdk.Manifest) { m.Version, m.Fields = "1.1.0", []string{"email"} }), elsewhere, PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v := entry(readIndexT(t, reg), "1.1.0")
		copyFile(t, filepath.Join(elsewhere, evil.Version.Archive), filepath.Join(reg, v.Archive))
		editIndex(t, reg, func(ix *Index) { entry(ix, "1.1.0").SHA256 = evil.Version.SHA256 })
		if _, err := InstallFromRegistry(reg, regID, user); !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "changed after signing") {
			t.Fatalf("swapped archive: %v", err)
		}
		nothingInstalled(t, user)
	})
	t.Run("tampered index entry", func(t *testing.T) {
		reg, user := setup(t)
		// The index hides that the plugin receives e-mail addresses.
		editIndex(t, reg, func(ix *Index) { entry(ix, "1.1.0").Fields = []string{} })
		_, err := InstallFromRegistry(reg, regID, user)
		if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "fields [email]") || !strings.Contains(err.Error(), "the index was changed") {
			t.Fatalf("tampered index: %v", err)
		}
		// An entry naming a file outside the registry folder.
		editIndex(t, reg, func(ix *Index) { entry(ix, "1.1.0").Archive = "../elsewhere.tar.gz" })
		if _, err := InstallFromRegistry(reg, regID, user); err == nil || !strings.Contains(err.Error(), "is not a file name in the registry folder") {
			t.Fatalf("archive outside the registry: %v", err)
		}
		nothingInstalled(t, user)
	})
	t.Run("tampered signature", func(t *testing.T) {
		reg, user := setup(t)
		ix := readIndexT(t, reg)
		// 1.0.0's signature in 1.1.0's place: a real signature by the
		// right key, of other bytes.
		copyFile(t, filepath.Join(reg, entry(ix, "1.0.0").Signature), filepath.Join(reg, entry(ix, "1.1.0").Signature))
		if _, err := InstallFromRegistry(reg, regID, user); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("another version's signature: %v", err)
		}
		// The index names another key than the one that signed.
		editIndex(t, reg, func(ix *Index) {
			v := entry(ix, "1.0.0")
			v.SignerKeyID, v.SignerPublicKey = KeyID(otherPub.ID()), otherPub.String()
		})
		if _, err := InstallFromRegistry(reg, regID+"@1.0.0", user); !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "not the key "+KeyID(otherPub.ID())) {
			t.Fatalf("index naming another key: %v", err)
		}
		nothingInstalled(t, user)
	})
	t.Run("changed signer", func(t *testing.T) {
		reg, user := setup(t)
		if _, err := InstallFromRegistry(reg, regID, user); err != nil {
			t.Fatal(err)
		}
		p, err := Publish(regPlugin(t, "1.2.0", "email"), reg, PublishOptions{Key: other})
		if err != nil || p.PreviousKeyID != KeyID(pub.ID()) {
			t.Fatalf("publishing with another key: %+v %v", p, err)
		}
		_, err = InstallFromRegistry(reg, regID, user)
		if !errors.Is(err, ErrSignerChanged) || !strings.Contains(err.Error(), "signed by key "+KeyID(otherPub.ID())) ||
			!strings.Contains(err.Error(), "you trust key "+KeyID(pub.ID())) || !strings.Contains(err.Error(), "plugin trust-signer "+regID) {
			t.Fatalf("changed signer: %v", err)
		}
		if len(Discover(user, "")) != 1 {
			t.Fatal("1.2.0 was installed")
		}
		// The person checks with the publisher and trusts the new key.
		old, now, err := TrustSigner(regID, PublicKeyPath(other))
		if err != nil || old.KeyID != KeyID(pub.ID()) || now.KeyID != KeyID(otherPub.ID()) {
			t.Fatalf("trust-signer: %+v %+v %v", old, now, err)
		}
		if got, err := InstallFromRegistry(reg, regID, user); err != nil || got.Found.Manifest.Version != "1.2.0" {
			t.Fatalf("after trust-signer: %+v %v", got, err)
		}
	})
	t.Run("unsigned after signed", func(t *testing.T) {
		reg, user := setup(t)
		if _, err := InstallFromRegistry(reg, regID+"@1.0.0", user); err != nil {
			t.Fatal(err)
		}
		if _, err := Publish(regPlugin(t, "1.2.0", "email"), reg, PublishOptions{}); err == nil || !strings.Contains(err.Error(), "sign this one too") {
			t.Fatalf("publishing unsigned after signed: %v", err)
		}
		// Someone adds an unsigned 1.2.0 to the index by hand.
		elsewhere := t.TempDir()
		u, err := Publish(regPlugin(t, "1.2.0", "email"), elsewhere, PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		copyFile(t, filepath.Join(elsewhere, u.Version.Archive), filepath.Join(reg, u.Version.Archive))
		editIndex(t, reg, func(ix *Index) { ix.Plugins[0].Versions = append(ix.Plugins[0].Versions, u.Version) })
		_, err = InstallFromRegistry(reg, regID, user)
		if !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "you trust key "+KeyID(pub.ID())) {
			t.Fatalf("unsigned after signed (pinned): %v", err)
		}
		// A colleague who never installed it: the index's history tells.
		t.Setenv(ConfigDirEnv, t.TempDir())
		fresh := t.TempDir()
		if _, err := InstallFromRegistry(reg, regID, fresh); !errors.Is(err, ErrUnsigned) || !strings.Contains(err.Error(), "earlier version 1.1.0 was signed by key "+KeyID(pub.ID())) {
			t.Fatalf("unsigned after signed (no pin): %v", err)
		}
		nothingInstalled(t, fresh)
	})
}

// An unsigned registry works (a team that does not sign): nothing pinned.
func TestRegistryUnsigned(t *testing.T) {
	t.Setenv(ConfigDirEnv, t.TempDir())
	reg, user := t.TempDir(), t.TempDir()
	arc := filepath.Join(t.TempDir(), "p.tar.gz")
	writeTarGz(t, arc, regPlugin(t, "2.0.0"), "")
	if _, err := Publish(arc, reg, PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := InstallFromRegistry(reg, "File channel", user)
	if err != nil || got.SignerKeyID != "" || got.NewPin {
		t.Fatalf("%+v %v", got, err)
	}
	signers, _ := OpenSigners()
	if pin, err := signers.Get(regID); pin != nil || err != nil {
		t.Fatalf("pinned %+v %v", pin, err)
	}
	b, _ := os.ReadFile(filepath.Join(reg, IndexFile))
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil || raw["format"] != float64(1) {
		t.Fatalf("index.json: %v %s", err, b)
	}
}

func TestCompareSemver(t *testing.T) {
	ordered := []string{"0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "2.0.0"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareSemver(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareSemver(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	if CompareSemver("1.0.0+build.1", "1.0.0+build.2") != 0 {
		t.Error("build metadata counted")
	}
}

// A password-protected key (minisign's scrypt encryption): keygen protects
// it with $MARKETBENCH_SIGNING_PASSWORD, publish needs the password.
func TestRegistryPasswordKey(t *testing.T) {
	if testing.Short() {
		t.Skip("scrypt with minisign's costs (1 GB) takes seconds")
	}
	t.Setenv(ConfigDirEnv, t.TempDir())
	t.Setenv(SigningPasswordEnv, "correct horse")
	key, pub := keygen(t, "protected")
	if b, _ := os.ReadFile(key); !minisign.IsEncrypted(b) {
		t.Fatal("the key is not encrypted")
	}
	reg, src := t.TempDir(), regPlugin(t, "1.0.0")
	t.Setenv(SigningPasswordEnv, "")
	if _, err := Publish(src, reg, PublishOptions{Key: key}); err == nil || !strings.Contains(err.Error(), "protected by a password: set "+SigningPasswordEnv) {
		t.Fatalf("publish without the password: %v", err)
	}
	t.Setenv(SigningPasswordEnv, "correct horse")
	p, err := Publish(src, reg, PublishOptions{Key: key})
	if err != nil || p.Version.SignerKeyID != KeyID(pub.ID()) {
		t.Fatalf("publish with the password: %+v %v", p, err)
	}
	if got, err := InstallFromRegistry(reg, regID, t.TempDir()); err != nil || got.SignerKeyID != KeyID(pub.ID()) {
		t.Fatalf("install: %+v %v", got, err)
	}
}
