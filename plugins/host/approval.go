package host

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
)

// ConfigDirEnv overrides <user config dir>/marketbench, the folder of this
// user's settings on this computer (the plugin approvals among them).
const ConfigDirEnv = "MARKETBENCH_CONFIG_DIR"

// ConfigDir is <user config dir>/marketbench, or $MARKETBENCH_CONFIG_DIR.
func ConfigDir() (string, error) {
	if d := os.Getenv(ConfigDirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", i18n.Errorf("no user config folder for your plugin approvals (set %s): %v", ConfigDirEnv, err)
	}
	return filepath.Join(d, "marketbench"), nil
}

// Approval is a person's consent, on this computer, to run one build of a
// plugin (its id and program checksum) with the customer fields and
// network hosts they were shown. It belongs to the person, not to a
// project file: a project someone sends can enable a plugin, but not
// approve it.
type Approval struct {
	ID      string    `json:"id"`
	SHA256  string    `json:"sha256"`
	Version string    `json:"version"`
	Fields  []string  `json:"fields"`
	Hosts   []string  `json:"hosts"`
	At      time.Time `json:"approved_at"`
}

// Approvals is the file of this user's approvals:
// <config dir>/plugin-approvals.json.
type Approvals struct{ path string }

type approvalsFile struct {
	Approvals []Approval `json:"approvals"`
}

// OpenApprovals returns this user's approvals.
func OpenApprovals() (*Approvals, error) {
	d, err := ConfigDir()
	if err != nil {
		return nil, err
	}
	return &Approvals{path: filepath.Join(d, "plugin-approvals.json")}, nil
}

func (a *Approvals) read() ([]Approval, error) {
	b, err := os.ReadFile(a.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, i18n.Errorf("cannot read your plugin approvals: %v", err)
	}
	var f approvalsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, i18n.Errorf("your plugin approvals (%s) are damaged (%v); remove the file and approve your plugins again", a.path, err)
	}
	return f.Approvals, nil
}

// write replaces the file at once (a temporary file renamed), readable by
// this user only.
func (a *Approvals) write(list []Approval) error {
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return i18n.Errorf("cannot save your plugin approval: %v", err)
	}
	b, _ := json.MarshalIndent(approvalsFile{Approvals: list}, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(a.path), ".plugin-approvals-*")
	if err != nil {
		return i18n.Errorf("cannot save your plugin approval: %v", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), a.path)
	}
	if err != nil {
		return i18n.Errorf("cannot save your plugin approval: %v", err)
	}
	return nil
}

// Get returns the approval of the build sha of plugin id, or nil.
func (a *Approvals) Get(id, sha string) (*Approval, error) {
	list, err := a.read()
	if err != nil {
		return nil, err
	}
	for _, ap := range list {
		if ap.ID == id && ap.SHA256 == sha {
			return &ap, nil
		}
	}
	return nil, nil
}

// Approve records ap, adding its fields and hosts to what this build was
// already approved for (approving it for one project never narrows what
// another project was approved for). It returns the approval as stored.
func (a *Approvals) Approve(ap Approval) (Approval, error) {
	list, err := a.read()
	if err != nil {
		return ap, err
	}
	i := slices.IndexFunc(list, func(x Approval) bool { return x.ID == ap.ID && x.SHA256 == ap.SHA256 })
	if i >= 0 {
		ap.Fields = union(list[i].Fields, ap.Fields)
		ap.Hosts = union(list[i].Hosts, ap.Hosts)
		list = slices.Delete(list, i, i+1)
	}
	if ap.Fields == nil {
		ap.Fields = []string{}
	}
	if ap.Hosts == nil {
		ap.Hosts = []string{}
	}
	if ap.At.IsZero() {
		ap.At = time.Now().UTC().Truncate(time.Second)
	}
	list = append(list, ap)
	return ap, a.write(list)
}

// Revoke removes every approval of plugin id and returns how many.
func (a *Approvals) Revoke(id string) (int, error) {
	list, err := a.read()
	if err != nil {
		return 0, err
	}
	kept := slices.DeleteFunc(slices.Clone(list), func(x Approval) bool { return x.ID == id })
	if n := len(list) - len(kept); n > 0 {
		return n, a.write(kept)
	}
	return 0, nil
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
