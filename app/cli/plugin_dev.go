package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/plugins/host"
)

// pluginDevCmd is the author's rebuild loop: build, install as a
// development build, enable, compare, and follow the log.
func (e *env) pluginDevCmd() *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "dev DIR [--follow]",
		Short: "Build the plugin module in DIR with 'go build', install it as a development build (replacing the same version), enable it in this project and show where its log is",
		Long: `Build the plugin module in DIR with 'go build', install the program with DIR's plugin.json
as a development build (the build of the same version is replaced and the manifest's checksum
filled in), enable it in this project (pinning the new checksum) and compare the manifest with
what the program offers. A development build is marked as such in 'plugin list' and the app,
and a live send through it needs --allow-dev-plugin (dry runs and test sends do not).
With --follow, the plugin's log is shown as it grows until Ctrl-C.`,
		Example: `  marketbench -p shop.mbproj plugin dev ./filechannel --follow
  marketbench -p shop.mbproj campaign send "Rehearsal" --test-to me@example.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				res, err := w.DevPlugin(ctx, args[0])
				if err != nil {
					return err
				}
				f := res.Found
				printMismatches(e.errOut, f.Manifest.ID, res.Mismatches)
				err = e.emit(map[string]any{"id": f.Manifest.ID, "version": f.Manifest.Version, "sha256": f.SHA256, "dir": f.Dir,
					"development": true, "replaced_sha256": res.Replaced, "was_enabled": res.WasEnabled, "enabled": true,
					"log_file": res.LogFile, "warnings": mismatchesJSON(res.Mismatches)}, func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Built and installed %s %s as a development build (sha256 %s…) in %s", f.Manifest.ID, f.Manifest.Version, f.SHA256[:12], f.Dir))
					if res.Replaced != "" {
						fmt.Fprintln(o, i18n.T("It replaces the build with sha256 %s…", res.Replaced[:12]))
					}
					if res.WasEnabled {
						fmt.Fprintln(o, i18n.T("This project now uses the new build (its checksum is pinned again)."))
					} else {
						fmt.Fprintln(o, i18n.T("Enabled it in this project."))
					}
					fmt.Fprintln(o, i18n.T("Live sends through it need --allow-dev-plugin; dry runs and test sends do not."))
					if res.LogFile != "" && !follow {
						fmt.Fprintln(o, i18n.T("Its log: %s (or 'marketbench plugin logs %s -p %s'; add --follow to watch it)", res.LogFile, f.Manifest.ID, w.Path))
					}
				})
				if err != nil || !follow {
					return err
				}
				if res.LogFile == "" {
					return i18n.Errorf("this computer has no cache folder to keep plugin logs in, so there is no log to follow")
				}
				fmt.Fprintln(e.errOut, i18n.T("Following %s; Ctrl-C ends.", res.LogFile))
				return followFile(ctx, res.LogFile, e.out, 250*time.Millisecond)
			})(cmd, args)
		},
	}
	cmd.Flags().BoolVar(&follow, "follow", false, "show the plugin's log as it grows, until Ctrl-C")
	return cmd
}

// followFile copies what is appended to path to out until ctx ends: the
// log is written by whichever process runs the plugin (the app, another
// command), so it is read as a file, not from this process's host. It
// starts at the file's end; a file that does not exist yet is waited for.
func followFile(ctx context.Context, path string, out io.Writer, every time.Duration) error {
	var off int64 = -1
	buf := make([]byte, 64<<10)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if f, err := os.Open(path); err == nil {
			st, err := f.Stat()
			switch {
			case err != nil:
			case off < 0:
				off = st.Size()
			case st.Size() < off: // started again
				off = 0
			}
			for err == nil && off < st.Size() {
				var n int
				n, err = f.ReadAt(buf, off)
				out.Write(buf[:n])
				off += int64(n)
			}
			f.Close()
		} else if off < 0 {
			off = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// printMismatches warns, one line each, where a plugin's manifest and its
// program disagree.
func printMismatches(o io.Writer, id string, ms []host.Mismatch) {
	if len(ms) == 0 {
		return
	}
	fmt.Fprintln(o, i18n.T("Warning: the manifest of %s and what the plugin offers disagree:", id))
	for _, m := range ms {
		fmt.Fprintf(o, "  - %s: %s\n", m.Check, i18n.Error(m.Err))
	}
}

func mismatchesJSON(ms []host.Mismatch) []map[string]any {
	out := []map[string]any{}
	for _, m := range ms {
		out = append(out, map[string]any{"check": m.Check, "message": m.Err.Error()})
	}
	return out
}
