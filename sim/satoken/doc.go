// Package satoken issues and verifies service-account tokens: the JWTs of
// the TokenRequest API (serviceaccounts/token, kubectl create token) that
// kube-apiserver signs with --service-account-signing-key-file and accepts
// as bearer tokens (system:serviceaccount:NS:NAME).
//
// The signing key is an Ed25519 key derived from the cluster's seed (its
// own stream, so drawing it does not move the cluster's shared source):
// the same cluster signs with the same key across restarts, and tokens are
// reproducible. Upstream signs RS256; here the header says EdDSA. Times
// are the virtual clock's.
package satoken
