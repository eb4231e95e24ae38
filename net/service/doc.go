// Package service allocates Service ClusterIPs the way kube-apiserver's
// service IP allocator does in the Kubernetes versions we simulate (the
// bitmap allocator with the static/dynamic split of KEP-3070,
// ServiceIPStaticSubrange, GA in 1.26): the range excludes the network and
// broadcast addresses; its first min(max(16, size/16), 256) addresses are a
// lower band kept for addresses users ask for (kubernetes = 10.96.0.1,
// kube-dns = 10.96.0.10); an automatic allocation picks a random start in
// the upper band and scans forward, and only falls back to the lower band
// when the upper one is full.
//
// It owns: the allocation bitmap of one Service CIDR. It must not: use
// global randomness (the caller passes the cluster's *rand.Rand), talk to
// the store, or build API errors — it returns the allocator's own error
// texts for its caller to wrap ("failed to allocate IP %v: %v").
//
// It is the cluster's one ClusterIP allocator: sim/registry calls it on
// every Service create, over the addresses the stored Services hold, and
// turns its errors into kube-apiserver's (a 500 for a full range, a 422 on
// spec.clusterIPs for an address taken or outside the range).
//
// Upstream read for behaviour: kubernetes
// pkg/registry/core/service/ipallocator/bitmap.go (range, offset,
// ErrNotInRange text) and pkg/registry/core/service/allocator/bitmap.go
// (randomScanStrategyWithOffset).
package service
