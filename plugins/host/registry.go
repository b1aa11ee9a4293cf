package host

import (
	"cmp"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// A registry is a folder (a team's shared drive) holding plugin archives,
// their signatures and index.json, which lists every plugin and version
// with the archive's checksum. Nothing in it is trusted as is: install
// checks each archive against the index, the signature against the key,
// the key against the one pinned on this computer, and the archive's
// manifest against the index.

// IndexFile is the registry's index, in the registry folder.
const IndexFile = "index.json"

// IndexFormat is the version of index.json's layout.
const IndexFormat = 1

// Index is index.json.
type Index struct {
	Format  int         `json:"format"`
	Plugins []RegPlugin `json:"plugins"`
}

// RegPlugin is one plugin in a registry, described as its newest version's
// manifest describes it.
type RegPlugin struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Publisher   string       `json:"publisher"`
	Versions    []RegVersion `json:"versions"`
}

// RegVersion is one published version: its archive and what its manifest
// asks for, so a person can see it before installing.
type RegVersion struct {
	Version string `json:"version"`
	// Archive is a file name in the registry folder (never a path).
	Archive        string    `json:"archive"`
	SHA256         string    `json:"sha256"`
	Kinds          []string  `json:"kinds"`
	Fields         []string  `json:"fields"`
	NetworkHosts   []string  `json:"network_hosts"`
	MinHostVersion string    `json:"min_host_version,omitempty"`
	Changelog      string    `json:"changelog,omitempty"`
	PublishedAt    time.Time `json:"published_at"`
	// Signature is the minisign signature file of the archive; empty when
	// the version is not signed. SignerKeyID is the key's minisign id (16
	// hex digits) and SignerPublicKey the key itself (minisign's base64).
	Signature       string `json:"signature,omitempty"`
	SignerKeyID     string `json:"signer_key_id,omitempty"`
	SignerPublicKey string `json:"signer_public_key,omitempty"`
}

// Signed reports whether the version claims a signature.
func (v RegVersion) Signed() bool {
	return v.Signature != "" || v.SignerKeyID != "" || v.SignerPublicKey != ""
}

// ReadIndex reads dir/index.json. A folder without one is an empty
// registry when missingOK (publishing the first plugin), an error otherwise.
func ReadIndex(dir string, missingOK bool) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if errors.Is(err, os.ErrNotExist) {
		if st, serr := os.Stat(dir); serr != nil || !st.IsDir() {
			return nil, i18n.Errorf("the registry folder %s does not exist", dir)
		}
		if missingOK {
			return &Index{Format: IndexFormat, Plugins: []RegPlugin{}}, nil
		}
		return nil, i18n.Errorf("%s is not a plugin registry: it has no %s (publish a plugin into it with 'marketbench plugin publish DIR --to %s')", dir, IndexFile, dir)
	}
	if err != nil {
		return nil, i18n.Errorf("cannot read the registry's index: %v", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, i18n.Errorf("the registry's index %s is damaged: %v", filepath.Join(dir, IndexFile), err)
	}
	if ix.Format > IndexFormat {
		return nil, i18n.Errorf("the registry's index is in format %d; this Marketbench reads format %d: update Marketbench", ix.Format, IndexFormat)
	}
	for _, p := range ix.Plugins {
		if err := sdk.CheckID(p.ID); err != nil {
			return nil, i18n.Errorf("the registry's index is damaged: %v", err)
		}
		for _, v := range p.Versions {
			if err := checkFileName(v.Archive); err != nil {
				return nil, err
			}
			if v.Signature != "" {
				if err := checkFileName(v.Signature); err != nil {
					return nil, err
				}
			}
		}
	}
	if ix.Plugins == nil {
		ix.Plugins = []RegPlugin{}
	}
	return &ix, nil
}

// checkFileName refuses an index entry naming anything but a file in the
// registry folder itself.
func checkFileName(name string) error {
	if name == "" || name != filepath.Base(name) || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || strings.HasPrefix(name, ".") {
		return i18n.Errorf("the registry's index is damaged: %q is not a file name in the registry folder", name)
	}
	return nil
}

// writeIndex replaces dir/index.json at once (a temporary file renamed), so
// a reader on the shared drive sees the old index or the new, never half.
func writeIndex(dir string, ix *Index) error {
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, IndexFile), append(b, '\n'), 0o644)
}

func writeAtomic(path string, b []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}

// Plugin returns the plugin ref names: its id, or its name (the part after
// the slash, or the manifest's name) when only one plugin has it.
func (ix *Index) Plugin(ref string) (*RegPlugin, error) {
	var hits []*RegPlugin
	for i := range ix.Plugins {
		p := &ix.Plugins[i]
		if p.ID == ref {
			return p, nil
		}
		_, short, _ := strings.Cut(p.ID, "/")
		if strings.EqualFold(short, ref) || strings.EqualFold(p.Name, ref) {
			hits = append(hits, p)
		}
	}
	switch len(hits) {
	case 0:
		return nil, i18n.Errorf("the registry has no plugin %q; see 'marketbench plugin search --from DIR'", ref)
	case 1:
		return hits[0], nil
	}
	var ids []string
	for _, p := range hits {
		ids = append(ids, p.ID)
	}
	return nil, i18n.Errorf("%q names several plugins in the registry (%s); give the id", ref, strings.Join(ids, ", "))
}

// Version returns version v of p, or with v empty the newest that this
// Marketbench can run.
func (p *RegPlugin) Version(v string) (*RegVersion, error) {
	var best *RegVersion
	for i := range p.Versions {
		x := &p.Versions[i]
		if v != "" {
			if x.Version == v {
				return x, nil
			}
			continue
		}
		if x.MinHostVersion != "" && CompareSemver(x.MinHostVersion, HostVersion) > 0 {
			continue
		}
		if best == nil || CompareSemver(best.Version, x.Version) < 0 {
			best = x
		}
	}
	if best == nil {
		if v != "" {
			return nil, i18n.Errorf("the registry has no version %s of %s (it has %s)", v, p.ID, strings.Join(p.VersionList(), ", "))
		}
		return nil, i18n.Errorf("no version of %s in the registry runs on Marketbench %s", p.ID, HostVersion)
	}
	return best, nil
}

// Latest is p's newest version, whatever Marketbench it needs (nil when
// the plugin has none).
func (p *RegPlugin) Latest() *RegVersion {
	var best *RegVersion
	for i := range p.Versions {
		if best == nil || CompareSemver(best.Version, p.Versions[i].Version) < 0 {
			best = &p.Versions[i]
		}
	}
	return best
}

// VersionList lists p's versions, oldest first.
func (p *RegPlugin) VersionList() []string {
	var out []string
	for _, v := range p.Versions {
		out = append(out, v.Version)
	}
	slices.SortFunc(out, CompareSemver)
	return out
}

// CompareSemver compares two versions as semantic versioning does:
// numerically part by part, a pre-release ("1.0.0-rc.1") before its
// release, build metadata ("+abc") ignored.
func CompareSemver(a, b string) int {
	a, _, _ = strings.Cut(a, "+")
	b, _, _ = strings.Cut(b, "+")
	ac, apre, aHas := strings.Cut(a, "-")
	bc, bpre, bHas := strings.Cut(b, "-")
	if c := compareVersions(ac, bc); c != 0 {
		return c
	}
	switch {
	case !aHas && !bHas:
		return 0
	case !aHas:
		return 1
	case !bHas:
		return -1
	}
	as, bs := strings.Split(apre, "."), strings.Split(bpre, ".")
	for i := range min(len(as), len(bs)) {
		x, xerr := strconv.ParseUint(as[i], 10, 64)
		y, yerr := strconv.ParseUint(bs[i], 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
		case xerr == nil: // numeric identifiers sort before others
			return -1
		case yerr == nil:
			return 1
		default:
			if c := strings.Compare(as[i], bs[i]); c != 0 {
				return c
			}
		}
	}
	return cmp.Compare(len(as), len(bs))
}
