// Package plugins is the home of kubesim's in-tree scheduler plugins, one
// subpackage each, named and behaving as kube-scheduler's plugins of the same
// name (pkg/scheduler/framework/plugins). Registry() returns them all.
//
// Which extension points each plugin implements is stated once, in the table
// of extension_points_test.go (in place of a `var _ framework.X = &T{}` block
// per plugin); the test fails when a plugin gains or loses one.
//
// Plugins see the cluster only through framework.Handle and CycleState; they
// keep no state between cycles (but VolumeBinding's assume cache, see its
// package), never read the wall clock and use randomness
// only from Handle.Rand on the scheduler goroutine.
package plugins
