// Package nodeports implements NodePorts: a pod's hostPorts must be free on
// the node.
//
// It keeps no state between cycles.
package nodeports
