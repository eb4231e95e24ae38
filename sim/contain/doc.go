// Package contain keeps one bad object from stopping the cluster's loop.
//
// A component (controller, kubelet, scheduler) that panics while it syncs
// one key raises a *KeyPanic through Each: the keys after it stay queued,
// and the loop in package sim records the panic (a log line and a Warning
// event on the object) and calls Retry after a back-off on the virtual
// clock, as a workqueue's rate limiter would. kube-controller-manager
// crashes instead (utilruntime.HandleCrash re-panics) and is restarted by
// the kubelet; here the whole cluster is one process, so the panic stays in
// the key that caused it.
//
// It must not: read the wall clock, log, or write to the store (the loop
// does both, with the cluster lock held and released by defer).
package contain
