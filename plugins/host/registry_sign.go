package host

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"aead.dev/minisign"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Archives are signed in minisign's format (aead.dev/minisign): Ed25519
// over the BLAKE2b-512 hash of the archive's bytes ("prehashed"), with a
// trusted comment naming the plugin and version, so a signature file can
// be checked with the minisign tool too and cannot be moved to another
// plugin's entry.

// SigningPasswordEnv gives the password of a password-protected secret key
// (keygen protects the key with it when set).
const SigningPasswordEnv = "MARKETBENCH_SIGNING_PASSWORD"

// KeyID is a key's minisign id as minisign prints it (16 hex digits).
func KeyID(id uint64) string { return fmt.Sprintf("%016X", id) }

// PublicKeyPath is where Keygen writes the public key of the secret key
// file secret: team.key → team.pub.
func PublicKeyPath(secret string) string {
	return strings.TrimSuffix(secret, filepath.Ext(secret)) + ".pub"
}

// Keygen makes a signing key pair for a publisher: the secret key in out
// (readable by this user only; protected by $MARKETBENCH_SIGNING_PASSWORD
// when set) and the public key beside it (PublicKeyPath). It refuses to
// replace an existing key: a lost key means users must trust a new one.
func Keygen(out string) (pub minisign.PublicKey, pubPath string, err error) {
	pubPath = PublicKeyPath(out)
	if out == pubPath {
		pubPath = out + ".pub"
	}
	for _, p := range []string{out, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return pub, "", i18n.Errorf("%s already exists; keygen never replaces a key (users who trusted it would refuse your next version): choose another file name", p)
		}
	}
	pub, sec, err := minisign.GenerateKey(nil)
	if err != nil {
		return pub, "", err
	}
	var text []byte
	if pw := os.Getenv(SigningPasswordEnv); pw != "" {
		text, err = minisign.EncryptKey(pw, sec)
	} else {
		text, err = sec.MarshalText()
	}
	if err != nil {
		return pub, "", err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		return pub, "", err
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return pub, "", i18n.Errorf("cannot write the secret key: %v", err)
	}
	_, err = f.Write(append(text, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return pub, "", i18n.Errorf("cannot write the secret key: %v", err)
	}
	pt, _ := pub.MarshalText()
	if err := os.WriteFile(pubPath, append(pt, '\n'), 0o644); err != nil {
		return pub, "", i18n.Errorf("cannot write the public key: %v", err)
	}
	return pub, pubPath, nil
}

// readSecretKey reads a minisign secret key file, decrypting it with
// $MARKETBENCH_SIGNING_PASSWORD when it is protected.
func readSecretKey(path string) (minisign.PrivateKey, error) {
	var key minisign.PrivateKey
	b, err := os.ReadFile(path)
	if err != nil {
		return key, i18n.Errorf("cannot read the signing key: %v", err)
	}
	if minisign.IsEncrypted(b) {
		pw := os.Getenv(SigningPasswordEnv)
		if pw == "" {
			return key, i18n.Errorf("the signing key %s is protected by a password: set %s", path, SigningPasswordEnv)
		}
		if key, err = minisign.DecryptKey(pw, b); err != nil {
			return key, i18n.Errorf("cannot open the signing key %s (wrong password?): %v", path, err)
		}
		return key, nil
	}
	if err := key.UnmarshalText(b); err != nil {
		return key, i18n.Errorf("%s is not a minisign secret key: %v", path, err)
	}
	return key, nil
}

// ParsePublicKey reads a public key given as minisign's base64 text
// ("RW…") or as a file holding it (a .pub file).
func ParsePublicKey(s string) (minisign.PublicKey, error) {
	if b, err := os.ReadFile(s); err == nil {
		return parsePublicKey(string(b))
	}
	return parsePublicKey(s)
}

// parsePublicKey reads a public key from text only (an index's key is
// never taken as a file name).
func parsePublicKey(s string) (minisign.PublicKey, error) {
	var pub minisign.PublicKey
	if err := pub.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return pub, i18n.Errorf("%q is not a minisign public key (the line starting RW… of the publisher's .pub file): %v", s, err)
	}
	return pub, nil
}

// trustedComment binds a signature to the plugin and version it is for.
func trustedComment(id, version, archive string) string {
	return fmt.Sprintf("timestamp:%d\tfile:%s\tplugin:%s@%s", time.Now().Unix(), archive, id, version)
}

// sign signs an archive's bytes (prehashed, as minisign does by default).
func sign(key minisign.PrivateKey, data []byte, id, version, archive string) []byte {
	r := minisign.NewReader(bytes.NewReader(data))
	io.Copy(io.Discard, r)
	return r.SignWithComments(key, trustedComment(id, version, archive), "signature from marketbench plugin publish, key "+KeyID(key.ID()))
}

// ErrBadSignature marks an archive whose signature does not verify.
var ErrBadSignature = errors.New(i18n.Mark("the signature does not verify"))

// verifySignature checks that sig is v's signer's signature of data, made
// for plugin id at v's version.
func verifySignature(id string, v RegVersion, data, sig []byte) (minisign.PublicKey, error) {
	pub, err := parsePublicKey(v.SignerPublicKey)
	if err != nil || v.Signature == "" {
		return pub, i18n.Errorf("%w: %s %s claims a signature but its index entry lacks the signature file or a valid public key; refused", ErrBadSignature, id, v.Version)
	}
	if KeyID(pub.ID()) != v.SignerKeyID {
		return pub, i18n.Errorf("%w: %s %s: the index says key %s but gives the public key of %s; the index was changed; refused", ErrBadSignature, id, v.Version, v.SignerKeyID, KeyID(pub.ID()))
	}
	var s minisign.Signature
	if err := s.UnmarshalText(sig); err != nil {
		return pub, i18n.Errorf("%w: %s is not a minisign signature (%v); refused", ErrBadSignature, v.Signature, err)
	}
	if s.KeyID != pub.ID() {
		return pub, i18n.Errorf("%w: %s was made with key %s, not the key %s the index names; refused", ErrBadSignature, v.Signature, KeyID(s.KeyID), v.SignerKeyID)
	}
	if !minisign.Verify(pub, data, sig) {
		return pub, i18n.Errorf("%w: %s does not verify %s with key %s: the archive, its signature or the index was changed after signing; nothing was installed", ErrBadSignature, v.Signature, v.Archive, v.SignerKeyID)
	}
	for _, f := range strings.Split(s.TrustedComment, "\t") {
		if after, ok := strings.CutPrefix(f, "plugin:"); ok && after != id+"@"+v.Version {
			return pub, i18n.Errorf("%w: the signature of %s was made for %s, not %s@%s; refused", ErrBadSignature, v.Archive, after, id, v.Version)
		}
	}
	return pub, nil
}
