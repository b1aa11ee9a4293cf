package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// The team registry: a folder (a shared drive) of plugin archives and an
// index. Publishers publish into it and sign with their key; users search
// it, install and update from it. No project is needed except to move a
// project's pin on update.

// openOptional opens the -p project when one is given (nil otherwise).
func (e *env) openOptional() (*core.Workspace, error) {
	if e.project == "" {
		return nil, nil
	}
	return e.open()
}

func shortKey(s string) string {
	if s == "" {
		return i18n.T("unsigned")
	}
	return s
}

func (e *env) pluginPublishCmd() *cobra.Command {
	var to, key, changelog, changelogFile string
	cmd := &cobra.Command{
		Use:   "publish FOLDER|ARCHIVE --to REGISTRY [--key KEYFILE] [--changelog TEXT | --changelog-file FILE]",
		Short: "Add a plugin version to a registry folder (packed if a folder; signed with --key); a published version never changes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to == "" {
				return i18n.Errorf("give the registry folder with --to")
			}
			if changelog != "" && changelogFile != "" {
				return i18n.Errorf("give the changelog with --changelog or --changelog-file, not both")
			}
			if changelogFile != "" {
				b, err := os.ReadFile(changelogFile)
				if err != nil {
					return i18n.Errorf("cannot read the changelog: %v", err)
				}
				changelog = string(b)
			}
			p, err := host.Publish(args[0], to, host.PublishOptions{Key: key, Changelog: changelog})
			if err != nil {
				return err
			}
			v := p.Version
			return e.emit(map[string]any{"id": p.ID, "version": v.Version, "archive": v.Archive, "sha256": v.SHA256, "registry": to,
				"signed": v.SignerKeyID != "", "signer_key_id": v.SignerKeyID, "already_published": p.Already, "previous_key_id": p.PreviousKeyID}, func(o io.Writer) {
				if p.Already {
					fmt.Fprintln(o, i18n.T("%s %s is already in %s with these very bytes: nothing changed.", p.ID, v.Version, to))
					return
				}
				fmt.Fprintln(o, i18n.T("Published %s %s to %s as %s (sha256 %s).", p.ID, v.Version, to, v.Archive, v.SHA256))
				if v.SignerKeyID != "" {
					fmt.Fprintln(o, i18n.T("Signed with key %s.", v.SignerKeyID))
				} else {
					fmt.Fprintln(o, i18n.T("Not signed: users cannot tell your archive from anyone's. Make a key with 'marketbench plugin keygen --out FILE' and publish with --key."))
				}
				if p.PreviousKeyID != "" {
					fmt.Fprintln(o, i18n.T("Earlier versions were signed by key %s: users who installed them refuse this one until they trust your new key with 'marketbench plugin trust-signer %s PUBLIC-KEY'. Tell them, by another way than this registry.", p.PreviousKeyID, p.ID))
				}
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the registry folder (made if missing)")
	cmd.Flags().StringVar(&key, "key", "", "the secret key file to sign with (see 'plugin keygen'); a protected key's password is read from "+host.SigningPasswordEnv)
	cmd.Flags().StringVar(&changelog, "changelog", "", "what changed in this version")
	cmd.Flags().StringVar(&changelogFile, "changelog-file", "", "a file with what changed in this version")
	return cmd
}

func (e *env) pluginKeygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out KEYFILE",
		Short: "Make a key pair to sign the plugins you publish (minisign format): the secret key in KEYFILE, the public key beside it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return i18n.Errorf("give the secret key's file with --out")
			}
			pub, pubPath, err := host.Keygen(out)
			if err != nil {
				return err
			}
			id := host.KeyID(pub.ID())
			return e.emit(map[string]any{"secret_key_file": out, "public_key_file": pubPath, "public_key": pub.String(), "key_id": id}, func(o io.Writer) {
				fmt.Fprintln(o, i18n.T("Wrote the secret key %s (readable only by you). Keep it safe and backed up: with a new key, every user must trust it again.", out))
				fmt.Fprintln(o, i18n.T("Wrote the public key %s; its key id is %s:", pubPath, id))
				fmt.Fprintln(o, pub.String())
				fmt.Fprintln(o, i18n.T("Publish with: marketbench plugin publish FOLDER --to REGISTRY --key %s", out))
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the secret key file to write (the public key goes beside it, .pub)")
	return cmd
}

func (e *env) pluginSearchCmd() *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "search [TEXT] --from REGISTRY",
		Short: "List the plugins in a registry folder: latest version, signer, and what is installed here",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return i18n.Errorf("give the registry folder with --from")
			}
			text := ""
			if len(args) > 0 {
				text = args[0]
			}
			w, err := e.openOptional()
			if err != nil {
				return err
			}
			if w != nil {
				defer w.Close()
			}
			list, err := core.SearchRegistry(cmd.Context(), from, text, w)
			if err != nil {
				return err
			}
			return e.emit(searchJSON(list), func(o io.Writer) {
				if len(list) == 0 {
					fmt.Fprintln(o, i18n.T("No plugin in %s matches %q.", from, text))
					return
				}
				var rows [][]string
				for _, l := range list {
					latest, signer := "-", "-"
					if l.Latest != nil {
						latest, signer = l.Latest.Version, shortKey(l.Latest.SignerKeyID)
						if l.TrustedKeyID != "" && l.TrustedKeyID == l.Latest.SignerKeyID {
							signer = i18n.T("%s (trusted)", signer)
						} else if l.TrustedKeyID != "" {
							signer = i18n.T("%s (you trust %s)", signer, l.TrustedKeyID)
						}
					}
					inst := strings.Join(l.Installed, ", ")
					if l.Enabled != "" {
						inst = i18n.T("%s (project uses %s)", inst, l.Enabled)
					}
					if inst == "" {
						inst = "-"
					}
					about := l.Description
					if l.Name != "" && about != "" {
						about = l.Name + " — " + about
					} else if l.Name != "" {
						about = l.Name
					}
					rows = append(rows, []string{l.ID, latest, signer, inst, about})
				}
				table(o, []string{i18n.T("PLUGIN"), i18n.T("LATEST"), i18n.T("SIGNER"), i18n.T("INSTALLED"), i18n.T("DESCRIPTION")}, rows)
				fmt.Fprintln(o, "\n"+i18n.T("Install with: marketbench plugin install NAME[@VERSION] --from %s", from))
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the registry folder")
	return cmd
}

func searchJSON(list []core.RegistryListing) []map[string]any {
	out := []map[string]any{}
	for _, l := range list {
		var versions []map[string]any
		for _, v := range l.Versions {
			versions = append(versions, map[string]any{"version": v.Version, "published_at": v.PublishedAt, "signed": v.SignerKeyID != "",
				"signer_key_id": v.SignerKeyID, "fields": orNone(v.Fields), "network_hosts": orNone(v.NetworkHosts),
				"min_host_version": v.MinHostVersion, "changelog": v.Changelog, "archive": v.Archive, "sha256": v.SHA256})
		}
		m := map[string]any{"id": l.ID, "name": l.Name, "description": l.Description, "publisher": l.Publisher,
			"installed_versions": l.Installed, "enabled_version": l.Enabled, "trusted_key_id": l.TrustedKeyID, "versions": versions}
		if l.Latest != nil {
			m["latest_version"], m["signer_key_id"], m["published_at"] = l.Latest.Version, l.Latest.SignerKeyID, l.Latest.PublishedAt
		}
		out = append(out, m)
	}
	return out
}

// withRegistry gives 'plugin install' its --from: NAME[@VERSION] from a
// registry folder instead of a folder or archive.
func (e *env) withRegistry(install *cobra.Command) *cobra.Command {
	var from string
	plain := install.RunE
	install.Use = "install FOLDER|ARCHIVE | install NAME[@VERSION] --from REGISTRY"
	install.Short = "Install a plugin from a folder or archive, or NAME[@VERSION] from a registry folder (checksum, signature and signer checked); enable it per project with 'plugin enable'"
	install.Flags().StringVar(&from, "from", "", "a registry folder to install NAME[@VERSION] from")
	install.RunE = func(cmd *cobra.Command, args []string) error {
		if from == "" {
			return plain(cmd, args)
		}
		r, err := core.InstallFromRegistry(from, args[0])
		if err != nil {
			return err
		}
		m := r.Found.Manifest
		return e.emit(map[string]any{"id": m.ID, "version": m.Version, "dir": r.Found.Dir, "sha256": r.Version.SHA256, "signed": r.SignerKeyID != "",
			"signer_key_id": r.SignerKeyID, "signer_pinned": r.NewPin, "fields": orNone(m.Fields), "network_hosts": orNone(m.NetworkHosts)}, func(o io.Writer) {
			fmt.Fprintln(o, i18n.T("Installed %s %s from the registry in %s (its archive matches the index: sha256 %s).", m.ID, m.Version, r.Found.Dir, r.Version.SHA256))
			switch {
			case r.NewPin:
				fmt.Fprintln(o, i18n.T("Signed by key %s. This is the first signed version of %s you install: from now on its versions must be signed by this key. Check with the publisher that the key is theirs.", r.SignerKeyID, m.ID))
			case r.SignerKeyID != "":
				fmt.Fprintln(o, i18n.T("Signed by key %s, the key you trust for %s.", r.SignerKeyID, m.ID))
			default:
				fmt.Fprintln(o, i18n.T("Not signed: only the index's checksum vouches for it."))
			}
			fmt.Fprintln(o, i18n.T("It asks for %s and contacts %s.\nEnable it for a project with: marketbench plugin enable %s -p PROJECT", core.FieldsText(m.Fields), core.HostsText(m.NetworkHosts), m.ID))
		})
	}
	return install
}

func (e *env) pluginUpdateCmd() *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "update [ID] --from REGISTRY [-p PROJECT]",
		Short: "Install the newest version of a plugin (all installed ones without ID) from a registry folder; with -p the project uses it, asking your approval again if it wants more",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return i18n.Errorf("give the registry folder with --from")
			}
			id := ""
			if len(args) > 0 {
				id = args[0]
			}
			w, err := e.openOptional()
			if err != nil {
				return err
			}
			if w != nil {
				defer w.Close()
			}
			ups, err := core.UpdateFromRegistry(cmd.Context(), from, id, w)
			if err != nil {
				return err
			}
			return e.emit(updatesJSON(ups), func(o io.Writer) {
				if len(ups) == 0 {
					fmt.Fprintln(o, i18n.T("No plugin of this registry is installed here or used by the project."))
				}
				for _, u := range ups {
					e.describeUpdate(o, u)
				}
			})
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the registry folder")
	return cmd
}

func (e *env) describeUpdate(o io.Writer, u core.PluginUpdate) {
	if u.UpToDate {
		fmt.Fprintln(o, i18n.T("%s is up to date (%s).", u.ID, u.From))
		return
	}
	if u.From == "" {
		fmt.Fprintln(o, i18n.T("Installed %s %s.", u.ID, u.To))
	} else {
		fmt.Fprintln(o, i18n.T("Updated %s from %s to %s.", u.ID, u.From, u.To))
	}
	if u.Install != nil && u.Install.NewPin {
		fmt.Fprintln(o, i18n.T("Signed by key %s, now the key you trust for %s.", u.Install.SignerKeyID, u.ID))
	}
	if u.PinnedFrom == "" {
		return
	}
	if u.NeedsApproval == nil {
		fmt.Fprintln(o, i18n.T("This project now uses %s; your approval carried over, as it asks for nothing more.", u.To))
		return
	}
	var more []string
	if len(u.AddedFields) > 0 {
		more = append(more, core.FieldsText(u.AddedFields))
	}
	if len(u.AddedHosts) > 0 {
		more = append(more, i18n.T("the network hosts %s", strings.Join(u.AddedHosts, ", ")))
	}
	n := u.NeedsApproval
	fmt.Fprintln(o, i18n.T("This project now uses %s, which also asks for %s. It is not started until you approve it: it would receive %s and contact %s.\nApprove it with: marketbench plugin approve %s -p %s",
		u.To, strings.Join(more, i18n.T(" and ")), core.FieldsText(n.Fields), core.HostsText(n.Hosts), u.ID, n.Project))
}

func updatesJSON(ups []core.PluginUpdate) []map[string]any {
	out := []map[string]any{}
	for _, u := range ups {
		m := map[string]any{"id": u.ID, "from_version": u.From, "to_version": u.To, "up_to_date": u.UpToDate, "project_version_before": u.PinnedFrom,
			"project_updated": u.PinnedFrom != "", "added_fields": orNone(u.AddedFields), "added_network_hosts": orNone(u.AddedHosts),
			"needs_approval": u.NeedsApproval != nil, "signer_key_id": "", "signer_pinned": false}
		if u.Install != nil {
			m["signer_key_id"], m["signer_pinned"] = u.Install.SignerKeyID, u.Install.NewPin
		}
		out = append(out, m)
	}
	return out
}

func (e *env) pluginTrustSignerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "trust-signer ID PUBLIC-KEY",
		Short: "Trust another key to sign a plugin (its publisher changed keys): PUBLIC-KEY is their minisign public key or .pub file, got from them, not from the registry",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			old, now, err := host.TrustSigner(args[0], args[1])
			if err != nil {
				return err
			}
			prev := ""
			if old != nil {
				prev = old.KeyID
			}
			return e.emit(map[string]any{"id": args[0], "key_id": now.KeyID, "previous_key_id": prev}, func(o io.Writer) {
				if prev != "" {
					fmt.Fprintln(o, i18n.T("You now trust key %s to sign %s (instead of key %s).", now.KeyID, args[0], prev))
				} else {
					fmt.Fprintln(o, i18n.T("You now trust key %s to sign %s.", now.KeyID, args[0]))
				}
			})
		},
	}
}
