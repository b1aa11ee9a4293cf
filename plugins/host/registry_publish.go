package host

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"aead.dev/minisign"
	"github.com/gofrs/flock"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// PublishOptions says how to publish a version.
type PublishOptions struct {
	// Key is a minisign secret key file; empty publishes unsigned.
	Key       string
	Changelog string
}

// Published is a version added to a registry (or found there already).
type Published struct {
	ID      string
	Version RegVersion
	// Already is set when the registry held these very bytes under this
	// version: nothing changed.
	Already bool
	// PreviousKeyID is the key of the newest earlier signed version when it
	// differs from this version's: users who trusted it will refuse this
	// version until they trust the new key.
	PreviousKeyID string
}

// Publish adds a plugin version to the registry folder regDir: src is a
// plugin folder (packed into a .tar.gz, the same bytes for the same files)
// or an archive 'plugin install' accepts. The archive is checked as install
// checks it; a version already published with other bytes is refused, and
// so is an unsigned version of a plugin whose earlier versions are signed.
func Publish(src, regDir string, opt PublishOptions) (*Published, error) {
	if err := os.MkdirAll(regDir, 0o755); err != nil {
		return nil, i18n.Errorf("cannot make the registry folder: %v", err)
	}
	// Two publishers at once would each rewrite the index from what they
	// read. A shared drive may not support locks: then it is best effort.
	fl := flock.New(filepath.Join(regDir, ".index.lock"))
	if fl.Lock() == nil {
		defer fl.Unlock()
	}
	data, ext, err := archiveBytes(src)
	if err != nil {
		return nil, err
	}
	m, err := checkArchive(data, ext)
	if err != nil {
		return nil, i18n.Errorf("cannot publish %s: %w", filepath.Base(src), err)
	}
	ix, err := ReadIndex(regDir, true)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	v := RegVersion{Version: m.Version, Archive: strings.ReplaceAll(m.ID, "/", "_") + "-" + m.Version + ext, SHA256: hex.EncodeToString(sum[:]),
		Kinds: orNone(m.Kinds), Fields: orNone(m.Fields), NetworkHosts: orNone(m.NetworkHosts), MinHostVersion: m.MinHostVersion,
		Changelog: strings.TrimSpace(opt.Changelog), PublishedAt: time.Now().UTC().Truncate(time.Second)}
	i := slices.IndexFunc(ix.Plugins, func(p RegPlugin) bool { return p.ID == m.ID })
	if i < 0 {
		ix.Plugins = append(ix.Plugins, RegPlugin{ID: m.ID})
		i = len(ix.Plugins) - 1
	}
	p := &ix.Plugins[i]
	if have, err := p.Version(m.Version); err == nil {
		if have.SHA256 == v.SHA256 {
			return &Published{ID: m.ID, Version: *have, Already: true}, nil
		}
		return nil, i18n.Errorf("%s %s is already in the registry with other bytes (sha256 %s, these are %s); a published version never changes: raise the version in plugin.json and publish again", m.ID, m.Version, have.SHA256, v.SHA256)
	}
	var prevKey string
	for _, x := range p.VersionList() {
		if have, _ := p.Version(x); have.Signed() && CompareSemver(x, m.Version) < 0 {
			prevKey = have.SignerKeyID
		}
	}
	out := &Published{ID: m.ID}
	if opt.Key == "" {
		if prevKey != "" {
			return nil, i18n.Errorf("earlier versions of %s are signed (key %s): sign this one too with --key, or every user who installed them will refuse it", m.ID, prevKey)
		}
	} else {
		key, err := readSecretKey(opt.Key)
		if err != nil {
			return nil, err
		}
		pub := key.Public().(minisign.PublicKey)
		v.Signature = v.Archive + ".minisig"
		v.SignerKeyID = KeyID(key.ID())
		v.SignerPublicKey = pub.String()
		if prevKey != "" && prevKey != v.SignerKeyID {
			out.PreviousKeyID = prevKey
		}
		if err := writeAtomic(filepath.Join(regDir, v.Signature), sign(key, data, m.ID, m.Version, v.Archive), 0o644); err != nil {
			return nil, i18n.Errorf("cannot write the signature: %v", err)
		}
	}
	if err := writeAtomic(filepath.Join(regDir, v.Archive), data, 0o644); err != nil {
		return nil, i18n.Errorf("cannot copy the archive into the registry: %v", err)
	}
	p.Versions = append(p.Versions, v)
	slices.SortFunc(p.Versions, func(a, b RegVersion) int { return CompareSemver(a.Version, b.Version) })
	if latest := p.Latest(); latest.Version == v.Version {
		p.Name, p.Description, p.Publisher = m.Name, m.Description, m.Publisher
	}
	slices.SortFunc(ix.Plugins, func(a, b RegPlugin) int { return strings.Compare(a.ID, b.ID) })
	ix.Format = IndexFormat
	if err := writeIndex(regDir, ix); err != nil {
		return nil, i18n.Errorf("cannot write the registry's index: %v", err)
	}
	out.Version = v
	return out, nil
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// archiveBytes reads an archive, or packs a folder, and gives its extension.
func archiveBytes(src string) ([]byte, string, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, "", i18n.Errorf("cannot read %s: %v", src, err)
	}
	if st.IsDir() {
		b, err := packDir(src)
		if err != nil {
			return nil, "", i18n.Errorf("cannot pack %s: %v", src, err)
		}
		return b, ".tar.gz", nil
	}
	lower := strings.ToLower(src)
	ext := ""
	for _, e := range []string{".zip", ".tar.gz", ".tgz"} {
		if strings.HasSuffix(lower, e) {
			ext = e
		}
	}
	if ext == "" {
		return nil, "", i18n.Errorf("%s is not a folder, .zip or .tar.gz", src)
	}
	if st.Size() > limits.total {
		return nil, "", i18n.Errorf("%s is larger than %d MB", src, limits.total>>20)
	}
	b, err := os.ReadFile(src)
	return b, ext, err
}

// packDir packs a plugin folder into a .tar.gz whose bytes depend only on
// the files' names, contents and executable bits (no times, owners or
// order of the file system), so publishing the same build twice is the
// same archive.
func packDir(dir string) ([]byte, error) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	tw := tar.NewWriter(gz)
	var b budget
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		if err := b.entry(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return i18n.Errorf("%s is a symbolic link; refused", p)
		case d.IsDir():
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: 0o755, Format: tar.FormatPAX})
		case !d.Type().IsRegular():
			return i18n.Errorf("%s is not a regular file", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := int64(0o644)
		if info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: info.Size(), Format: tar.FormatPAX}); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return b.copy(name, tw, f)
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	return buf.Bytes(), err
}

// checkArchive unpacks an archive as install does and checks its manifest
// and every program it lists, returning the manifest.
func checkArchive(data []byte, ext string) (*sdk.Manifest, error) {
	tmp, err := os.MkdirTemp("", "mb-registry-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	arc := filepath.Join(tmp, "plugin"+ext)
	if err := os.WriteFile(arc, data, 0o600); err != nil {
		return nil, err
	}
	root := filepath.Join(tmp, "x")
	if err := unpack(arc, root); err != nil {
		return nil, err
	}
	dir := manifestDir(root)
	m, err := sdk.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if Reserved(m.ID) {
		return nil, i18n.Errorf("ids under %s/ are kept for the plugins that come with Marketbench", ReservedPublisher)
	}
	for plat, b := range m.Binaries {
		p := filepath.Join(dir, filepath.FromSlash(b.Path))
		st, err := os.Lstat(p)
		if err != nil || !st.Mode().IsRegular() {
			return nil, i18n.Errorf("its program for %s (%s) is missing", plat, b.Path)
		}
		if sum, _ := FileSHA256(p); sum != b.SHA256 {
			return nil, i18n.Errorf("%w: its program for %s (%s) has sha256 %s but plugin.json says %s; rebuild the manifest's checksum", ErrChanged, plat, b.Path, sum, b.SHA256)
		}
	}
	return m, nil
}
