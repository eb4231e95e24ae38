// Package cost is the modelled cost of each runtime hop, as data: virtual
// latency that the kubelet charges to the simulation clock, and CPU time
// attributed to the process a hop runs in. Every figure sits next to its
// source; where no published figure exists the entry says so.
//
// It owns the table and its lookup. It must not measure anything, read the
// wall clock, or know the chains' code (runtime/chain looks costs up here).
package cost
