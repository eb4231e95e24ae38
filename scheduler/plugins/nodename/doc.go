// Package nodename implements the NodeName filter: a pod with spec.nodeName
// fits only that node.
//
// It owns the NodeName filter only; it keeps no state.
package nodename
