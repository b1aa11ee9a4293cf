//go:build !unix

package kit

import (
	"errors"
	"fmt"
	"runtime"
)

// ChildEnv is set in a child process started by PeakRSS; its value says
// what the child should do.
const ChildEnv = "MB_BENCH_CHILD"

// PeakRSS is not measured on this system.
func PeakRSS(test, what string, env ...string) (int64, string, error) {
	return 0, "", errors.New("peak memory is measured on Unix only, not on " + runtime.GOOS)
}

// ChildDone prints the line PeakRSS reads.
func ChildDone() { fmt.Println("mb-bench-child done VmHWM=0") }

// VmHWM is 0 here: there is no /proc.
func VmHWM() int64 { return 0 }

// VmRSS is not measured on this system.
func VmRSS() int64 { return 0 }
