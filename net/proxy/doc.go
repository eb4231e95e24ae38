// Package proxy is kube-proxy for the simulated network: it keeps the
// Services and Endpoints it is told about, as kube-proxy's informers do, and
// programs net/fabric from them the way kube-proxy programs iptables: each
// Service's ClusterIP and NodePorts DNAT to its ready endpoints, and the
// Service's cluster DNS record.
//
// It owns: its cache of Services and Endpoints and the set of Services that
// changed since the last Sync. It must not: read the store or the registry
// (the cluster hands it every change), read the clock, or write anything
// but the fabric. Sync programs changed Services in namespace/name order, so
// the fabric sees the same calls in the same order every run.
//
// Upstream read for behaviour: kubernetes pkg/proxy (ServiceChangeTracker,
// EndpointsChangeTracker: a change marks the service, syncProxyRules
// rewrites the rules of the services that changed) and the Endpoints port
// matching of pkg/proxy/endpoints.go (a Service port takes the endpoint
// ports of the same name; a single unnamed port takes them all).
package proxy
