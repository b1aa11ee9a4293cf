package host

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/marketbench/marketbench/sdk"
)

// Bundle builds the first-party plugins under root (the plugins/ folder:
// every subfolder with a plugin.json template, host excepted) into out, one
// folder each with its program and a manifest carrying the program's real
// checksum, as the app ships them. It returns the plugin folders.
// With names given, only those plugins are built.
func Bundle(root, out string, names ...string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	// go build runs in each plugin's folder, so the output must be absolute.
	if out, err = filepath.Abs(out); err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		src := filepath.Join(root, e.Name())
		if !e.IsDir() || e.Name() == "host" || (len(names) > 0 && !slices.Contains(names, e.Name())) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, sdk.ManifestFile))
		if err != nil {
			continue
		}
		var m sdk.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(src, sdk.ManifestFile), err)
		}
		dst := filepath.Join(out, e.Name())
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return nil, err
		}
		exe := e.Name()
		if strings.HasPrefix(Platform(), "windows/") {
			exe += ".exe"
		}
		abs, _ := filepath.Abs(src)
		cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dst, exe), ".")
		cmd.Dir = abs
		// Plugins need no cgo; building without it also proves they do not.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building %s: %v\n%s", e.Name(), err, out)
		}
		sum, err := FileSHA256(filepath.Join(dst, exe))
		if err != nil {
			return nil, err
		}
		m.Binaries = map[string]sdk.Binary{Platform(): {Path: exe, SHA256: sum}}
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", e.Name(), err)
		}
		mb, _ := json.MarshalIndent(m, "", "  ")
		if err := os.WriteFile(filepath.Join(dst, sdk.ManifestFile), append(mb, '\n'), 0o644); err != nil {
			return nil, err
		}
		dirs = append(dirs, dst)
	}
	return dirs, nil
}
