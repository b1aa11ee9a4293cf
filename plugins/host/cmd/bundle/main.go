// Command bundle builds the first-party plugins next to the app binary
// (bin/plugins/<name>/ with program and manifest), as `make build` does.
//
//	go run ./plugins/host/cmd/bundle -out bin/plugins
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/marketbench/marketbench/plugins/host"
)

func main() {
	src := flag.String("src", "plugins", "folder of the plugin sources")
	out := flag.String("out", "bin/plugins", "folder to write the bundled plugins to")
	flag.Parse()
	dirs, err := host.Bundle(*src, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bundle:", err)
		os.Exit(1)
	}
	for _, d := range dirs {
		fmt.Println(d)
	}
}
