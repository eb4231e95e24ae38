// Package apiserver is kubesim's Kubernetes API server: an http.Handler that
// serves discovery, CRUD, watch, patch, Table output and subresources for the
// resources kubesim simulates, over the bbolt store in sim/store.
//
// It owns request decoding (JSON and protobuf), defaulting, validation,
// resourceVersion handling and the Status errors kubectl prints. It does not
// schedule, run controllers or talk to kubelets: those components watch the
// store. Table cells come from sim/apiserver/printers.
//
// Time comes from the cluster's virtual clock and randomness (uids, generated
// name suffixes) from the cluster's seeded source, so the same requests give
// the same bytes.
package apiserver
