// Package framework holds the types shared by the scheduler and its plugins:
// the extension-point interfaces (PreFilter, Filter, PostFilter, PreScore,
// Score with NormalizeScore, Reserve), Status and its codes, CycleState,
// NodeInfo/PodInfo (the per-node aggregate the snapshot hands to plugins),
// the plugin Registry, FitError (the "0/N nodes are available" text) and a
// small deterministic Parallelizer.
//
// Beyond kube-scheduler it defines optional fast paths a plugin may add next
// to an extension point: BatchFilterPlugin, BatchScorePlugin and
// BatchNormalizeScorePlugin (a whole window of nodes per call, cycle state
// read once), and ImageLister on the snapshot. The per-node methods stay the
// definition: a fast path must give exactly their results, and the
// scheduler falls back to them whenever a plugin has none.
//
// It owns no cluster state and performs no scheduling. It must not import the
// scheduler package or any plugin, read the wall clock, or use a global
// random source. Behaviour follows kube-scheduler's framework
// (k8s.io/kubernetes/pkg/scheduler/framework), re-implemented here.
package framework
