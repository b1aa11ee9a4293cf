package cli

import "github.com/spf13/cobra"

// privacySubcommands are the commands under `marketbench privacy`. Each
// capability keeps its command in its own privacy_*.go file and registers it
// in init, so adding one edits no shared file.
var privacySubcommands []func(e *env) *cobra.Command

func registerPrivacyCmd(f func(e *env) *cobra.Command) {
	privacySubcommands = append(privacySubcommands, f)
}

// privacyCmd is the privacy parent with every registered subcommand.
func (e *env) privacyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "privacy", Short: "Find, protect and forget personal data"}
	cmd.AddCommand(e.privacyScanCmd())
	for _, f := range privacySubcommands {
		cmd.AddCommand(f(e))
	}
	return cmd
}
