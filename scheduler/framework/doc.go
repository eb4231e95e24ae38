// Package framework holds the types shared by the scheduler and its plugins:
// the extension-point interfaces (PreFilter, Filter, PostFilter, PreScore,
// Score with NormalizeScore, Reserve), Status and its codes, CycleState,
// NodeInfo/PodInfo (the per-node aggregate the snapshot hands to plugins),
// the plugin Registry, FitError (the "0/N nodes are available" text) and a
// small deterministic Parallelizer.
//
// It owns no cluster state and performs no scheduling. It must not import the
// scheduler package or any plugin, read the wall clock, or use a global
// random source. Behaviour follows kube-scheduler's framework
// (k8s.io/kubernetes/pkg/scheduler/framework), re-implemented here.
package framework
