package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

func (e *env) secretCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "secret", Short: "Save channel secrets (API keys, passwords) in the system keyring, list and delete them"}
	var component string
	set := &cobra.Command{
		Use:   "set PLUGIN FIELD",
		Short: "Save a channel secret in the system keyring; the value is read from stdin or typed at a prompt, never given as an argument",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				c := core.Credential{Plugin: args[0], Component: component, Field: args[1]}
				value, err := e.readSecret(args[1])
				if err != nil {
					return err
				}
				if err := w.SaveSecret(ctx, c, value); err != nil {
					return err
				}
				return e.emit(credentialJSON(c, "saved"), func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Saved %s for %s in the system keyring: sends from this project on this computer use it.", c.Field, channelName(c)))
				})
			})(cmd, args)
		},
	}
	set.Flags().StringVar(&component, "component", "", "the plugin's channel (default: every channel of the plugin)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the channel secrets saved for the project on this computer (names only, never values)",
		Args:  cobra.NoArgs,
		RunE: e.withProject(func(ctx context.Context, w *core.Workspace) error {
			saved, err := w.SavedSecrets(ctx)
			if err != nil {
				return err
			}
			out := []map[string]any{}
			rows := [][]string{}
			for _, c := range saved {
				out = append(out, credentialJSON(c, ""))
				rows = append(rows, []string{c.Plugin, componentWords(c), c.Field})
			}
			return e.emit(map[string]any{"secrets": out}, func(o io.Writer) {
				if len(saved) == 0 {
					fmt.Fprintln(o, i18n.T("No channel secrets are saved for this project on this computer."))
					return
				}
				table(o, []string{i18n.T("Plugin"), i18n.T("Channel"), i18n.T("Field")}, rows)
			})
		}),
	}
	var delComponent string
	del := &cobra.Command{
		Use:   "delete PLUGIN FIELD",
		Short: "Delete a channel secret from the system keyring",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withProject(func(ctx context.Context, w *core.Workspace) error {
				c := core.Credential{Plugin: args[0], Component: delComponent, Field: args[1]}
				if err := w.DeleteSecret(ctx, c); err != nil {
					return err
				}
				return e.emit(credentialJSON(c, "deleted"), func(o io.Writer) {
					fmt.Fprintln(o, i18n.T("Deleted %s for %s from the system keyring.", c.Field, channelName(c)))
				})
			})(cmd, args)
		},
	}
	del.Flags().StringVar(&delComponent, "component", "", "the plugin's channel it was saved for (default: every channel)")
	cmd.AddCommand(set, list, del)
	return cmd
}

// credentialJSON is a credential's name for --json: component "*" means
// every channel of the plugin. With done, a true flag says what happened.
func credentialJSON(c core.Credential, done string) map[string]any {
	comp := c.Component
	if comp == "" {
		comp = "*"
	}
	m := map[string]any{"plugin": c.Plugin, "component": comp, "field": c.Field}
	if done != "" {
		m[done] = true
	}
	return m
}

func channelName(c core.Credential) string {
	if c.Component == "" {
		return i18n.T("every channel of %s", c.Plugin)
	}
	return c.Plugin + "/" + c.Component
}

func componentWords(c core.Credential) string {
	if c.Component == "" {
		return i18n.T("(every channel)")
	}
	return c.Component
}

// readSecret reads a secret's value: typed at a prompt that does not echo
// when stdin is a terminal, else the first line of stdin (so
// `printf %s "$KEY" | marketbench secret set …` and a file both work).
func (e *env) readSecret(field string) (string, error) {
	if f, ok := e.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.errOut, i18n.T("Value of %s (not shown): ", field))
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.errOut)
		if err != nil {
			return "", i18n.Errorf("cannot read the value: %v", err)
		}
		return string(b), checkValue(string(b))
	}
	line, err := bufio.NewReader(e.in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", i18n.Errorf("cannot read the value: %v", err)
	}
	line = strings.TrimRight(line, "\r\n")
	return line, checkValue(line)
}

func checkValue(v string) error {
	if v == "" {
		return i18n.Errorf("no value given: type it at the prompt or pipe it on stdin (never as an argument)")
	}
	return nil
}
