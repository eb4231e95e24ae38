// Package controllers is kubesim's kube-controller-manager: the deployment,
// replicaset, daemonset, garbage-collector, namespace, serviceaccount,
// root-ca-cert-publisher, node-ipam, node-lifecycle (with taint eviction),
// endpoints, endpointslice, disruption, resourcequota and
// horizontal-pod-autoscaler controllers; and, as one component,
// apiextensions-apiserver's controllers of a CustomResourceDefinition
// (crd.go: naming, establishing, finalizing).
//
// Every controller is a loop.Component:
//
//	Name() string
//	Handle(ev store.Event)    // record work (queue keys); never write
//	Run(now time.Time) bool   // do queued work in sorted key order; report whether it wrote
//
// The keyed controllers share one skeleton (skeleton.go, controller[T]):
// the informer's initial list, event handlers that queue a primary
// object's key or a dependent's owner, a deduplicated queue drained in
// sorted key order, and virtual-clock requeue timers. Each controller
// supplies only its sync and its extra event bookkeeping.
//
// Handle is called for every store event in revision order with the loop
// lock held. Run is called repeatedly until every component reports false,
// so a sync that finds the world as it wants it writes nothing and Run
// returns false. The first Run of each controller lists what it watches
// from the registry (an informer's initial list), so a cluster resumed from
// its state file is reconciled without replaying history.
//
// Controllers read and write only through sim/registry (objects
// it returns are shared: they are deep-copied before any change), read time
// only from the virtual clock and randomness only from the cluster's seeded
// source (through Registry.GenerateName). Timers (minReadySeconds, progress
// deadlines, node monitor grace, toleration seconds) are virtual-clock
// AfterFunc timers whose callbacks only queue work.
//
// Behaviour, names, reasons and messages follow upstream
// k8s.io/kubernetes pkg/controller/* for the cluster's version (Context.Version).
// Simplifications are stated on each controller: foreground deletion is
// handled like background deletion plus removal of the foregroundDeletion
// finalizer once blocking dependents are gone; ControllerRevisions are not
// stored (the apiserver does not serve them), only their name and hash are
// used, and the statefulset controller keeps the pod templates of the
// revisions it has seen in memory (a partitioned rollout recreates a pod
// below the partition from the current revision's template; after a
// resume only the set's own template is known).
//
// This package must not: call other components, read the wall clock, use the
// global math/rand, or start goroutines.
package controllers
