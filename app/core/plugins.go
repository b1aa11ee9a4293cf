package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
	"github.com/marketbench/marketbench/sdk"
	"github.com/marketbench/marketbench/sdk/client"
	pb "github.com/marketbench/marketbench/sdk/proto/pluginv1"
)

// hosts keeps one plugin host per workspace; plugins start only when used.
var hosts sync.Map // *Workspace → *host.Host

// Host returns the workspace's plugin host.
func (w *Workspace) Host() *host.Host {
	if h, ok := hosts.Load(w); ok {
		return h.(*host.Host)
	}
	user, _ := host.UserDir()
	logs := ""
	if d, err := os.UserCacheDir(); err == nil {
		logs = filepath.Join(d, "marketbench", "plugin-logs")
	}
	opt := host.Options{UserDir: user, BundledDir: host.BundledDir(), LogDir: logs}
	// MARKETBENCH_PLUGIN_TIMEOUT (a duration) overrides how long one call
	// to a plugin may take before it is stopped.
	if d, err := time.ParseDuration(os.Getenv("MARKETBENCH_PLUGIN_TIMEOUT")); err == nil && d > 0 {
		opt.CallTimeout = d
	}
	h, _ := hosts.LoadOrStore(w, host.New(opt))
	return h.(*host.Host)
}

// Close stops the workspace's plugins and closes the project.
func (w *Workspace) Close() error {
	if h, ok := hosts.LoadAndDelete(w); ok {
		h.(*host.Host).Close()
	}
	return w.closeFile()
}

// PluginInfo is a plugin on disk and whether this project uses it.
type PluginInfo struct {
	host.Found
	// Enabled means the project pinned this plugin's program.
	Enabled bool
	// PinnedVersion and PinnedSHA256 are what the project pinned.
	PinnedVersion, PinnedSHA256 string
	// NeedsApproval is set when the project enabled this build but you
	// have not approved it on this computer (or not for everything the
	// project asks): what approving it would allow.
	NeedsApproval *ApprovalNeeded
}

// Plugins lists installed and bundled plugins with the project's pins.
func (w *Workspace) Plugins(ctx context.Context) ([]PluginInfo, error) {
	pins, err := w.pins(ctx)
	if err != nil {
		return nil, err
	}
	var out []PluginInfo
	for _, f := range w.Host().Discover() {
		pi := PluginInfo{Found: f}
		if f.Manifest != nil {
			if pin, ok := pins[f.Manifest.ID]; ok {
				pi.PinnedVersion, pi.PinnedSHA256 = pin.version, pin.sha
				pi.Enabled = pin.version == f.Manifest.Version
				if pi.Enabled && f.Err == nil && pin.sha == f.SHA256 {
					r, err := w.resolve(ctx, f.Manifest.ID)
					if err != nil {
						return nil, err
					}
					pi.NeedsApproval = r.needed(w)
				}
			}
		}
		out = append(out, pi)
	}
	return out, nil
}

type pin struct{ version, sha string }

func (w *Workspace) pins(ctx context.Context) (map[string]pin, error) {
	rows, err := w.Q().QueryContext(ctx, `SELECT plugin_id, version, sha256 FROM mb_plugin_lock`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]pin{}
	for rows.Next() {
		var id string
		var p pin
		if err := rows.Scan(&id, &p.version, &p.sha); err != nil {
			return nil, err
		}
		out[id] = p
	}
	return out, rows.Err()
}

// InstallPlugin installs a plugin from a folder or archive into the user
// plugin folder (it is enabled per project with EnablePlugin).
func (w *Workspace) InstallPlugin(src string) (*host.Found, error) {
	dir, err := host.UserDir()
	if err != nil {
		return nil, err
	}
	return host.Install(src, dir)
}

// find returns the plugin with id (the highest version, bundled or
// installed), or version when given.
func (w *Workspace) find(id, version string) (*host.Found, error) {
	var best *host.Found
	var broken error
	for _, f := range w.Host().Discover() {
		if f.Manifest == nil || f.Manifest.ID != id || (version != "" && f.Manifest.Version != version) {
			continue
		}
		if f.Err != nil {
			broken = f.Err
			continue
		}
		if best == nil || versionLess(best.Manifest.Version, f.Manifest.Version) {
			best = &f
		}
	}
	if best == nil {
		if broken != nil {
			return nil, broken
		}
		if version != "" {
			return nil, i18n.Errorf("plugin %s %s is not installed; see 'plugin list'", id, version)
		}
		return nil, i18n.Errorf("no plugin %q is installed; see 'plugin list'", id)
	}
	return best, nil
}

func versionLess(a, b string) bool {
	var x, y [3]int
	fmt.Sscanf(a, "%d.%d.%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(b, "%d.%d.%d", &y[0], &y[1], &y[2])
	return slices.Compare(x[:], y[:]) < 0
}

// EnablePlugin lets this project use a plugin: its program is checked
// against its manifest and the checksum pinned in the project, with the
// customer fields and network hosts its manifest declares. Enabling is the
// user's own act, so it also records their approval of this build on this
// computer. From then on a changed program is refused.
func (w *Workspace) EnablePlugin(ctx context.Context, id string) (*host.Found, error) {
	f, err := w.find(id, "")
	if err != nil {
		return nil, err
	}
	return w.enableFound(ctx, f)
}

// enableFound enables the build f (EnablePlugin, or 'plugin dev' for the
// version it just built).
func (w *Workspace) enableFound(ctx context.Context, f *host.Found) (*host.Found, error) {
	id := f.Manifest.ID
	if err := f.Verify(); err != nil {
		return nil, err
	}
	approvals, err := host.OpenApprovals()
	if err != nil {
		return nil, err
	}
	fields, _ := json.Marshal(orEmpty(f.Manifest.Fields))
	hosts, _ := json.Marshal(orEmpty(f.Manifest.NetworkHosts))
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_plugin_lock WHERE plugin_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_plugin_lock (plugin_id, version, sha256, fields_json, hosts_json) VALUES (?, ?, ?, ?, ?)`,
			id, f.Manifest.Version, f.SHA256, string(fields), string(hosts)); err != nil {
			return err
		}
		return w.InTx(tx).Audit(ctx, tx, "plugin enable", id, -1, -1,
			fmt.Sprintf("%s %s; approved by enabling: fields %s, hosts %s", f.Manifest.Version, f.SHA256, fields, hosts))
	})
	if err != nil {
		return nil, err
	}
	if _, err := approvals.Approve(host.Approval{ID: id, SHA256: f.SHA256, Version: f.Manifest.Version,
		Fields: f.Manifest.Fields, Hosts: f.Manifest.NetworkHosts}); err != nil {
		return nil, i18n.Errorf("%s is enabled in this project, but %w", id, err)
	}
	return f, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// DisablePlugin removes a plugin's pin from the project.
func (w *Workspace) DisablePlugin(ctx context.Context, id string) error {
	return w.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_plugin_lock WHERE plugin_id = ?`, id); err != nil {
			return err
		}
		return w.InTx(tx).Audit(ctx, tx, "plugin disable", id, -1, -1, "")
	})
}

// ErrNotEnabled means the project has not enabled the plugin.
var ErrNotEnabled = errors.New("the plugin is not enabled in this project")

// ErrNotApproved means the project enabled a plugin that the user has not
// approved on this computer: it is not started until they do.
var ErrNotApproved = errors.New("you have not approved this plugin on this computer")

// ApprovalNeeded is the error of a plugin the project enabled but you
// have not approved (errors.Is ErrNotApproved; errors.As gives the
// details): what approving it would allow.
type ApprovalNeeded struct {
	ID, Version, SHA256 string
	// Fields are the customer fields it would receive: those its manifest
	// declares and the project lists. Hosts are the network hosts its
	// manifest says it contacts.
	Fields, Hosts []string
	// Ignored are fields the project lists but the manifest does not
	// declare: they are never sent, approved or not.
	Ignored []string
	// Project is the project file, for the command that approves.
	Project string
}

func (e *ApprovalNeeded) Error() string { return e.message().Error() }

// Unwrap gives i18n.Error the message in a form it can translate.
func (e *ApprovalNeeded) Unwrap() error { return e.message() }

func (e *ApprovalNeeded) message() error {
	return i18n.Errorf("%s is enabled in this project but you have not approved it on this computer; it would receive %v and contact %v. Approve it with 'marketbench plugin approve %s -p %s' or on the Plugins screen",
		e.ID, fieldsPhrase(e.Fields), hostsPhrase(e.Hosts), e.ID, e.Project)
}

func (e *ApprovalNeeded) Is(target error) bool { return target == ErrNotApproved }

// FieldsText names customer fields for a person (in English).
func FieldsText(f []string) string { return fieldsPhrase(f).Error() }

// HostsText names network hosts for a person (in English).
func HostsText(h []string) string { return hostsPhrase(h).Error() }

// fieldsPhrase and hostsPhrase are errors only so that i18n.Error can tell
// them in either language inside the approval message.
func fieldsPhrase(f []string) error {
	if len(f) == 0 {
		return i18n.Errorf("no customer fields")
	}
	return i18n.Errorf("the customer fields %s", strings.Join(f, ", "))
}

func hostsPhrase(h []string) error {
	if len(h) == 0 {
		return i18n.Errorf("no network hosts (it works offline)")
	}
	return errors.New(strings.Join(h, ", "))
}

// resolved is an enabled plugin checked against the project's pin, with
// what the project asks for and what you approved.
type resolved struct {
	f        *host.Found
	sha      string
	want     []string // manifest fields ∩ the lock's fields
	ignored  []string // the lock's fields the manifest does not declare
	approval *host.Approval
}

// needed says what approving would allow, or nil when your approval
// covers what the project asks: every field it would send and every host
// the manifest names.
func (r *resolved) needed(w *Workspace) *ApprovalNeeded {
	m := r.f.Manifest
	if r.approval != nil && subset(r.want, r.approval.Fields) && subset(m.NetworkHosts, r.approval.Hosts) {
		return nil
	}
	return &ApprovalNeeded{ID: m.ID, Version: m.Version, SHA256: r.sha, Fields: r.want, Hosts: m.NetworkHosts, Ignored: r.ignored, Project: w.Path}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// resolve reads the project's pin of id and finds that build on disk with
// your approval of it. The project's lock is taken as a request, never as
// a grant: a project file can come from anyone.
func (w *Workspace) resolve(ctx context.Context, id string) (*resolved, error) {
	var version, sha, fieldsJSON string
	err := w.Q().QueryRowContext(ctx, `SELECT version, sha256, fields_json FROM mb_plugin_lock WHERE plugin_id = ?`, id).Scan(&version, &sha, &fieldsJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, i18n.Errorf("%w: %s; enable it first ('plugin enable %s')", ErrNotEnabled, id, id)
	}
	if err != nil {
		return nil, err
	}
	f, err := w.find(id, version)
	if err != nil {
		return nil, i18n.Errorf("the project uses %s %s: %w", id, version, err)
	}
	if f.SHA256 != sha {
		return nil, i18n.Errorf("%w: %s %s differs from the build this project pinned (pinned sha256 %s, installed %s); enable it again if you trust it", host.ErrChanged, id, version, sha, f.SHA256)
	}
	var lock []string
	if err := json.Unmarshal([]byte(fieldsJSON), &lock); err != nil {
		return nil, i18n.Errorf("the project's record of %s is damaged (its fields); enable it again", id)
	}
	r := &resolved{f: f, sha: sha, want: intersect(f.Manifest.Fields, lock)}
	for _, x := range lock {
		if !slices.Contains(f.Manifest.Fields, x) {
			r.ignored = append(r.ignored, x)
		}
	}
	approvals, err := host.OpenApprovals()
	if err != nil {
		return nil, err
	}
	if r.approval, err = approvals.Get(id, sha); err != nil {
		return nil, err
	}
	return r, nil
}

// enabled returns the supervised process of an enabled plugin that you
// approved, with the customer fields it may receive: those its manifest
// declares, the project lists and you approved (all three). A plugin you
// have not approved is not started: the error is an *ApprovalNeeded.
func (w *Workspace) enabled(ctx context.Context, id string) (*host.Proc, []string, error) {
	r, err := w.resolve(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if need := r.needed(w); need != nil {
		return nil, nil, need
	}
	p, err := w.Host().Plugin(*r.f, r.sha)
	if err != nil {
		return nil, nil, err
	}
	return p, intersect(r.want, r.approval.Fields), nil
}

// PluginApproval says what approving an enabled plugin would allow in
// this project; nil when you have approved it already.
func (w *Workspace) PluginApproval(ctx context.Context, id string) (*ApprovalNeeded, error) {
	r, err := w.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.needed(w), nil
}

// ApprovePlugin records your approval, on this computer, of the build of
// id this project enabled, for the fields it would receive here (its
// manifest's fields that the project lists) and the hosts its manifest
// names, and audits it in the project. It returns what was approved.
func (w *Workspace) ApprovePlugin(ctx context.Context, id string) (*ApprovalNeeded, error) {
	r, err := w.resolve(ctx, id)
	if err != nil {
		return nil, err
	}
	m := r.f.Manifest
	approvals, err := host.OpenApprovals()
	if err != nil {
		return nil, err
	}
	ap, err := approvals.Approve(host.Approval{ID: id, SHA256: r.sha, Version: m.Version, Fields: r.want, Hosts: m.NetworkHosts})
	if err != nil {
		return nil, err
	}
	fields, _ := json.Marshal(ap.Fields)
	hosts, _ := json.Marshal(ap.Hosts)
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		return w.InTx(tx).Audit(ctx, tx, "plugin approve", id, -1, -1, fmt.Sprintf("%s %s; fields %s, hosts %s", m.Version, r.sha, fields, hosts))
	})
	return &ApprovalNeeded{ID: id, Version: m.Version, SHA256: r.sha, Fields: r.want, Hosts: m.NetworkHosts, Ignored: r.ignored, Project: w.Path}, err
}

// RevokePlugin withdraws your approval of every build of id on this
// computer (audited in this project): no project can start it until you
// approve or enable it again. A running process of it is stopped.
func (w *Workspace) RevokePlugin(ctx context.Context, id string) (int, error) {
	approvals, err := host.OpenApprovals()
	if err != nil {
		return 0, err
	}
	n, err := approvals.Revoke(id)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, i18n.Errorf("you have not approved %s on this computer", id)
	}
	w.Host().Stop(id)
	return n, w.Tx(ctx, func(tx *sql.Tx) error {
		return w.InTx(tx).Audit(ctx, tx, "plugin revoke", id, -1, -1, fmt.Sprintf("%d approved build(s) withdrawn", n))
	})
}

// PluginMetadata starts an enabled plugin (if needed) and asks what it
// offers: components, their settings, capabilities.
func (w *Workspace) PluginMetadata(ctx context.Context, id string) (*pb.Metadata, error) {
	p, _, err := w.enabled(ctx, id)
	if err != nil {
		return nil, err
	}
	var md *pb.Metadata
	err = p.Call(ctx, func(ctx context.Context, c *client.Conn) (err error) {
		md, err = c.Metadata(ctx)
		return err
	})
	return md, err
}

// ChannelSpec returns a channel component's settings as the plugin
// declares them.
func (w *Workspace) ChannelSpec(ctx context.Context, id, component string) (sdk.Component, *pb.Metadata, error) {
	md, err := w.PluginMetadata(ctx, id)
	if err != nil {
		return sdk.Component{}, nil, err
	}
	for _, c := range md.GetComponents() {
		if c.GetKind() == sdk.KindChannel && c.GetName() == component {
			return sdk.ComponentFromProto(c), md, nil
		}
	}
	return sdk.Component{}, md, i18n.Errorf("plugin %s has no channel %q", id, component)
}

// CheckChannel validates settings and tests the channel's connection,
// with the secrets given or else found as for a send (ChannelSecrets).
func (w *Workspace) CheckChannel(ctx context.Context, id, component string, cfg sdk.Config, secrets sdk.Secrets) error {
	spec, _, err := w.ChannelSpec(ctx, id, component)
	if err != nil {
		return err
	}
	secrets = w.ChannelSecrets(ctx, id, component, secrets)
	if errs := spec.Check(cfg, secrets); len(errs) > 0 {
		return fieldErrors(errs)
	}
	p, _, err := w.enabled(ctx, id)
	if err != nil {
		return err
	}
	return p.Call(ctx, func(ctx context.Context, c *client.Conn) error {
		if errs, err := c.ValidateConfig(ctx, component, cfg); err != nil || len(errs) > 0 {
			if err != nil {
				return err
			}
			return fieldErrors(errs)
		}
		return c.Check(ctx, component, cfg, secrets)
	})
}

func fieldErrors(errs []sdk.FieldError) error {
	msgs := make([]error, len(errs))
	for i, e := range errs {
		msgs[i] = e
	}
	return i18n.Errorf("check the settings: %w", errors.Join(msgs...))
}

// PluginLogs returns an enabled plugin's recent log lines.
func (w *Workspace) PluginLogs(ctx context.Context, id string) ([]string, error) {
	p, _, err := w.enabled(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.Logs(), nil
}

// ErrStillEnabled refuses to uninstall a plugin this project enables
// unless the caller also disables it: removing it silently would leave
// the project's campaigns unable to send with no word why.
var ErrStillEnabled = errors.New("the plugin is enabled in this project")

// UninstallPlugin removes an installed plugin (every version) from the
// user plugin folder. A plugin this project enables is removed only with
// disable, which also disables it here (the result says so); otherwise
// the error matches ErrStillEnabled. Other projects that enabled it will
// say it is missing.
func (w *Workspace) UninstallPlugin(ctx context.Context, id string, disable bool) (removed int, disabled bool, err error) {
	dir, err := host.UserDir()
	if err != nil {
		return 0, false, err
	}
	pins, err := w.pins(ctx)
	if err != nil {
		return 0, false, err
	}
	_, enabled := pins[id]
	var mine []host.Found
	bundled := false
	for _, f := range w.Host().Discover() {
		if f.Manifest == nil || f.Manifest.ID != id {
			continue
		}
		if f.Bundled {
			bundled = true
			continue
		}
		mine = append(mine, f)
	}
	switch {
	case len(mine) == 0 && bundled:
		return 0, false, i18n.Errorf("%s is bundled with Marketbench and cannot be removed; disable it instead", id)
	case len(mine) == 0:
		return 0, false, i18n.Errorf("no plugin %q is installed", id)
	}
	// Only an installed copy claiming a bundled plugin's id leaves the
	// bundled one in use, so the project's pin is not in the way then.
	if enabled && !bundled && !disable {
		return 0, false, i18n.Errorf("%w: %s is enabled in %s, whose campaigns would stop working; remove it and disable it there with 'marketbench plugin uninstall %s --disable -p %s', or disable it first",
			ErrStillEnabled, id, w.Path, id, w.Path)
	}
	w.Host().StopFor(id, "it is being uninstalled")
	for _, f := range mine {
		if err := host.Uninstall(f, dir); err != nil {
			return removed, false, err
		}
		removed++
	}
	if bundled || !enabled {
		return removed, false, nil
	}
	return removed, true, w.DisablePlugin(ctx, id)
}

// SaveChannelSettings keeps a channel's plain settings in the project, so
// every campaign on it starts from them. They are checked against the
// channel's declared fields; secret fields are refused here.
func (w *Workspace) SaveChannelSettings(ctx context.Context, id, component string, cfg sdk.Config) error {
	spec, _, err := w.ChannelSpec(ctx, id, component)
	if err != nil {
		return err
	}
	var kept []sdk.FieldError
	for _, e := range spec.Check(cfg, nil) {
		if e.Message != "is required" || !isSecretField(spec, e.Field) {
			kept = append(kept, e)
		}
	}
	if len(kept) > 0 {
		return fieldErrors(kept)
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return w.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_channel_settings (plugin_id, component, config_json) VALUES (?, ?, ?)
			ON CONFLICT DO UPDATE SET config_json = excluded.config_json, updated_at = now()`, id, component, string(b)); err != nil {
			return err
		}
		return w.InTx(tx).Audit(ctx, tx, "channel settings", id+"/"+component, -1, -1, "")
	})
}

// ChannelSettings returns a channel's saved settings (nil when none).
func (w *Workspace) ChannelSettings(ctx context.Context, id, component string) (sdk.Config, error) {
	var s string
	err := w.Q().QueryRowContext(ctx, `SELECT config_json FROM mb_channel_settings WHERE plugin_id = ? AND component = ?`, id, component).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cfg sdk.Config
	if err := json.Unmarshal([]byte(s), &cfg); err != nil {
		return nil, i18n.Errorf("the saved settings of %s/%s are damaged: %v", id, component, err)
	}
	return cfg, nil
}
