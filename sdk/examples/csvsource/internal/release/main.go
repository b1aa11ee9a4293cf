// Command release builds this plugin and writes what
// `marketbench plugin install` takes:
//
//	go run ./internal/release manifest [GOOS/GOARCH ...]
//	    dist/csvsource/: the program for each platform (this computer's by
//	    default) and plugin.json, copied from ./plugin.json with each
//	    program's path and sha256 filled in
//	go run ./internal/release dist [GOOS/GOARCH ...]
//	    the same, then dist/csvsource-VERSION.tar.gz of that folder
//
// Programs are built with CGO_ENABLED=0 and -trimpath: a plugin needs no
// C compiler and builds the same on every computer.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/marketbench/marketbench/sdk"
)

const name = "csvsource"

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "manifest" && os.Args[1] != "dist") {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/release manifest|dist [GOOS/GOARCH ...]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(what string, platforms []string) error {
	if len(platforms) == 0 {
		platforms = []string{runtime.GOOS + "/" + runtime.GOARCH}
	}
	src, err := os.ReadFile(sdk.ManifestFile)
	if err != nil {
		return err
	}
	var m sdk.Manifest
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("%s: %v", sdk.ManifestFile, err)
	}
	out := filepath.Join("dist", name)
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	m.Binaries = map[string]sdk.Binary{}
	for _, p := range platforms {
		goos, goarch, ok := strings.Cut(p, "/")
		if !ok {
			return fmt.Errorf("%q is not a platform such as linux/amd64", p)
		}
		exe := name + "-" + goos + "-" + goarch
		if goos == "windows" {
			exe += ".exe"
		}
		cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(out, exe), ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building for %s: %v", p, err)
		}
		b, err := os.ReadFile(filepath.Join(out, exe))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m.Binaries[p] = sdk.Binary{Path: exe, SHA256: hex.EncodeToString(sum[:])}
		fmt.Printf("%s  %s\n", hex.EncodeToString(sum[:]), filepath.Join(out, exe))
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %v", sdk.ManifestFile, err)
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(out, sdk.ManifestFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Println(filepath.Join(out, sdk.ManifestFile))
	if what == "dist" {
		archive := filepath.Join("dist", name+"-"+m.Version+".tar.gz")
		if err := tarGz(archive, out); err != nil {
			return err
		}
		fmt.Println(archive)
	}
	return nil
}

// tarGz archives dir as one folder named after it, the layout
// `marketbench plugin install` unpacks.
func tarGz(archive, dir string) error {
	f, err := os.Create(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		mode := int64(0o644)
		if e.Name() != sdk.ManifestFile {
			mode = 0o755
		}
		hdr := &tar.Header{Name: filepath.Base(dir) + "/" + e.Name(), Mode: mode, Size: int64(len(b)), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}
