// Package cri serves a chain's CRI RuntimeService and ImageService as real
// gRPC on a unix socket, so crictl (sigs.k8s.io/cri-tools) can talk to a
// simulated node: crictl version, pods, ps, images, inspectp, exec -s.
//
// It owns the socket and the gRPC server. It must not hold runtime state
// (runtime/chain does) or serve beyond the unix socket it is given. Serve
// starts goroutines; the stop function it returns ends them.
package cri
