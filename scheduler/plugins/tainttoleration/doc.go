// Package tainttoleration implements TaintToleration: a filter rejecting
// nodes with an untolerated NoSchedule/NoExecute taint, and a score
// preferring nodes with fewer untolerated PreferNoSchedule taints.
//
// It must not decide NoExecute evictions (the taint manager does) and keeps
// no state between cycles.
package tainttoleration
