// Command marketbench is the Marketbench workbench: with no arguments it
// opens the GUI, with a subcommand it runs headless.
package main

import (
	"fmt"
	"os"

	"github.com/marketbench/marketbench/app/cli"
	"github.com/marketbench/marketbench/app/ui"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] != "--gui" {
		os.Exit(cli.Execute(os.Args[1:], os.Stdout, os.Stderr))
	}
	project := ""
	if len(os.Args) > 2 {
		project = os.Args[2]
	}
	if err := ui.Run(project); err != nil {
		fmt.Fprintf(os.Stderr, "marketbench: %s\n", err)
		os.Exit(1)
	}
}
