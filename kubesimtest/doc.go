// Package kubesimtest starts a kubesim cluster for a Go test, as envtest
// and kwok's Go API do for theirs:
//
//	c := kubesimtest.Start(t, kubesimtest.Options{})
//	c.Apply(deployment)
//	c.Advance(time.Minute)
//	pods, _ := c.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{})
//
// The cluster is a whole one: API server, scheduler, controllers and a
// kubelet per node, so a Deployment's pods are scheduled, started and
// Running, with IPs from the flannel-like network. It is served on a
// loopback HTTPS port (Config, Kubeconfig) for client-go, controller-runtime,
// kubectl, helm and k9s, and torn down by t.Cleanup.
//
// The clock is virtual: Live (default) follows the wall clock as `kubesim
// start` does; Manual moves only by Advance. Either way Advance jumps hours
// of cluster time in the time the cluster takes to do that hour's work.
//
// Replay and Scenario run transcripts and killercoda scenarios against the
// cluster; with Options.Kubeconfig the same test runs against an existing
// cluster (kind, kubeadm, a cloud), and what only a simulation can do
// (Advance, node directives) fails with a message that says so.
//
// The module path is `kubesim`; another module requires it with a replace
// directive (see examples/kubesimtest).
package kubesimtest
