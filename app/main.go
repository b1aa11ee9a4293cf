// Command marketbench is the Marketbench workbench: with no arguments it
// opens the GUI, with a subcommand it runs headless.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/marketbench/marketbench/app/cli"
	"github.com/marketbench/marketbench/app/ui"
	"github.com/marketbench/marketbench/assets/i18n"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] != "--gui" {
		os.Exit(cli.Execute(os.Args[1:], os.Stdout, os.Stderr))
	}
	project := ""
	if len(os.Args) > 2 {
		project = os.Args[2]
	}
	if noDisplay() {
		// GLFW would panic with a stack trace that says nothing to a person.
		i18n.Use("")
		fmt.Fprintln(os.Stderr, "marketbench: "+i18n.T("no display found, so the window cannot open (DISPLAY and WAYLAND_DISPLAY are not set).\n"+
			"Run a command instead, e.g. 'marketbench demo' or 'marketbench help', or open the window where there is a display:\n"+
			"set DISPLAY, or start a virtual one with 'xvfb-run marketbench'."))
		os.Exit(1)
	}
	if err := ui.Run(project); err != nil {
		fmt.Fprintf(os.Stderr, "marketbench: %s\n", err)
		os.Exit(1)
	}
}

// noDisplay reports a Unix desktop session without X11 or Wayland (an SSH
// login, a container, CI). Windows and macOS always have one.
func noDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios":
		return false
	}
	return os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == ""
}
