// Package plugins is the home of kubesim's in-tree scheduler plugins, one
// subpackage each, named and behaving as kube-scheduler's plugins of the same
// name (pkg/scheduler/framework/plugins). Registry() returns them all.
//
// Plugins see the cluster only through framework.Handle and CycleState; they
// keep no state between cycles, never read the wall clock and use randomness
// only from Handle.Rand on the scheduler goroutine.
package plugins
