// Package nodeunschedulable implements the NodeUnschedulable filter: a
// cordoned node (spec.unschedulable) takes only pods tolerating the
// node.kubernetes.io/unschedulable:NoSchedule taint.
//
// It owns the NodeUnschedulable filter only; it keeps no state.
package nodeunschedulable
