package host

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// limits bound what an install may unpack or copy: a plugin is a program,
// a manifest and perhaps a few files, not gigabytes or a million entries.
// (Variables so tests can lower them.)
var limits = struct {
	entries     int   // files and folders
	file, total int64 // bytes of one file, and of all, uncompressed
}{entries: 1000, file: 256 << 20, total: 512 << 20}

// budget counts what an install has unpacked against limits.
type budget struct {
	entries int
	total   int64
}

// entry counts one more file or folder.
func (b *budget) entry() error {
	b.entries++
	if b.entries > limits.entries {
		return i18n.Errorf("it has more than %s files and folders; a plugin is a program and a manifest", thousands(limits.entries))
	}
	return nil
}

// copy copies r to w within the limits, naming the file in the error.
func (b *budget) copy(name string, w io.Writer, r io.Reader) error {
	n, err := io.Copy(w, io.LimitReader(r, min(limits.file, limits.total-b.total)+1))
	b.total += n
	switch {
	case err != nil:
		return err
	case n > limits.file:
		return i18n.Errorf("%s is larger than %d MB", name, limits.file>>20)
	case b.total > limits.total:
		return i18n.Errorf("it unpacks to more than %d MB", limits.total>>20)
	}
	return nil
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ReservedPublisher is the publisher of the plugins that come with
// Marketbench: only bundled plugins may use ids under it.
const ReservedPublisher = "marketbench.org"

// Reserved reports whether id is in the namespace kept for bundled plugins.
func Reserved(id string) bool { return strings.HasPrefix(id, ReservedPublisher+"/") }

// Install copies a plugin from a folder or a .zip/.tar.gz archive into the
// user plugin folder, after checking its manifest and its program's
// checksum; the copy is checked again in place. It returns the installed
// plugin. Installing the same build twice is a no-op; a different build
// under the same version is refused with both checksums, unless the one
// installed is a development build (DevInstall), which a release of the
// same version replaces.
func Install(src, userDir string) (*Found, error) {
	f, _, err := install(src, userDir, false)
	return f, err
}

// DevInstall installs a development build (what 'plugin dev' built): it
// replaces whatever build of the same version is installed and is marked
// as a development build (Found.Development) wherever it is listed. It
// returns the installed plugin and the checksum of the build it replaced
// ("" when none).
func DevInstall(src, userDir string) (*Found, string, error) {
	return install(src, userDir, true)
}

func install(src, userDir string, dev bool) (*Found, string, error) {
	dir := src
	if st, err := os.Stat(src); err != nil {
		return nil, "", i18n.Errorf("cannot read %s: %v", src, err)
	} else if !st.IsDir() {
		tmp, err := os.MkdirTemp("", "mb-plugin-*")
		if err != nil {
			return nil, "", err
		}
		defer os.RemoveAll(tmp)
		if err := unpack(src, tmp); err != nil {
			return nil, "", i18n.Errorf("cannot unpack %s: %v", filepath.Base(src), err)
		}
		dir = manifestDir(tmp)
	}
	if m, err := sdk.ReadManifest(dir); err == nil && Reserved(m.ID) {
		return nil, "", i18n.Errorf("%s cannot be installed: ids under %s/ are kept for the plugins that come with Marketbench; ask its publisher for a build under their own name", m.ID, ReservedPublisher)
	}
	f := inspect(dir, false)
	if err := f.Verify(); err != nil {
		return nil, "", err
	}
	m := f.Manifest
	dest := filepath.Join(append([]string{userDir}, append(strings.Split(m.ID, "/"), m.Version)...)...)
	replaced := ""
	if have := inspect(dest, false); have.Manifest != nil {
		switch {
		case have.SHA256 == f.SHA256 && have.Verify() == nil && have.Development == dev:
			return &have, "", nil
		case !dev && !have.Development && have.SHA256 != f.SHA256:
			return nil, "", i18n.Errorf("%s %s is already installed as a different build (installed sha256 %s, this one %s). While developing, install it with 'marketbench plugin dev FOLDER -p PROJECT', which replaces the build of the same version; to ship a new build, give it a new version in plugin.json. To replace it anyway, remove it first with 'marketbench plugin uninstall %s'",
				m.ID, m.Version, have.SHA256, f.SHA256, m.ID)
		}
		replaced = have.SHA256
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return nil, "", err
	}
	stage, err := os.MkdirTemp(filepath.Dir(dest), ".install-*")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(stage)
	if err := copyTree(dir, stage); err != nil {
		return nil, "", i18n.Errorf("cannot install %s: %v", filepath.Base(src), err)
	}
	// The mark is the installer's to set: one copied in from the source
	// folder does not make a build a development build, or a release one.
	os.Remove(filepath.Join(stage, DevMarker))
	if dev {
		if err := os.WriteFile(filepath.Join(stage, DevMarker), devMark(src), 0o644); err != nil {
			return nil, "", err
		}
	}
	if replaced != "" {
		// The old build is moved aside, not deleted first, so a failed
		// rename leaves the installed build in place.
		old := stage + ".old"
		if err := os.Rename(dest, old); err != nil {
			return nil, "", i18n.Errorf("cannot replace %s: %v", dest, err)
		}
		defer os.RemoveAll(old)
		if err := os.Rename(stage, dest); err != nil {
			os.Rename(old, dest)
			return nil, "", err
		}
	} else if err := os.Rename(stage, dest); err != nil {
		return nil, "", err
	}
	got := inspect(dest, false)
	if err := got.Verify(); err != nil {
		os.RemoveAll(dest)
		return nil, "", err
	}
	return &got, replaced, nil
}

// manifestDir is root, or its only subfolder when the archive wraps the
// plugin in one.
func manifestDir(root string) string {
	if _, err := os.Stat(filepath.Join(root, "plugin.json")); err == nil {
		return root
	}
	entries, _ := os.ReadDir(root)
	if len(entries) == 1 && entries[0].IsDir() {
		return filepath.Join(root, entries[0].Name())
	}
	return root
}

// safeJoin refuses archive entries that would land outside dir.
func safeJoin(dir, name string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", i18n.Errorf("the archive entry %q points outside the plugin folder", name)
	}
	return filepath.Join(dir, clean), nil
}

func unpack(path, dir string) error {
	var b budget
	write := func(name string, mode fs.FileMode, r io.Reader) error {
		dst, err := safeJoin(dir, name)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode.Perm()|0o600)
		if err != nil {
			return err
		}
		err = b.copy(name, out, r)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		return err
	}
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".zip"):
		zr, err := zip.OpenReader(path)
		if err != nil {
			return err
		}
		defer zr.Close()
		// The directory says how many entries and how large: refuse early.
		if len(zr.File) > limits.entries {
			return i18n.Errorf("it has more than %s files and folders (%s); a plugin is a program and a manifest", thousands(limits.entries), thousands(len(zr.File)))
		}
		var declared uint64
		for _, f := range zr.File {
			declared += f.UncompressedSize64
			if f.UncompressedSize64 > uint64(limits.file) {
				return i18n.Errorf("%s is larger than %d MB", f.Name, limits.file>>20)
			}
		}
		if declared > uint64(limits.total) {
			return i18n.Errorf("it unpacks to more than %d MB", limits.total>>20)
		}
		for _, f := range zr.File {
			if err := b.entry(); err != nil {
				return err
			}
			switch {
			case f.FileInfo().IsDir():
				continue
			case !f.Mode().IsRegular():
				return i18n.Errorf("%s is not a regular file (links are refused)", f.Name)
			}
			rc, err := f.Open()
			if err != nil {
				return err
			}
			// The sizes in the directory may lie: the copy counts too.
			err = write(f.Name, f.Mode(), rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		defer fh.Close()
		gz, err := gzip.NewReader(fh)
		if err != nil {
			return err
		}
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := b.entry(); err != nil {
				return err
			}
			switch h.Typeflag {
			case tar.TypeDir:
			case tar.TypeReg:
				if h.Size > limits.file {
					return i18n.Errorf("%s is larger than %d MB", h.Name, limits.file>>20)
				}
				if err := write(h.Name, fs.FileMode(h.Mode), tr); err != nil {
					return err
				}
			default:
				return i18n.Errorf("%s is not a regular file (links are refused)", h.Name)
			}
		}
	}
	return i18n.Errorf("not a folder, .zip or .tar.gz")
}

// copyTree copies the regular files of src into dst, refusing links, within
// the same limits as an archive.
func copyTree(src, dst string) error {
	var b budget
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != src {
			if err := b.entry(); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			return i18n.Errorf("%s is a symbolic link; refused", p)
		case !d.Type().IsRegular():
			return i18n.Errorf("%s is not a regular file", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, info.Mode().Perm())
		if err != nil {
			return err
		}
		if err := b.copy(rel, out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}

// Uninstall removes an installed plugin's folder (and its now empty
// parents up to the user folder). Bundled plugins cannot be removed.
func Uninstall(f Found, userDir string) error {
	if f.Bundled {
		return i18n.Errorf("%s is bundled with Marketbench and cannot be removed; disable it instead", f.Dir)
	}
	rel, err := filepath.Rel(userDir, f.Dir)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return i18n.Errorf("%s is not in the plugin folder %s", f.Dir, userDir)
	}
	if err := os.RemoveAll(f.Dir); err != nil {
		return i18n.Errorf("cannot remove %s: %v", f.Dir, err)
	}
	for dir := filepath.Dir(f.Dir); dir != userDir && strings.HasPrefix(dir, userDir); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty
			break
		}
	}
	return nil
}
