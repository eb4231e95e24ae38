// Package manifests is the catalog of manifests kubesim serves for their
// well-known URLs with no network: `kubectl apply -f URL` on a node's host
// reads the catalog's copy instead of downloading it. It holds flannel's
// kube-flannel.yml of v0.21.4 (flannel-io/flannel's release asset, the
// release "latest" named when the lecture's cluster was built, April
// 2023), which the bare-machines cluster (sim.ClusterSpec.Bare) needs for
// its pod network.
//
// It must not fetch anything: an unknown URL is not in the catalog.
package manifests
