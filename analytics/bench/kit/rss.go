//go:build unix

package kit

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// ChildEnv is set in a child process started by PeakRSS; its value says
// what the child should do.
const ChildEnv = "MB_BENCH_CHILD"

var doneRe = regexp.MustCompile(`mb-bench-child done VmHWM=(\d+)`)

// PeakRSS runs the current test binary again with only the named test and
// ChildEnv=what (plus env), waits, and returns the child's peak resident set
// size in bytes, with its output. The test must skip itself unless ChildEnv
// is set, and call ChildDone at its end.
//
// The peak is the VmHWM the child reports from /proc/self/status. The
// rusage of the wait (ru_maxrss) is not used on Linux: Go starts children
// with vfork, and Linux carries the parent's RSS at exec into the child's
// ru_maxrss, so it never reads below the benchmark process's own size.
func PeakRSS(test, what string, env ...string) (int64, string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.bench=^$", "-test.count=1", "-test.v")
	cmd.Env = append(append(os.Environ(), ChildEnv+"="+what), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, string(out), fmt.Errorf("child %s (%s): %v\n%s", test, what, err, out)
	}
	m := doneRe.FindSubmatch(out)
	if m == nil {
		return 0, string(out), fmt.Errorf("child %s (%s) did not report its peak memory:\n%s", test, what, out)
	}
	peak, _ := strconv.ParseInt(string(m[1]), 10, 64)
	if peak == 0 && runtime.GOOS != "linux" {
		// No /proc: fall back to rusage (an upper bound, see above).
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = int64(ru.Maxrss)
			if runtime.GOOS != "darwin" { // the BSDs count kilobytes, macOS bytes
				peak *= 1024
			}
		}
	}
	return peak, string(out), nil
}

// ChildDone prints the line PeakRSS reads: this process's peak RSS.
func ChildDone() {
	fmt.Printf("mb-bench-child done VmHWM=%d\n", VmHWM())
}

// VmHWM is this process's peak resident set size in bytes from
// /proc/self/status (Linux only; 0 elsewhere).
func VmHWM() int64 { return procStatusKB("VmHWM:") }

// VmRSS is this process's current resident set size in bytes (Linux only;
// 0 elsewhere), the baseline a peak is measured from.
func VmRSS() int64 { return procStatusKB("VmRSS:") }

// procStatusKB reads a "Key: N kB" line of /proc/self/status, in bytes.
func procStatusKB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
