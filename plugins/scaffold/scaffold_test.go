package scaffold

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/sdk"
)

// offline is the environment the generated module is built in: no module
// proxy and no workspace, go.mod and go.sum used as written (-mod=readonly
// fails on a missing requirement or checksum instead of adding it). Only
// the machine's module cache, which the SDK's dependencies are in.
func offline() []string {
	return append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off", "GOTOOLCHAIN=local")
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// For each kind, the generated module, alone in a temporary folder
// outside the repository with the SDK copied in: go vet, its own tests
// (conformance in-process and as the built program, manifest agreement)
// and `make manifest` pass offline with go.mod and go.sum as written;
// nothing it builds uses cgo, Fyne, DuckDB or SQLite; the manifest the
// release tool writes is valid and carries the program's real checksum,
// and `make dist` makes the archive.
func TestGeneratedModulesPassOutOfTree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three plugins")
	}
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			name := "my" + kind
			dir := filepath.Join(t.TempDir(), name)
			res, err := Generate(Options{Name: name, Kind: kind, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if res.ID != "example.com/"+name || res.Module != "example.com/"+name || !slices.Contains(res.Files, SDKCopy+"/") {
				t.Errorf("result %+v", res)
			}
			if _, err := os.Stat(filepath.Join(dir, SDKCopy, "plugintest", "conformance.go")); err != nil {
				t.Fatalf("the SDK copy: %v", err)
			}
			env := offline()
			run(t, dir, env, "go", "vet", "./...")
			out := run(t, dir, env, "go", "test", "-count=1", "./...")
			if !strings.Contains(out, "ok") {
				t.Errorf("go test: %s", out)
			}
			// No package outside the standard library with cgo, even with cgo on
			// (the standard library's net and os/user have cgo variants).
			cgo := run(t, dir, append(env, "CGO_ENABLED=1"), "go", "list", "-deps", "-f", "{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}", "./...")
			if strings.TrimSpace(cgo) != "" {
				t.Errorf("packages with cgo: %s", cgo)
			}
			deps := run(t, dir, env, "go", "list", "-deps", "-test", "./...")
			for _, banned := range []string{"github.com/duckdb/", "fyne.io/", "github.com/mattn/go-sqlite3", "github.com/marketbench/marketbench/app", "github.com/marketbench/marketbench/storage"} {
				if strings.Contains(deps, banned) {
					t.Errorf("the plugin depends on %s", banned)
				}
			}
			if _, err := exec.LookPath("make"); err == nil {
				run(t, dir, env, "make", "manifest")
				run(t, dir, env, "make", "dist")
			} else {
				run(t, dir, env, "go", "run", "./internal/release", "dist")
			}
			m, err := sdk.ReadManifest(filepath.Join(dir, "dist", name))
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != res.ID || m.Version != "0.1.0" || !slices.Equal(m.Kinds, []string{kind}) {
				t.Errorf("manifest %+v", m)
			}
			for _, b := range m.Binaries {
				prog, err := os.ReadFile(filepath.Join(dir, "dist", name, b.Path))
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(prog); hex.EncodeToString(sum[:]) != b.SHA256 {
					t.Errorf("plugin.json's sha256 is not the program's")
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "dist", name+"-0.1.0.tar.gz")); err != nil {
				t.Errorf("make dist: %v", err)
			}
			if kind == sdk.KindChannel {
				crossAndMismatch(t, dir, env, name)
			}
		})
	}
}

// crossAndMismatch checks, on a generated channel, that the release tool
// builds one program per platform asked for, and that the generated
// TestManifest fails when plugin.json's fields differ from Spec().Fields.
func crossAndMismatch(t *testing.T, dir string, env []string, name string) {
	run(t, dir, env, "go", "run", "./internal/release", "manifest", "linux/arm64", "windows/amd64")
	m, err := sdk.ReadManifest(filepath.Join(dir, "dist", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Binaries) != 2 || m.Binaries["windows/amd64"].Path != name+"-windows-amd64.exe" || m.Binaries["linux/arm64"].Path != name+"-linux-arm64" {
		t.Errorf("binaries %+v", m.Binaries)
	}
	manifest := filepath.Join(dir, "plugin.json")
	b, _ := os.ReadFile(manifest)
	os.WriteFile(manifest, bytes.Replace(b, []byte(`["email", "first_name"]`), []byte(`["email"]`), 1), 0o644)
	cmd := exec.Command("go", "test", "-run", "TestManifest", ".")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "they must be the same") {
		t.Errorf("TestManifest passed a manifest whose fields differ from the spec's: %v\n%s", err, out)
	}
}

// Names, kinds and ids are checked before anything is written, and an
// existing folder is never written into.
func TestGenerateRefuses(t *testing.T) {
	tmp := t.TempDir()
	full := filepath.Join(tmp, "full")
	os.MkdirAll(full, 0o755)
	os.WriteFile(filepath.Join(full, "main.go"), []byte("package main\n"), 0o644)
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Name: "My Channel", Kind: "channel"}, "lower-case"},
		{Options{Name: "x", Kind: "exporter"}, "channel, model or source"},
		{Options{Name: "x", Kind: "channel", Module: "github.com/acme/x"}, "--id"},
		{Options{Name: "x", Kind: "channel", ID: "marketbench.org/x"}, "kept for the plugins"},
		{Options{Name: "x", Kind: "channel", Dir: full}, "not empty"},
	} {
		if c.o.Dir == "" {
			c.o.Dir = filepath.Join(tmp, "new")
		}
		if _, err := Generate(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(tmp, "new")); len(ents) > 0 {
		t.Errorf("a refused scaffold wrote %d files", len(ents))
	}
	if b, _ := os.ReadFile(filepath.Join(full, "main.go")); string(b) != "package main\n" {
		t.Error("an existing file was overwritten")
	}
	// A module path that is not an id works with --id.
	res, err := Generate(Options{Name: "x", Kind: "source", Module: "github.com/acme/x", ID: "acme.com/x", Dir: filepath.Join(tmp, "ok")})
	if err != nil || res.ID != "acme.com/x" {
		t.Fatalf("%+v %v", res, err)
	}
	mod, _ := os.ReadFile(filepath.Join(tmp, "ok", "go.mod"))
	main, _ := os.ReadFile(filepath.Join(tmp, "ok", "main.go"))
	if !bytes.HasPrefix(mod, []byte("module github.com/acme/x\n")) || !bytes.Contains(main, []byte(`ID:      "acme.com/x"`)) {
		t.Errorf("go.mod:\n%s\nmain.go:\n%s", mod, main)
	}
}

// examples are the SDK's examples that are the scaffold's output, with
// go.mod's replace pointing at the SDK folder of this repository.
var examples = []Options{
	{Name: "meanmodel", Kind: "model", SDK: "../.."},
	{Name: "csvsource", Kind: "source", SDK: "../.."},
}

// sdk/examples/meanmodel and csvsource are exactly what the scaffold
// writes, so the examples and the scaffold cannot drift apart. With
// MB_UPDATE_EXAMPLES=1 the test rewrites them instead.
func TestExamplesAreScaffoldOutput(t *testing.T) {
	for _, o := range examples {
		want := filepath.Join("..", "..", "sdk", "examples", o.Name)
		if os.Getenv("MB_UPDATE_EXAMPLES") == "1" {
			os.RemoveAll(want)
			o.Dir = want
			if _, err := Generate(o); err != nil {
				t.Fatal(err)
			}
			continue
		}
		o.Dir = filepath.Join(t.TempDir(), o.Name)
		res, err := Generate(o)
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		filepath.WalkDir(want, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				rel, _ := filepath.Rel(want, p)
				if top := strings.Split(filepath.ToSlash(rel), "/")[0]; top != "dist" && top != "bin" {
					have = append(have, filepath.ToSlash(rel))
				}
			}
			return nil
		})
		slices.Sort(have)
		if !slices.Equal(have, res.Files) {
			t.Errorf("sdk/examples/%s has %v, the scaffold writes %v (MB_UPDATE_EXAMPLES=1 go test ./plugins/scaffold -run TestExamples rewrites it)", o.Name, have, res.Files)
			continue
		}
		for _, f := range res.Files {
			a, _ := os.ReadFile(filepath.Join(want, f))
			b, _ := os.ReadFile(filepath.Join(o.Dir, f))
			if !bytes.Equal(a, b) {
				t.Errorf("sdk/examples/%s/%s differs from the scaffold's (MB_UPDATE_EXAMPLES=1 go test ./plugins/scaffold -run TestExamples rewrites it)", o.Name, f)
			}
		}
	}
}

// The examples' own tests pass where they are, against the SDK of this
// repository.
func TestExamplesPassInPlace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two plugins")
	}
	for _, o := range examples {
		dir := filepath.Join("..", "..", "sdk", "examples", o.Name)
		run(t, dir, offline(), "go", "vet", "./...")
		run(t, dir, offline(), "go", "test", "./...")
	}
}
