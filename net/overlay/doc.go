// Package overlay hands out per-node pod subnets the way a kubeadm + flannel
// cluster gets them: kube-controller-manager's node IPAM (the range
// allocator over a CIDR set) gives each registered node a /24 out of the
// cluster CIDR, in registration order, and flannel in kube-subnet-mgr mode
// uses that node.spec.podCIDR as its lease.
//
// It owns: the bitmap of handed-out subnets, the next-candidate cursor, and
// the node → subnet map. It must not: talk to the store, pick subnets at
// random (flannel's etcd mode does, kube mode does not), or read the clock.
// Callers persist node.spec.podCIDR themselves and call Restore on restart.
//
// Upstream read for behaviour: kubernetes
// pkg/controller/nodeipam/ipam/cidrset/cidr_set.go (AllocateNext scans from
// nextCandidate and wraps; Occupy marks without moving the cursor; Release
// frees without moving it) and range_allocator.go (the error wrapping).
package overlay
