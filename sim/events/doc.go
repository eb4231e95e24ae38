// Package events records Kubernetes Events the way client-go's recorders do:
// core/v1 events with exact-repeat deduplication (count, lastTimestamp) for
// the kubelet and controllers, and events.k8s.io-style events with a series
// for the scheduler, read back through core/v1 as kube-apiserver converts
// them. It writes through sim/registry and reads only the virtual
// clock. It also expires events after the apiserver's --event-ttl (1 h).
package events
