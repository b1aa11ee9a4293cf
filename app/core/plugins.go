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
	"sync"
	"time"

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
	return w.Project.Close()
}

// PluginInfo is a plugin on disk and whether this project uses it.
type PluginInfo struct {
	host.Found
	// Enabled means the project pinned this plugin's program.
	Enabled bool
	// PinnedVersion and PinnedSHA256 are what the project pinned.
	PinnedVersion, PinnedSHA256 string
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
			return nil, fmt.Errorf("plugin %s %s is not installed; see 'plugin list'", id, version)
		}
		return nil, fmt.Errorf("no plugin %q is installed; see 'plugin list'", id)
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
// customer fields and network hosts the user approves by enabling it.
// From then on a changed program is refused.
func (w *Workspace) EnablePlugin(ctx context.Context, id string) (*host.Found, error) {
	f, err := w.find(id, "")
	if err != nil {
		return nil, err
	}
	if err := f.Verify(); err != nil {
		return nil, err
	}
	fields, _ := json.Marshal(f.Manifest.Fields)
	hosts, _ := json.Marshal(f.Manifest.NetworkHosts)
	err = w.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_plugin_lock WHERE plugin_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mb_plugin_lock (plugin_id, version, sha256, fields_json, hosts_json) VALUES (?, ?, ?, ?, ?)`,
			id, f.Manifest.Version, f.SHA256, string(fields), string(hosts)); err != nil {
			return err
		}
		return w.InTx(tx).Audit(ctx, tx, "plugin enable", id, -1, -1, f.Manifest.Version+" "+f.SHA256)
	})
	return f, err
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

// enabled returns the supervised process of an enabled plugin with the
// fields the project approved.
func (w *Workspace) enabled(ctx context.Context, id string) (*host.Proc, []string, error) {
	var version, sha, fieldsJSON string
	err := w.Q().QueryRowContext(ctx, `SELECT version, sha256, fields_json FROM mb_plugin_lock WHERE plugin_id = ?`, id).Scan(&version, &sha, &fieldsJSON)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("%w: %s; enable it first ('plugin enable %s')", ErrNotEnabled, id, id)
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := w.find(id, version)
	if err != nil {
		return nil, nil, fmt.Errorf("the project uses %s %s: %w", id, version, err)
	}
	if f.SHA256 != sha {
		return nil, nil, fmt.Errorf("%w: %s %s differs from the build this project pinned; enable it again if you trust it", host.ErrChanged, id, version)
	}
	p, err := w.Host().Plugin(*f, sha)
	if err != nil {
		return nil, nil, err
	}
	var fields []string
	json.Unmarshal([]byte(fieldsJSON), &fields)
	return p, fields, nil
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
	return sdk.Component{}, md, fmt.Errorf("plugin %s has no channel %q", id, component)
}

// CheckChannel validates settings and tests the channel's connection.
func (w *Workspace) CheckChannel(ctx context.Context, id, component string, cfg sdk.Config, secrets sdk.Secrets) error {
	spec, _, err := w.ChannelSpec(ctx, id, component)
	if err != nil {
		return err
	}
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
	return fmt.Errorf("check the settings: %w", errors.Join(msgs...))
}

// PluginLogs returns an enabled plugin's recent log lines.
func (w *Workspace) PluginLogs(ctx context.Context, id string) ([]string, error) {
	p, _, err := w.enabled(ctx, id)
	if err != nil {
		return nil, err
	}
	return p.Logs(), nil
}

// UninstallPlugin removes an installed plugin (every version) from the
// user plugin folder and from this project's pins. Other projects that
// enabled it will say it is missing.
func (w *Workspace) UninstallPlugin(ctx context.Context, id string) (int, error) {
	dir, err := host.UserDir()
	if err != nil {
		return 0, err
	}
	n, bundled := 0, false
	for _, f := range w.Host().Discover() {
		if f.Manifest == nil || f.Manifest.ID != id {
			continue
		}
		if f.Bundled {
			bundled = true
			continue
		}
		if err := host.Uninstall(f, dir); err != nil {
			return n, err
		}
		n++
	}
	switch {
	case n == 0 && bundled:
		return 0, fmt.Errorf("%s is bundled with Marketbench and cannot be removed; disable it instead", id)
	case n == 0:
		return 0, fmt.Errorf("no plugin %q is installed", id)
	case bundled:
		// Only an installed copy claiming a bundled plugin's id was
		// removed: the bundled one stays in use.
		return n, nil
	}
	return n, w.DisablePlugin(ctx, id)
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
		return nil, fmt.Errorf("the saved settings of %s/%s are damaged: %v", id, component, err)
	}
	return cfg, nil
}
