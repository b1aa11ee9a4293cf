// Package scaffold writes a new plugin as a ready Go module outside this
// repository: a working channel, model or source, tests that run it
// through sdk/plugintest, a manifest, a Makefile and a release tool that
// builds the program and fills in its checksum.
//
// The SDK is not on the Go module proxy (`go get …/sdk@latest` answers
// 403), so the module requires it as v0.0.0 and replaces it with a copy of
// the SDK's source written into third_party/marketbench-sdk. The copy
// comes from the SDK module itself (sdk.ModuleFiles, embedded there, since
// go:embed cannot reach into another module): the plugin builds with
// exactly the SDK of the Marketbench that generated it, needs no checkout
// of this repository and no network for the SDK. Its other dependencies
// (gRPC, go-plugin, Arrow) are public modules; go.mod and go.sum are the
// SDK's own, so `go test` needs no `go mod tidy`.
package scaffold

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

//go:embed templates
var templates embed.FS

// SDKModule is the SDK's module path.
const SDKModule = "github.com/marketbench/marketbench/sdk"

// SDKCopy is where the SDK's source is written inside a new module.
const SDKCopy = "third_party/marketbench-sdk"

// Kinds are the kinds of plugin the scaffold writes.
var Kinds = []string{sdk.KindChannel, sdk.KindModel, sdk.KindSource}

// Options say what to write.
type Options struct {
	// Name is the plugin's short name: the folder, the program and the
	// part of the id after the slash ("mychannel").
	Name string
	// Kind is channel, model or source.
	Kind string
	// Module is the Go module path; "" means example.com/NAME.
	Module string
	// ID is the plugin id, publisher/name; "" means the module path, which
	// must then be one.
	ID string
	// Dir is the folder to write; "" means ./NAME. It must not exist or be
	// empty.
	Dir string
	// SDK, when set, is a folder holding the SDK (a checkout's sdk/), as
	// written in go.mod's replace (relative to Dir, or absolute); nothing
	// is copied. Empty copies the SDK into third_party/marketbench-sdk.
	SDK string
}

// Result says what was written.
type Result struct {
	Dir, Module, ID, Kind, Name string
	// Component is the channel, model or source's name in the plugin.
	Component string
	// Files are the files written, relative to Dir, sorted (the SDK copy
	// counts as one entry, its folder).
	Files []string
}

var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)

// components names each kind's component in the generated plugin.
var components = map[string]string{sdk.KindChannel: "file", sdk.KindModel: "mean", sdk.KindSource: "folder"}

// Generate writes the module and returns what it wrote.
func Generate(o Options) (*Result, error) {
	if !nameRE.MatchString(o.Name) || len(o.Name) > 60 {
		return nil, i18n.Errorf("the plugin name %q must be lower-case letters, digits, dots and dashes, starting and ending with a letter or digit", o.Name)
	}
	if !slices.Contains(Kinds, o.Kind) {
		return nil, i18n.Errorf("the kind must be channel, model or source, not %q", o.Kind)
	}
	if o.Module == "" {
		o.Module = "example.com/" + o.Name
	}
	if strings.ContainsAny(o.Module, " \t\"'\\") || strings.HasPrefix(o.Module, "/") || strings.HasSuffix(o.Module, "/") {
		return nil, i18n.Errorf("the module path %q is not a Go module path such as example.com/%s", o.Module, o.Name)
	}
	if o.ID == "" {
		o.ID = o.Module
		if sdk.CheckID(o.ID) != nil {
			return nil, i18n.Errorf("the module path %s is not a plugin id (publisher/name, e.g. example.com/%s): give one with --id", o.Module, o.Name)
		}
	}
	if err := sdk.CheckID(o.ID); err != nil {
		return nil, err
	}
	if strings.HasPrefix(o.ID, "marketbench.org/") {
		return nil, i18n.Errorf("ids under marketbench.org/ are kept for the plugins that come with Marketbench; use your own domain")
	}
	if o.Dir == "" {
		o.Dir = o.Name
	}
	if ents, err := os.ReadDir(o.Dir); err == nil && len(ents) > 0 {
		return nil, i18n.Errorf("%s already exists and is not empty; choose another folder with --dir", o.Dir)
	}
	files, err := render(o)
	if err != nil {
		return nil, err
	}
	res := &Result{Dir: o.Dir, Module: o.Module, ID: o.ID, Kind: o.Kind, Name: o.Name, Component: components[o.Kind]}
	for name, b := range files {
		if err := write(filepath.Join(o.Dir, filepath.FromSlash(name)), b); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, name)
	}
	if o.SDK == "" {
		if err := copySDK(filepath.Join(o.Dir, filepath.FromSlash(SDKCopy))); err != nil {
			return nil, err
		}
		res.Files = append(res.Files, SDKCopy+"/")
	}
	slices.Sort(res.Files)
	return res, nil
}

// data is what the templates see, as {%.Name%}: Go code has "{{" in
// composite literals.
type data struct {
	Name, Kind, Module, ID, Component, Exe string
}

// render returns the module's files (not the SDK copy) by slash path.
func render(o Options) (map[string][]byte, error) {
	d := data{Name: o.Name, Kind: o.Kind, Module: o.Module, ID: o.ID, Component: components[o.Kind], Exe: o.Name}
	out := map[string][]byte{}
	for _, dir := range []string{"templates/common", "templates/" + o.Kind} {
		err := fs.WalkDir(templates, dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			src, err := templates.ReadFile(p)
			if err != nil {
				return err
			}
			tpl, err := template.New(p).Delims("{%", "%}").Option("missingkey=error").Parse(string(src))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := tpl.Execute(&b, d); err != nil {
				return err
			}
			// "gitignore.tmpl" → ".gitignore": go:embed leaves out dot files.
			name := strings.TrimSuffix(strings.TrimPrefix(p, dir+"/"), ".tmpl")
			if name == "gitignore" {
				name = ".gitignore"
			}
			body := b.Bytes()
			if strings.HasSuffix(name, ".go") {
				if body, err = format.Source(body); err != nil {
					return fmt.Errorf("template %s: %v", p, err)
				}
			}
			out[name] = body
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	mod, err := goMod(o)
	if err != nil {
		return nil, err
	}
	out["go.mod"] = mod
	if out["go.sum"], err = fs.ReadFile(sdk.ModuleFiles(), "go.sum"); err != nil {
		return nil, err
	}
	return out, nil
}

// goMod writes the module's go.mod: the SDK's go version and requirements
// (so the SDK's go.sum is complete for it), the SDK at v0.0.0, and the
// replace that points at the SDK's source.
func goMod(o Options) ([]byte, error) {
	src, err := fs.ReadFile(sdk.ModuleFiles(), "go.mod")
	if err != nil {
		return nil, err
	}
	goLine, reqs := "", []string{}
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "go":
			goLine = f[1]
		case len(f) == 2 && f[0] == "require" && f[1] == "(":
			inBlock = true
		case len(f) == 1 && f[0] == ")":
			inBlock = false
		case inBlock && len(f) == 2:
			reqs = append(reqs, f[0]+" "+f[1])
		case len(f) == 3 && f[0] == "require":
			reqs = append(reqs, f[1]+" "+f[2])
		}
	}
	if goLine == "" || len(reqs) == 0 {
		return nil, fmt.Errorf("the SDK's go.mod has no go line or requirements")
	}
	slices.Sort(reqs)
	// Model and source plugins import Arrow themselves.
	direct := map[string]bool{}
	if o.Kind != sdk.KindChannel {
		direct["github.com/apache/arrow-go/v18"] = true
	}
	replace := "./" + SDKCopy
	if o.SDK != "" {
		replace = filepath.ToSlash(o.SDK)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire (\n", o.Module, goLine)
	for _, r := range slices.Sorted(slices.Values(append(reqs, SDKModule+" v0.0.0"))) {
		if direct[strings.Fields(r)[0]] || strings.HasPrefix(r, SDKModule+" ") {
			fmt.Fprintf(&b, "\t%s\n", r)
		}
	}
	b.WriteString(")\n\nrequire (\n")
	for _, r := range reqs {
		if !direct[strings.Fields(r)[0]] {
			fmt.Fprintf(&b, "\t%s // indirect\n", r)
		}
	}
	fmt.Fprintf(&b, ")\n\n// The Marketbench SDK is not on the Go module proxy: the plugin builds with\n// the copy of its source that 'marketbench plugin new' wrote (or a checkout).\nreplace %s => %s\n", SDKModule, replace)
	return []byte(b.String()), nil
}

// copySDK writes the SDK's source (tests left out) into dir.
func copySDK(dir string) error {
	files := sdk.ModuleFiles()
	return fs.WalkDir(files, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		return write(filepath.Join(dir, filepath.FromSlash(p)), b)
	})
}

func write(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}
