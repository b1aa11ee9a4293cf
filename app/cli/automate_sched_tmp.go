package cli

import "github.com/spf13/cobra"

// automateSchedCmd is a stand-in `automate` parent holding only the
// schedule commands, until the `automate` command with `automate run`
// joins them (then: that command adds e.automateOSCmds(), and this file
// and its line in root() go).
func (e *env) automateSchedCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "automate", Short: "Run journeys by themselves: the runner and its schedule"}
	cmd.AddCommand(e.automateOSCmds()...)
	return cmd
}
