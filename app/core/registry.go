package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// A registry is a folder of plugin archives with an index (a team's shared
// drive): plugins/host checks what it installs from one; here are the
// listing, and the update that moves a project's pin and asks for your
// approval again when the new version wants more.

// RegistryListing is a plugin in a registry and what this computer and
// the project have of it.
type RegistryListing struct {
	host.RegPlugin
	// Latest is the newest version this Marketbench runs (nil when none).
	Latest *host.RegVersion
	// Installed are the versions installed here, oldest first.
	Installed []string
	// Enabled is the version the project pinned ("" when none, or no
	// project).
	Enabled string
	// TrustedKeyID is the signer key you trust for it ("" when none).
	TrustedKeyID string
}

// SearchRegistry lists the registry's plugins whose id, name, publisher or
// description contains text (all with text empty). w may be nil (no
// project).
func SearchRegistry(ctx context.Context, regDir, text string, w *Workspace) ([]RegistryListing, error) {
	ix, err := host.ReadIndex(regDir, false)
	if err != nil {
		return nil, err
	}
	installed := installedVersions()
	pins := map[string]pin{}
	if w != nil {
		if pins, err = w.pins(ctx); err != nil {
			return nil, err
		}
	}
	signers, err := host.OpenSigners()
	if err != nil {
		return nil, err
	}
	text = strings.ToLower(strings.TrimSpace(text))
	out := []RegistryListing{}
	for _, p := range ix.Plugins {
		hay := strings.ToLower(strings.Join([]string{p.ID, p.Name, p.Publisher, p.Description}, "\n"))
		if text != "" && !strings.Contains(hay, text) {
			continue
		}
		l := RegistryListing{RegPlugin: p, Installed: installed[p.ID], Enabled: pins[p.ID].version}
		if l.Installed == nil {
			l.Installed = []string{}
		}
		if v, err := p.Version(""); err == nil {
			l.Latest = v
		}
		if s, err := signers.Get(p.ID); err != nil {
			return nil, err
		} else if s != nil {
			l.TrustedKeyID = s.KeyID
		}
		out = append(out, l)
	}
	return out, nil
}

// installedVersions maps plugin ids to their usable installed versions.
func installedVersions() map[string][]string {
	user, _ := host.UserDir()
	out := map[string][]string{}
	for _, f := range host.Discover(user, host.BundledDir()) {
		if f.Manifest != nil && f.Err == nil {
			out[f.Manifest.ID] = append(out[f.Manifest.ID], f.Manifest.Version)
		}
	}
	for _, v := range out {
		slices.SortFunc(v, host.CompareSemver)
	}
	return out
}

// InstallFromRegistry installs NAME[@VERSION] from a registry folder into
// the user plugin folder (see host.InstallFromRegistry for the checks).
func InstallFromRegistry(regDir, ref string) (*host.RegistryInstall, error) {
	dir, err := host.UserDir()
	if err != nil {
		return nil, err
	}
	return host.InstallFromRegistry(regDir, ref, dir)
}

// PluginUpdate is what 'plugin update' did for one plugin.
type PluginUpdate struct {
	ID string
	// From is the newest version installed before (""), To the registry's
	// newest; UpToDate means nothing was newer.
	From, To string
	UpToDate bool
	Install  *host.RegistryInstall
	// PinnedFrom is the version the project used before, when the update
	// moved the project's pin to To.
	PinnedFrom string
	// AddedFields and AddedHosts are what To asks for beyond what you had
	// approved; NeedsApproval is set when you must approve To before the
	// project starts it ('plugin approve').
	AddedFields, AddedHosts []string
	NeedsApproval           *ApprovalNeeded
}

// UpdateFromRegistry installs the registry's newest version of id (of
// every plugin installed here or used by the project, with id empty) and
// moves the project's pin to it (w may be nil: no project). When the new
// version asks for no customer field and no network host beyond what you
// approved for the old one, your approval carries over and the project
// goes on working; otherwise it needs your approval again
// (NeedsApproval) and is not started until you give it.
func UpdateFromRegistry(ctx context.Context, regDir, id string, w *Workspace) ([]PluginUpdate, error) {
	ix, err := host.ReadIndex(regDir, false)
	if err != nil {
		return nil, err
	}
	installed := installedVersions()
	pins := map[string]pin{}
	if w != nil {
		if pins, err = w.pins(ctx); err != nil {
			return nil, err
		}
	}
	var targets []string
	if id != "" {
		p, err := ix.Plugin(id)
		if err != nil {
			return nil, err
		}
		if _, ok := pins[p.ID]; !ok && len(installed[p.ID]) == 0 {
			return nil, i18n.Errorf("%s is not installed; install it with 'marketbench plugin install %s --from %s'", p.ID, p.ID, regDir)
		}
		targets = []string{p.ID}
	} else {
		for _, p := range ix.Plugins {
			if _, ok := pins[p.ID]; ok || len(installed[p.ID]) > 0 {
				targets = append(targets, p.ID)
			}
		}
	}
	out := []PluginUpdate{}
	for _, pid := range targets {
		p, _ := ix.Plugin(pid)
		newest, err := p.Version("")
		if err != nil {
			return out, err
		}
		u := PluginUpdate{ID: pid, To: newest.Version}
		if have := installed[pid]; len(have) > 0 {
			u.From = have[len(have)-1]
		}
		pinned, isPinned := pins[pid]
		behind := isPinned && host.CompareSemver(pinned.version, newest.Version) < 0
		if u.From != "" && host.CompareSemver(u.From, newest.Version) >= 0 && !behind {
			u.UpToDate = true
			out = append(out, u)
			continue
		}
		if u.Install, err = InstallFromRegistry(regDir, pid+"@"+newest.Version); err != nil {
			return out, err
		}
		if behind {
			u.PinnedFrom = pinned.version
			if err := w.repin(ctx, pid, u.Install.Found, &u); err != nil {
				return out, err
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// repin moves the project's pin of id to the build f, as enabling it would
// (its manifest's fields and hosts), and carries your approval of the old
// build over when f asks for nothing more.
func (w *Workspace) repin(ctx context.Context, id string, f *host.Found, u *PluginUpdate) error {
	var oldVersion, oldSHA string
	err := w.Q().QueryRowContext(ctx, `SELECT version, sha256 FROM mb_plugin_lock WHERE plugin_id = ?`, id).Scan(&oldVersion, &oldSHA)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	approvals, err := host.OpenApprovals()
	if err != nil {
		return err
	}
	old, err := approvals.Get(id, oldSHA)
	if err != nil {
		return err
	}
	m := f.Manifest
	for _, x := range m.Fields {
		if old == nil || !slices.Contains(old.Fields, x) {
			u.AddedFields = append(u.AddedFields, x)
		}
	}
	for _, x := range m.NetworkHosts {
		if old == nil || !slices.Contains(old.Hosts, x) {
			u.AddedHosts = append(u.AddedHosts, x)
		}
	}
	fields, _ := json.Marshal(orEmpty(m.Fields))
	hosts, _ := json.Marshal(orEmpty(m.NetworkHosts))
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE mb_plugin_lock SET version = ?, sha256 = ?, fields_json = ?, hosts_json = ? WHERE plugin_id = ?`,
			m.Version, f.SHA256, string(fields), string(hosts), id); err != nil {
			return err
		}
		carried := "approval needed again"
		if old != nil && len(u.AddedFields)+len(u.AddedHosts) == 0 {
			carried = "approval carried over"
		}
		return w.InTx(tx).Audit(ctx, tx, "plugin update", id, -1, -1,
			fmt.Sprintf("%s %s → %s %s; fields %s, hosts %s; %s", oldVersion, oldSHA, m.Version, f.SHA256, fields, hosts, carried))
	})
	if err != nil {
		return err
	}
	// The old build's process must not answer for the new one.
	w.Host().Stop(id)
	if old != nil && len(u.AddedFields)+len(u.AddedHosts) == 0 {
		if _, err := approvals.Approve(host.Approval{ID: id, SHA256: f.SHA256, Version: m.Version, Fields: m.Fields, Hosts: m.NetworkHosts}); err != nil {
			return err
		}
	}
	need, err := w.PluginApproval(ctx, id)
	if err != nil {
		return err
	}
	u.NeedsApproval = need
	return nil
}
