package host

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
)

// An archive a third party ships cannot claim the namespace of the
// bundled plugins, and one already put in the user folder by hand is
// listed as unusable, so the bundled plugin of that id is the one used.
// Before, marketbench.org/webhook 9.0.0 installed and won over the
// bundled 1.x by its higher version.
func TestReservedNamespace(t *testing.T) {
	user, bundled := t.TempDir(), t.TempDir()
	fake := pluginDir(t, t.TempDir(), "marketbench.org/webhook", bins.file, func(m *sdk.Manifest) { m.Version = "9.0.0" })
	if _, err := Install(fake, user); err == nil || !strings.Contains(err.Error(), "kept for the plugins that come with Marketbench") {
		t.Fatalf("install of a marketbench.org/ id: %v", err)
	}
	arc := filepath.Join(t.TempDir(), "webhook.tar.gz")
	writeTarGz(t, arc, fake, "")
	if _, err := Install(arc, user); err == nil || !strings.Contains(err.Error(), "kept for the plugins that come with Marketbench") {
		t.Fatalf("install of a marketbench.org/ archive: %v", err)
	}
	if entries, _ := os.ReadDir(user); len(entries) != 0 {
		t.Fatalf("the refused plugin left %v in the user folder", entries)
	}
	// Copied in by hand: listed with the reason, never usable.
	if err := copyTree(fake, filepath.Join(user, "marketbench.org", "webhook", "9.0.0")); err != nil {
		t.Fatal(err)
	}
	pluginDir(t, bundled, "marketbench.org/webhook", bins.file, nil)
	var sawBundled, sawFake bool
	for _, f := range Discover(user, bundled) {
		switch {
		case f.Bundled && f.Err == nil:
			sawBundled = true
		case !f.Bundled:
			sawFake = f.Err != nil && strings.Contains(f.Err.Error(), "claims the marketbench.org/ namespace")
		}
	}
	if !sawBundled || !sawFake {
		t.Fatalf("bundled usable %v, installed copy refused %v", sawBundled, sawFake)
	}
}

// Ids are validated on install: one with three parts would install under
// a path that discovery (publisher/name/version) never finds, so it could
// be neither listed nor uninstalled.
func TestInstallValidatesID(t *testing.T) {
	user := t.TempDir()
	for _, id := range []string{"example.com/a/b", "Example.com/x", "nodomain/x", "example.com/x_y"} {
		src := pluginDir(t, t.TempDir(), id, bins.file, nil)
		if _, err := Install(src, user); err == nil || !strings.Contains(err.Error(), "use publisher/name") {
			t.Errorf("%s: %v", id, err)
		}
	}
	if entries, _ := os.ReadDir(user); len(entries) != 0 {
		t.Fatalf("refused ids left %v in the user folder", entries)
	}
}

// writeZip writes files (name → size in bytes of zeros) into a zip with
// a valid plugin folder's manifest and program.
func writeZip(t *testing.T, path, plugin string, files map[string]int) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	entries, _ := os.ReadDir(plugin)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(plugin, e.Name()))
		w, _ := zw.Create(e.Name())
		w.Write(b)
	}
	for name, n := range files {
		w, _ := zw.Create(name)
		w.Write(make([]byte, n))
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTarGzFiles is writeZip for .tar.gz.
func writeTarGzFiles(t *testing.T, path, plugin string, files map[string]int) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	add := func(name string, b []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	entries, _ := os.ReadDir(plugin)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(plugin, e.Name()))
		add(e.Name(), b)
	}
	for name, n := range files {
		add(name, make([]byte, n))
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Archives and folders have limits on entries, the size of one file and
// the total, each refused with a message that names it. Before, an
// archive of 200,000 entries installed.
func TestInstallLimits(t *testing.T) {
	saved := limits
	t.Cleanup(func() { limits = saved })
	plugin := pluginDir(t, t.TempDir(), "example.com/filechannel", bins.file, nil)
	st, err := os.Stat(bins.file)
	if err != nil {
		t.Fatal(err)
	}
	// The sizes are lowered to just above the program's, so the test
	// stays small; the entry count is the real one.
	const mb = 1 << 20
	limits.file, limits.total = st.Size()+mb, st.Size()+3*mb
	many := map[string]int{}
	for i := range 1000 {
		many[fmt.Sprintf("data/%04d.txt", i)] = 1
	}
	bigFile := map[string]int{"data/big.bin": int(limits.file) + 1}
	bigTotal := map[string]int{"data/a.bin": 2 * mb, "data/b.bin": 2 * mb}
	for _, c := range []struct {
		name  string
		files map[string]int
		want  string
	}{
		{"many", many, "more than 1,000 files and folders"},
		{"bigfile", bigFile, fmt.Sprintf("data/big.bin is larger than %d MB", limits.file>>20)},
		{"bigtotal", bigTotal, fmt.Sprintf("unpacks to more than %d MB", limits.total>>20)},
	} {
		for _, ext := range []string{".zip", ".tar.gz"} {
			arc := filepath.Join(t.TempDir(), c.name+ext)
			if ext == ".zip" {
				writeZip(t, arc, plugin, c.files)
			} else {
				writeTarGzFiles(t, arc, plugin, c.files)
			}
			user := t.TempDir()
			_, err := Install(arc, user)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s%s: %v, want %q", c.name, ext, err, c.want)
			}
			if entries, _ := os.ReadDir(user); len(entries) != 0 {
				t.Errorf("%s%s left %v in the user folder", c.name, ext, entries)
			}
		}
	}
	// A folder is held to the same limits.
	dir := t.TempDir()
	if err := copyTree(plugin, dir); err != nil {
		t.Fatal(err)
	}
	for name := range many {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	if _, err := Install(dir, t.TempDir()); err == nil || !strings.Contains(err.Error(), "more than 1,000 files and folders") {
		t.Errorf("a folder of 1,000 extra files: %v", err)
	}
	// Within the limits it installs.
	ok := filepath.Join(t.TempDir(), "ok.zip")
	writeZip(t, ok, plugin, map[string]int{"data/readme.txt": 100})
	if _, err := Install(ok, t.TempDir()); err != nil {
		t.Errorf("a small archive: %v", err)
	}
}
