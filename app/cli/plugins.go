package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
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
					fmt.Fprintf(o, "Approved %s %s (sha256 %s…) on this computer.\nIt receives %s.\nIt contacts %s.\n",
						a.ID, a.Version, a.SHA256[:12], core.FieldsText(a.Fields), core.HostsText(a.Hosts))
					if len(a.Ignored) > 0 {
						fmt.Fprintf(o, "This project also lists %s, which the plugin does not declare: they are never sent.\n", strings.Join(a.Ignored, ", "))
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
					fmt.Fprintf(o, "Withdrew your approval of %s (%d build(s)); no project starts it until you approve it again.\n", args[0], n)
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
