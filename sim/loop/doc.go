// Package loop is the contract between the cluster's event loop (sim.Cluster)
// and the components it drives: the controllers, the scheduler, kube-proxy
// and each node's kubelet. It holds only the Component interface (with
// Selective, for a component that wants some resources' events only, and
// Resource, the resource of a store key), so that every component package
// can name it without importing sim.
//
// This package must not import anything of kubesim but sim/store.
package loop
