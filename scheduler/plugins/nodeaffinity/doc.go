// Package nodeaffinity implements NodeAffinity: nodeSelector and required
// node affinity as a filter, preferred node affinity as a score.
//
// It keeps no state between cycles; parsing is done by
// k8s.io/component-helpers.
package nodeaffinity
