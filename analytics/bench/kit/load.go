package kit

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Load measures how much CPU other processes used while a benchmark ran,
// so a result taken on a busy machine says so. Linux only; elsewhere it
// reports -1.
type Load struct {
	start       time.Time
	busy, owned int64
}

// StartLoad starts measuring.
func StartLoad() *Load {
	busy, owned := cpuTicks()
	return &Load{start: time.Now(), busy: busy, owned: owned}
}

// Others returns the average number of CPU cores that processes other than
// this one and its waited-for children (the pandas peer, the RSS child)
// kept busy since StartLoad, or -1 when it cannot tell.
func (l *Load) Others() float64 {
	busy, owned := cpuTicks()
	secs := time.Since(l.start).Seconds()
	if l.busy < 0 || busy < 0 || secs <= 0 {
		return -1
	}
	const hz = 100 // USER_HZ: the unit of /proc/stat and /proc/self/stat on Linux
	other := float64((busy-l.busy)-(owned-l.owned)) / hz / secs
	return max(other, 0)
}

// cpuTicks returns the busy ticks of all CPUs and those of this process
// plus its waited-for children, or -1s.
func cpuTicks() (busy, owned int64) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1, -1
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return -1, -1
	}
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	self, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1, -1
	}
	// Fields after the parenthesised command name: utime is the 14th field
	// of the line, so the 12th after ")".
	_, rest, ok := strings.Cut(string(self), ") ")
	g := strings.Fields(rest)
	if !ok || len(g) < 15 {
		return -1, -1
	}
	for _, v := range g[11:15] { // utime stime cutime cstime
		n, _ := strconv.ParseInt(v, 10, 64)
		owned += n
	}
	return busy, owned
}
