package sim

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target (GOGC) kubesim runs with.
// A simulated cluster keeps every object decoded in memory, so most of the
// heap is live and each collection marks all of it; at Go's default of 100
// collections took a third of the CPU of a 150,000-pod run. At 200 they
// take about half as much, and the resident memory after `kubesim start`
// stays the same (78.6 MiB at 100, 81.7 MiB at 200: the heap is small
// there). Measured in benchmarks/README.md.
const GCPercent = 200

// TuneGC sets GCPercent unless the GOGC environment variable chooses
// otherwise, and returns a function restoring the previous setting. The
// kubesim command calls it at start; benchmarks call it to measure what
// the command runs.
func TuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(prev) }
}
