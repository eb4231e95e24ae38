// Package cni is one node's pod network as flannel sets it up: the subnet
// lease flanneld takes from the node's spec.podCIDR (written to
// /run/flannel/subnet.env, with the route to it over the fabric), and the
// CNI plugin the container runtime calls for every pod sandbox — flannel's
// plugin delegating to bridge (the pod joins cni0 and becomes a host on the
// fabric) with host-local IPAM over the subnet (net/ipam).
//
// The runtime chain calls Add (CNI ADD) in RunPodSandbox and Del (CNI DEL)
// when the sandbox stops (runtime/chain.CNI); the kubelet reads the pod IP
// back from PodSandboxStatus. Until SetSubnet the network is not ready and
// Add fails, as a runtime without a CNI config reports
// NetworkReady=false.
//
// It owns: the node's host-local allocator and which sandbox holds each
// pod's IP. It must not: read the clock, use randomness, or read the store.
// Host-local's reservations live in files that survive a reboot; here the
// cluster rebuilds them from the pods' recorded IPs with Restore.
//
// One simplification: host-local keys a reservation by container id; this
// plugin keys it by the pod's uid (K8S_POD_UID), so a resumed cluster can
// reserve its pods' IPs before any sandbox exists, and remembers which
// sandbox holds it, so a late DEL from an old sandbox never frees the IP of
// the pod's new one.
//
// Upstream read for behaviour: flannel-io/cni-plugin flannel_linux.go
// (delegate to bridge + host-local over FLANNEL_SUBNET), containerd
// internal/cri/server/sandbox_run.go (setupPodNetwork inside
// RunPodSandbox) and sandbox_stop.go (teardownPodNetwork).
package cni
