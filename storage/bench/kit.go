package bench

import "github.com/marketbench/marketbench/analytics/bench/kit"

// Peak memory of a child process and the load meter live in the cgo-free
// kit, so the model benchmarks in analytics/bench measure the same way;
// these names keep the storage benchmarks' calls as they were.

// ChildEnv is set in a child process started by PeakRSS.
const ChildEnv = kit.ChildEnv

// Load measures how much CPU other processes used while a benchmark ran.
type Load = kit.Load

var (
	PeakRSS   = kit.PeakRSS
	ChildDone = kit.ChildDone
	VmHWM     = kit.VmHWM
	VmRSS     = kit.VmRSS
	StartLoad = kit.StartLoad
)
