package sdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ManifestFile is the name of a plugin's manifest in its folder.
const ManifestFile = "plugin.json"

// Manifest is plugin.json: what a plugin is and needs, read by the host
// before the plugin ever runs, so the user can see and approve it.
type Manifest struct {
	ID          string `json:"id"`
	Version     string `json:"version"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	// Kinds holds "channel", "model" and/or "source".
	Kinds []string `json:"kinds"`
	// ProtocolVersions lists the go-plugin protocol versions it speaks.
	ProtocolVersions []int `json:"protocol_versions"`
	// MinHostVersion is the oldest Marketbench that can run it.
	MinHostVersion string `json:"min_host_version,omitempty"`
	// Binaries maps "GOOS/GOARCH" to the executable, relative to the
	// manifest, and its SHA-256.
	Binaries map[string]Binary `json:"binaries"`
	// NetworkHosts are the hosts it contacts ("*.example.com"), or
	// "configured" for a host the user enters (a webhook URL, an SMTP
	// server). Empty means it works offline.
	NetworkHosts []string `json:"network_hosts,omitempty"`
	// Fields are the customer fields it needs (e.g. "email"); the host
	// sends it nothing else about a customer.
	Fields []string `json:"fields,omitempty"`
}

// Binary is one executable of a plugin.
type Binary struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

var (
	semverRE = regexp.MustCompile(`^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$`)
	shaRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	platRE   = regexp.MustCompile(`^[a-z0-9]+/[a-z0-9]+$`)
)

// Known customer fields a plugin may ask for.
var KnownFields = []string{"customer_id", "email", "phone", "wechat_openid", "push_token", "first_name", "last_name", "full_name", "country", "city", "language"}

// Validate checks a manifest and says every problem in words.
func (m *Manifest) Validate() error {
	var errs []string
	if err := CheckID(m.ID); err != nil {
		errs = append(errs, err.Error())
	}
	if !semverRE.MatchString(m.Version) {
		errs = append(errs, fmt.Sprintf("version %q is not a version like 1.2.3", m.Version))
	}
	if m.MinHostVersion != "" && !semverRE.MatchString(m.MinHostVersion) {
		errs = append(errs, fmt.Sprintf("min_host_version %q is not a version like 1.2.3", m.MinHostVersion))
	}
	if len(m.Kinds) == 0 {
		errs = append(errs, "kinds is empty")
	}
	for _, k := range m.Kinds {
		if k != KindChannel && k != KindModel && k != KindSource {
			errs = append(errs, fmt.Sprintf("unknown kind %q (channel, model or source)", k))
		}
	}
	if len(m.ProtocolVersions) == 0 {
		errs = append(errs, "protocol_versions is empty")
	}
	if len(m.Binaries) == 0 {
		errs = append(errs, "binaries is empty")
	}
	for plat, b := range m.Binaries {
		switch {
		case !platRE.MatchString(plat):
			errs = append(errs, fmt.Sprintf("binaries: %q is not an os/arch pair like linux/amd64", plat))
		case b.Path == "" || filepath.IsAbs(b.Path) || strings.Contains(filepath.ToSlash(b.Path), ".."):
			errs = append(errs, fmt.Sprintf("binaries[%s]: path %q must be a file inside the plugin folder", plat, b.Path))
		case !shaRE.MatchString(b.SHA256):
			errs = append(errs, fmt.Sprintf("binaries[%s]: sha256 must be 64 lower-case hex digits", plat))
		}
	}
	for _, f := range m.Fields {
		if !slices.Contains(KnownFields, f) {
			errs = append(errs, fmt.Sprintf("fields: %q is not a customer field (%s)", f, strings.Join(KnownFields, ", ")))
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// ReadManifest reads and validates dir/plugin.json.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("no readable %s in %s: %w", ManifestFile, dir, err)
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s is not a valid manifest: %v", path, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &m, nil
}
