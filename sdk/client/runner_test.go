package client

import (
	"strings"
	"testing"
)

// eachLine reads to the end whatever the line length, cuts lines to the
// limit and drops line ends. A reader that stopped at a long line (as
// bufio.Scanner does past 64 KB) would lose the lines after it.
func TestEachLine(t *testing.T) {
	in := "short\r\n" + strings.Repeat("x", 200<<10) + "\nafter\nlast without newline"
	limit := 10
	var got []string
	eachLine(strings.NewReader(in), &limit, func(l []byte) { got = append(got, string(l)) })
	want := []string{"short", "xxxxxxxxxx", "after", "last witho"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}
