// Package sim is the cluster: it builds a control plane and worker nodes from
// a ClusterSpec, owns the virtual clock, the seeded random source and the
// loop, and wires the store, registry, scheduler, controllers, kubelets and
// network together. Every component writes through the registry
// (sim/registry) and reacts to the store's events. The cluster knows no
// HTTP: the shells put sim/apiserver in front of it (apiserver.ForCluster);
// Cluster.Do and Cluster.Wait are what the API server drives it through.
// A bare spec (bare.go) builds the machines' kubelets held and no objects:
// KubeadmInit and the kubelets' first starts make the cluster later.
//
// The loop is synchronous: after each API request, timer or periodic tick it
// delivers store events to components in revision order until the cluster is
// quiet, then commits once (group commit). Stepped mode (tests, replays,
// benchmarks) advances virtual time only when asked; a live driver outside
// this package makes the clock follow the wall clock. Nothing here reads the
// wall clock or a global random source.
package sim
