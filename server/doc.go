// Package server runs a cluster the way `kubesim start` does: in live mode,
// its virtual clock following the wall clock, behind HTTPS on loopback with a
// per-cluster CA, serving certificate and bearer token, its state kept in a
// directory so that a restart resumes it. It also edits the user's kubeconfig
// (a `kubesim` context, as kind and minikube add theirs).
//
// This package is the asynchronous shell around the deterministic core in
// sim: it is the one place that reads the wall clock.
package server
