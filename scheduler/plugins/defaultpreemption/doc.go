// Package defaultpreemption implements DefaultPreemption: when a pod fits
// nowhere, find a node where evicting lower-priority pods (respecting
// PodDisruptionBudgets where possible) makes it fit, and nominate it.
//
// The dry run visits candidate nodes from a random offset (the cluster's
// seeded source) and evaluates them in parallel windows whose results are
// merged in visiting order, so the choice is deterministic for a seed.
//
// It must not delete pods or write nominatedNodeName itself: it returns
// victims and the nominated node, and the simulator performs the writes.
package defaultpreemption
