package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// DirEnv overrides the user plugin folder.
const DirEnv = "MARKETBENCH_PLUGIN_DIR"

// BundledEnv overrides the folder of the plugins shipped with the app.
const BundledEnv = "MARKETBENCH_BUNDLED_PLUGINS"

// UserDir is where installed plugins live:
// <user config dir>/marketbench/plugins/<publisher>/<name>/<version>/.
func UserDir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", i18n.Errorf("no user config folder for plugins (set %s): %v", DirEnv, err)
	}
	return filepath.Join(d, "marketbench", "plugins"), nil
}

// BundledDir is where the app's own plugins are: bin/plugins/<name>/ next
// to the executable, unless overridden.
func BundledDir() string {
	if d := os.Getenv(BundledEnv); d != "" {
		return d
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(exe), "plugins")
}

// Found is one plugin folder discovered on disk.
type Found struct {
	Dir      string
	Bundled  bool
	Manifest *sdk.Manifest
	// Binary is the executable for this OS/arch, and SHA256 the hash the
	// manifest states for it.
	Binary string
	SHA256 string
	// Development is set for a build installed by 'plugin dev'
	// (DevInstall): Dev says where it was built from and when.
	Development bool
	Dev         *DevInfo
	// Err says why the plugin cannot be used (bad manifest, symlink, no
	// binary for this computer); the other fields may be partial.
	Err error
}

// Platform is this computer's manifest key, e.g. "linux/amd64".
func Platform() string { return runtime.GOOS + "/" + runtime.GOARCH }

// Discover lists the plugins in the user folder and the bundled folder.
// A broken plugin is listed with its Err rather than hidden, so the user
// learns why it does not appear.
func Discover(userDir, bundledDir string) []Found {
	var out []Found
	if bundledDir != "" {
		for _, d := range subdirs(bundledDir, 1) {
			out = append(out, inspect(d, true))
		}
	}
	if userDir != "" {
		for _, d := range subdirs(userDir, 3) {
			out = append(out, inspect(d, false))
		}
	}
	slices.SortFunc(out, func(a, b Found) int { return strings.Compare(a.Dir, b.Dir) })
	return out
}

// subdirs returns the folders exactly depth levels below root that hold a
// manifest, plus any symlink met on the way (reported by inspect).
func subdirs(root string, depth int) []string {
	var out []string
	var walk func(dir string, d int)
	walk = func(dir string, d int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.Type()&fs.ModeSymlink != 0 {
				out = append(out, p)
				continue
			}
			if !e.IsDir() {
				continue
			}
			if d == 1 {
				out = append(out, p)
			} else {
				walk(p, d-1)
			}
		}
	}
	walk(root, depth)
	return out
}

func inspect(dir string, bundled bool) Found {
	f := Found{Dir: dir, Bundled: bundled}
	if st, err := os.Lstat(dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		f.Err = i18n.Errorf("%s is a symbolic link; plugins must be real folders so what was checked is what runs", dir)
		return f
	}
	mf := filepath.Join(dir, sdk.ManifestFile)
	if st, err := os.Lstat(mf); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		f.Err = i18n.Errorf("%s is a symbolic link; refused", mf)
		return f
	}
	m, err := sdk.ReadManifest(dir)
	if err != nil {
		f.Err = err
		return f
	}
	f.Manifest = m
	if !bundled {
		f.Dev = readDevMark(dir)
		f.Development = f.Dev != nil
	}
	if !bundled && Reserved(m.ID) {
		f.Err = i18n.Errorf("%s in %s claims the %s/ namespace, which is kept for the plugins that come with Marketbench, so it is not used; remove it", m.ID, dir, ReservedPublisher)
		return f
	}
	if !slices.Contains(m.ProtocolVersions, sdk.ProtocolVersion) {
		f.Err = i18n.Errorf("%s %s speaks plugin protocol %v; this Marketbench speaks %d", m.ID, m.Version, m.ProtocolVersions, sdk.ProtocolVersion)
		return f
	}
	if m.MinHostVersion != "" && compareVersions(m.MinHostVersion, HostVersion) > 0 {
		f.Err = i18n.Errorf("%s %s needs Marketbench %s or newer (this is %s)", m.ID, m.Version, m.MinHostVersion, HostVersion)
		return f
	}
	b, ok := m.Binaries[Platform()]
	if !ok {
		f.Err = i18n.Errorf("%s %s has no program for this computer (%s)", m.ID, m.Version, Platform())
		return f
	}
	f.Binary, f.SHA256 = filepath.Join(dir, filepath.FromSlash(b.Path)), b.SHA256
	st, err := os.Lstat(f.Binary)
	switch {
	case err != nil:
		f.Err = i18n.Errorf("%s %s: its program %s is missing", m.ID, m.Version, f.Binary)
	case st.Mode()&fs.ModeSymlink != 0:
		f.Err = i18n.Errorf("%s %s: its program %s is a symbolic link; refused", m.ID, m.Version, f.Binary)
	case !st.Mode().IsRegular():
		f.Err = i18n.Errorf("%s %s: its program %s is not a file", m.ID, m.Version, f.Binary)
	}
	return f
}

// FileSHA256 returns the hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify checks that the binary on disk has the manifest's hash.
func (f Found) Verify() error {
	if f.Err != nil {
		return f.Err
	}
	got, err := FileSHA256(f.Binary)
	if err != nil {
		return err
	}
	if got != f.SHA256 {
		return i18n.Errorf("%w: %s %s: its program does not match the checksum in its manifest (manifest sha256 %s, program sha256 %s)", ErrChanged, f.Manifest.ID, f.Manifest.Version, f.SHA256, got)
	}
	return nil
}

// ErrChanged marks a plugin program that differs from what was checked.
var ErrChanged = errors.New("the plugin's program has changed")

// compareVersions compares dotted numeric versions ("1.2.10" > "1.2.9").
func compareVersions(a, b string) int {
	pa, pb := strings.SplitN(a, "-", 2)[0], strings.SplitN(b, "-", 2)[0]
	as, bs := strings.Split(pa, "."), strings.Split(pb, ".")
	for i := range max(len(as), len(bs)) {
		var x, y int
		if i < len(as) {
			fmt.Sscan(as[i], &x)
		}
		if i < len(bs) {
			fmt.Sscan(bs[i], &y)
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// HostVersion is this Marketbench's version, checked against manifests'
// min_host_version.
const HostVersion = "0.4.0"
