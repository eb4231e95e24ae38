// Package apiserver is kubesim's Kubernetes API server: an http.Handler that
// serves discovery, CRUD, watch, patch, Table output and subresources for the
// resources kubesim simulates, over the typed registry in sim/registry.
//
// It owns HTTP only: routing, request decoding and content negotiation
// (JSON, YAML, protobuf, Table), patch decoding, watch streaming, discovery,
// the pods/log and pods/exec upgrades, and writing the Status errors kubectl
// prints. Defaulting, validation, resourceVersion rules and every
// subresource's storage are the registry's; the server decodes a request,
// calls the registry inside Driver.Do, and encodes the answer. Table cells
// come from sim/apiserver/printers.
//
// Only the shells import it (server/, the in-process kubectl transport,
// tests): ForCluster puts it in front of a sim.Cluster. Components of the
// cluster never do; they use sim/registry.
//
// Time comes from the cluster's virtual clock, so the same requests give the
// same bytes.
package apiserver
