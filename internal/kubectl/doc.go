// Package kubectl runs the real kubectl (k8s.io/kubectl) inside the kubesim
// process against a cluster's API handler through an in-memory transport:
// no port, no TLS, the same request and response bytes as over the wire.
//
// kubectl keeps process-global state (its fatal-error handler, klog), so runs
// are serialised.
package kubectl
