package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/sdk"
)

// pluginApproveCmd approves, for you on this computer, a plugin that the
// project enabled: a project file can come from anyone, so its enabling a
// plugin is a request until you approve it.
func (e *env) pluginApproveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "approve ID",
		Short: "Approve, for you on this computer, a plugin this project enabled: shows the customer fields it gets and the hosts it contacts",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				a, err := w.ApprovePlugin(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"approved": a.ID, "version": a.Version, "sha256": a.SHA256, "fields": orNone(a.Fields),
					"network_hosts": orNone(a.Hosts), "ignored_fields": orNone(a.Ignored)}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Approved %s %s (sha256 %s…) on this computer.\nIt receives %s.\nIt contacts %s.", a.ID, a.Version, a.SHA256[:12], core.FieldsText(a.Fields), core.HostsText(a.Hosts)))
					if len(a.Ignored) > 0 {
						fmt.Fprintln(o, i18n.T("This project also lists %s, which the plugin does not declare: they are never sent.", strings.Join(a.Ignored, ", ")))
					}
				})
			})(cmd, args)
		},
	}
}

// pluginRevokeCmd withdraws your approval of a plugin on this computer.
func (e *env) pluginRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Withdraw your approval of a plugin on this computer: no project starts it until you approve or enable it again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				n, err := w.RevokePlugin(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"revoked": args[0], "builds": n}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Withdrew your approval of %s (%d build(s)); no project starts it until you approve it again.", args[0], n))
				})
			})(cmd, args)
		},
	}
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (e *env) pluginCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plugin", Short: "Install, enable, check and inspect plugins (channels, models, sources)"}
	list := &cobra.Command{
		Use:   "list",
		Short: "List installed and bundled plugins and whether this project uses them",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			ps, err := w.Plugins(ctx)
			if err != nil {
				return err
			}
			return e.emit(pluginsJSON(ps), func(o io.Writer) {
				if len(ps) == 0 {
					fmt.Fprintln(o, i18n.T("No plugins found. Install one with 'plugin install FOLDER|ARCHIVE'."))
					return
				}
				var rows [][]string
				for _, p := range ps {
					id, ver, kinds, status := "?", "", "", i18n.T("ok")
					if p.Manifest != nil {
						id, ver, kinds = p.Manifest.ID, p.Manifest.Version, strings.Join(p.Manifest.Kinds, ",")
					}
					if p.Err != nil {
						status = i18n.Error(p.Err)
					} else if p.NeedsApproval != nil {
						status = i18n.T("enabled, needs your approval ('plugin approve %s')", id)
					} else if p.Enabled {
						status = i18n.T("enabled")
					}
					where := i18n.T("installed")
					if p.Bundled {
						where = i18n.T("bundled")
					} else if p.Development {
						where = i18n.T("development build")
					}
					rows = append(rows, []string{id, ver, kinds, where, status})
				}
				table(o, []string{i18n.T("PLUGIN"), i18n.T("VERSION"), i18n.T("KINDS"), i18n.T("FROM"), i18n.T("STATUS")}, rows)
			})
		}),
	}
	install := &cobra.Command{
		Use:   "install FOLDER|ARCHIVE",
		Short: "Install a plugin (its checksum is verified); enable it per project with 'plugin enable'",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := e.open()
			if err != nil {
				return err
			}
			defer w.Close()
			f, mismatches, err := w.InstallPluginChecked(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			printMismatches(e.errOut, f.Manifest.ID, mismatches)
			return e.emit(map[string]any{"id": f.Manifest.ID, "version": f.Manifest.Version, "dir": f.Dir, "warnings": mismatchesJSON(mismatches)}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Installed %s %s in %s\nIt asks for the customer fields %v and contacts %v.\nEnable it for this project with: marketbench plugin enable %s -p %s", f.Manifest.ID, f.Manifest.Version, f.Dir, f.Manifest.Fields, hostsText(f.Manifest.NetworkHosts), f.Manifest.ID, shellQuote(e.project)))
			})
		},
	}
	enable := &cobra.Command{
		Use:   "enable ID",
		Short: "Let this project use a plugin: pins its checksum, and approves for you on this computer the fields and hosts its manifest declares",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				f, err := w.EnablePlugin(ctx, args[0])
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"id": f.Manifest.ID, "version": f.Manifest.Version, "sha256": f.SHA256, "fields": f.Manifest.Fields}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Enabled %s %s (sha256 %s…). It will receive only %v and contacts %v.", f.Manifest.ID, f.Manifest.Version, f.SHA256[:12], f.Manifest.Fields, hostsText(f.Manifest.NetworkHosts)))
				})
			})(cmd, args)
		},
	}
	disable := &cobra.Command{
		Use:   "disable ID",
		Short: "Stop this project from using a plugin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if err := w.DisablePlugin(ctx, args[0]); err != nil {
					return err
				}
				return e.emit(map[string]any{"disabled": args[0]}, func(o io.Writer) { fmt.Fprintln(o, i18n.T("Disabled %s", args[0])) })
			})(cmd, args)
		},
	}
	var component string
	var cfgKV, secretKV []string
	check := &cobra.Command{
		Use:   "check ID --component C [--config name=value ...] [--secret name=value ...]",
		Short: "Start a plugin, show what it offers, and with --component test the channel's settings and connection",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				md, err := w.PluginMetadata(ctx, args[0])
				if err != nil {
					return err
				}
				out := map[string]any{"id": md.GetId(), "version": md.GetVersion(), "sdk_version": md.GetSdkVersion(), "capabilities": md.GetCapabilities()}
				var comps []map[string]any
				for _, c := range md.GetComponents() {
					comp := sdk.ComponentFromProto(c)
					comps = append(comps, map[string]any{"kind": c.GetKind(), "name": comp.Name, "title": comp.Title, "config": comp.Config, "fields": comp.Fields})
				}
				out["components"] = comps
				mismatches, err := w.PluginConsistency(ctx, args[0])
				if err != nil {
					return err
				}
				out["consistency"] = mismatchesJSON(mismatches)
				if component != "" {
					cfg, err := keyValues(cfgKV)
					if err != nil {
						return err
					}
					secrets, err := keyValues(secretKV)
					if err != nil {
						return err
					}
					if err := w.CheckChannel(ctx, args[0], component, cfg, secrets); err != nil {
						return i18n.Errorf("%s %s: %w", args[0], component, err)
					}
					out["check"] = "ok"
				}
				return e.emit(out, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("%s %s (SDK %s) answers; capabilities %v", md.GetId(), md.GetVersion(), md.GetSdkVersion(), md.GetCapabilities()))
					if len(mismatches) == 0 {
						fmt.Fprintln(o, i18n.T("Its manifest agrees with what it offers (id, version, kinds, customer fields, hosts its settings imply)."))
					} else {
						printMismatches(o, md.GetId(), mismatches)
					}
					for _, c := range md.GetComponents() {
						comp := sdk.ComponentFromProto(c)
						fmt.Fprintf(o, "\n%s %q: %s\n", c.GetKind(), comp.Name, comp.Description)
						for _, f := range comp.Config {
							req := ""
							if f.Required {
								req = " (required)"
							}
							def := ""
							if f.Default != "" {
								def = " default " + f.Default
							}
							fmt.Fprintf(o, "  %-24s %-9s%s%s  %s\n", f.Name, f.Type, req, def, f.Help)
						}
					}
					if component != "" {
						fmt.Fprint(o, "\n"+i18n.T("The %s settings work: the connection test passed.", component)+"\n")
					}
				})
			})(cmd, args)
		},
	}
	check.Flags().StringVar(&component, "component", "", "channel to test")
	check.Flags().StringArrayVar(&cfgKV, "config", nil, "a setting, name=value (repeat)")
	check.Flags().StringArrayVar(&secretKV, "secret", nil, "a secret setting, name=value (else MARKETBENCH_SECRET_NAME, else the system keyring)")
	var tail int
	logs := &cobra.Command{
		Use:   "logs ID",
		Short: "Show a plugin's recent log lines",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				lines, err := w.PluginLogs(ctx, args[0])
				if err != nil {
					return err
				}
				if len(lines) > tail {
					lines = lines[len(lines)-tail:]
				}
				return e.emit(lines, func(o io.Writer) {
					if len(lines) == 0 {
						fmt.Fprintln(o, i18n.T("No log lines yet."))
					}
					for _, l := range lines {
						fmt.Fprintln(o, l)
					}
				})
			})(cmd, args)
		},
	}
	logs.Flags().IntVar(&tail, "tail", 200, "number of lines")
	e.require(logs, intRange("tail", 1, 0))
	var alsoDisable bool
	uninstall := &cobra.Command{
		Use:   "uninstall ID [--disable]",
		Short: "Remove an installed plugin (all its versions); refused while this project enables it, unless --disable also disables it here",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				n, disabled, err := w.UninstallPlugin(ctx, args[0], alsoDisable)
				if err != nil {
					return err
				}
				return e.emit(map[string]any{"removed": args[0], "versions": n, "disabled": disabled}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Removed %s (%d version(s))", args[0], n))
					if disabled {
						fmt.Fprintln(o, i18n.T("It was enabled in %s and is now disabled there.", w.Path))
					}
				})
			})(cmd, args)
		},
	}
	uninstall.Flags().BoolVar(&alsoDisable, "disable", false, "also disable it in this project when it is enabled here")
	var setComp string
	var setKV []string
	settings := &cobra.Command{
		Use:   "settings ID --component C [--config name=value ...]",
		Short: "Save a channel's settings in this project (campaigns on it start from them); without --config, show them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if setComp == "" {
				return i18n.Errorf("give the channel with --component")
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				if len(setKV) > 0 {
					cfg, err := keyValues(setKV)
					if err != nil {
						return err
					}
					if err := w.SaveChannelSettings(ctx, args[0], setComp, cfg); err != nil {
						return err
					}
				}
				cfg, err := w.ChannelSettings(ctx, args[0], setComp)
				if err != nil {
					return err
				}
				return e.emit(cfg, func(o io.Writer) {
					if len(cfg) == 0 {
						fmt.Fprintln(o, i18n.T("No saved settings."))
					}
					for _, k := range sortedKeys(cfg) {
						fmt.Fprintf(o, "%s=%s\n", k, cfg[k])
					}
				})
			})(cmd, args)
		},
	}
	settings.Flags().StringVar(&setComp, "component", "", "the channel")
	settings.Flags().StringArrayVar(&setKV, "config", nil, "a setting, name=value (repeat); secrets are given at send time")
	cmd.AddCommand(list, e.withRegistry(install), enable, disable, check, logs, uninstall, settings, e.pluginApproveCmd(), e.pluginRevokeCmd(),
		e.pluginNewCmd(), e.pluginDevCmd(), e.pluginPublishCmd(), e.pluginKeygenCmd(), e.pluginSearchCmd(), e.pluginUpdateCmd(), e.pluginTrustSignerCmd())
	return cmd
}

func hostsText(h []string) string {
	if len(h) == 0 {
		return "no network hosts (it works offline)"
	}
	return strings.Join(h, ", ")
}

func pluginsJSON(ps []core.PluginInfo) []map[string]any {
	var out []map[string]any
	for _, p := range ps {
		m := map[string]any{"dir": p.Dir, "bundled": p.Bundled, "development": p.Development, "enabled": p.Enabled, "needs_approval": p.NeedsApproval != nil}
		if p.Manifest != nil {
			m["id"], m["version"], m["kinds"], m["fields"], m["network_hosts"] = p.Manifest.ID, p.Manifest.Version, p.Manifest.Kinds, p.Manifest.Fields, p.Manifest.NetworkHosts
		}
		if p.Err != nil {
			m["error"] = p.Err.Error()
		}
		out = append(out, m)
	}
	return out
}

func (e *env) sourceCmd() *cobra.Command {
	var stream, tbl string
	var cfgKV []string
	cmd := &cobra.Command{
		Use:   "source-import PLUGIN-ID/COMPONENT --stream S --table T [--config name=value ...]",
		Short: "Import a source plugin's stream into a table; later imports continue where the last stopped",
		Example: `  marketbench source-import marketbench.org/csv-folder/folder --stream events --config folder=/data/exports --table responses
  marketbench campaign import-results "Spring sale" table:responses`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			i := strings.LastIndex(args[0], "/")
			if i <= 0 || stream == "" || tbl == "" {
				return i18n.Errorf("give PLUGIN-ID/COMPONENT, --stream and --table")
			}
			cfg, err := keyValues(cfgKV)
			if err != nil {
				return err
			}
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				prog, done := e.progress()
				res, err := w.ImportFromSource(ctx, args[0][:i], args[0][i+1:], stream, cfg, tbl, prog)
				done()
				if err != nil {
					return err
				}
				return e.emit(res, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Imported %d new rows into %q in %d checkpoints (%d in all from this stream)", res.Rows, res.Table, res.Checkpoints, res.TotalRows))
					if res.ErasedSkipped > 0 {
						fmt.Fprintln(o, i18n.T("Skipped %d rows of erased customers (people erased from this project stay out)", res.ErasedSkipped))
					}
				})
			})(cmd, args)
		},
	}
	cmd.Flags().StringVar(&stream, "stream", "", "the stream to read (see 'plugin check')")
	cmd.Flags().StringVar(&tbl, "table", "", "table to import into (created on the first import)")
	cmd.Flags().StringArrayVar(&cfgKV, "config", nil, "a source setting, name=value (repeat)")
	return cmd
}
