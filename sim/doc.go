// Package sim is the cluster: it builds a control plane and worker nodes from
// a ClusterSpec, owns the virtual clock, the seeded random source and the
// loop, and wires the store, API server, scheduler, controllers, kubelets and
// network together. Every component talks only through the store.
//
// The loop is synchronous: after each API request, timer or periodic tick it
// delivers store events to components in revision order until the cluster is
// quiet, then commits once (group commit). Stepped mode (tests, replays,
// benchmarks) advances virtual time only when asked; a live driver outside
// this package makes the clock follow the wall clock. Nothing here reads the
// wall clock or a global random source.
package sim
