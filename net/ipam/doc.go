// Package ipam is the host-local IPAM plugin of one node, as flannel's CNI
// delegate (bridge + host-local) runs it over the node's subnet: the bridge
// cni0 holds the gateway .1, pods get .2, .3, … in round-robin order
// (allocation resumes after the last reserved IP, wrapping at .254), and an
// IP never has two owners.
//
// It owns: the IP → container-id map of one subnet and the last reserved IP
// (host-local keeps both as files under /var/lib/cni/networks/<net>/). It
// must not: read the clock, use randomness, or know about pods, nodes or the
// store — the kubelet/runtime passes sandbox ids in and persists pod IPs.
//
// Upstream read for behaviour: containernetworking/plugins
// plugins/ipam/host-local/backend/allocator/{allocator.go,range.go,
// range_set.go} (RangeStart = network+1, RangeEnd = broadcast-1, the
// iterator skips the gateway, round-robin from lastReservedIP+1) and
// host-local main.go (the "failed to allocate for range 0: " prefix).
package ipam
