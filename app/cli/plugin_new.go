package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/scaffold"
)

// pluginNewCmd writes a new plugin as a ready Go module (no project
// needed): the next steps it prints are the ones sdk/README.md gives.
func (e *env) pluginNewCmd() *cobra.Command {
	var o scaffold.Options
	cmd := &cobra.Command{
		Use:   "new NAME --kind channel|model|source [--module PATH] [--id PUBLISHER/NAME] [--dir DIR]",
		Short: "Write a new plugin as a ready Go module: a working channel, model or source, its tests, manifest and Makefile",
		Example: `  marketbench plugin new mychannel --kind channel
  cd mychannel && make test && make manifest
  marketbench plugin install dist/mychannel -p shop.mbproj`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			res, err := core.NewPluginModule(o)
			if err != nil {
				return err
			}
			proj := e.project
			if proj == "" {
				proj = "PROJECT.mbproj" // a placeholder, left unquoted below
			}
			return e.emit(map[string]any{"dir": res.Dir, "module": res.Module, "id": res.ID, "kind": res.Kind, "name": res.Name,
				"component": res.Component, "files": res.Files}, func(w io.Writer) {
				fmt.Fprintln(w, i18n.T("Wrote the %s plugin %s (module %s) in %s.", i18n.T(res.Kind), res.ID, res.Module, res.Dir))
				fmt.Fprintln(w, i18n.T("Next: test it, build it with its checksum, install and enable it:"))
				fmt.Fprintf(w, "  cd %s\n  make test\n  make manifest\n  marketbench plugin install dist/%s -p %s\n  marketbench plugin enable %s -p %s\n",
					shellQuote(res.Dir), res.Name, shellQuote(proj), res.ID, shellQuote(proj))
			})
		},
	}
	cmd.Flags().StringVar(&o.Kind, "kind", "", "channel, model or source")
	cmd.Flags().StringVar(&o.Module, "module", "", "Go module path (default example.com/NAME)")
	cmd.Flags().StringVar(&o.ID, "id", "", "plugin id, publisher/name (default the module path)")
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder to write (default ./NAME); it must not exist or be empty")
	cmd.Flags().StringVar(&o.SDK, "sdk", "", "use the SDK in this folder (a checkout's sdk/, relative to the new module) instead of writing a copy")
	cmd.MarkFlagRequired("kind")
	return cmd
}

// shellQuote quotes s for a POSIX shell when it needs it, so a printed
// command can be pasted as it is.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
