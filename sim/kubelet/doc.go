// Package kubelet is one node's agent: it registers the Node and its Lease,
// runs the control plane's static pods, and takes every pod bound to its node
// through the node's CRI runtime chain (sandbox, image pull, create, start,
// stop), writing the pod status a real kubelet writes and the events it
// records. Every step costs the virtual time the runtime chain charges.
//
// It talks to the rest of the cluster only through sim/registry and
// the store events the cluster loop hands it; it never reads the wall clock.
package kubelet
