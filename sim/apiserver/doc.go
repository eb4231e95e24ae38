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
// Every resource request is authorized before the registry is called
// (auth.go): the user comes from the request's context (WithUser; the
// shell authenticates) or is admin.conf's kubernetes-admin, impersonation
// headers are checked against the impersonate verb, and sim/authz decides
// with upstream's Forbidden text. The review kinds (review.go) are answered
// from the same authorizer: SelfSubjectAccessReview (auth can-i),
// SelfSubjectRulesReview (can-i --list), SubjectAccessReview and
// SelfSubjectReview (auth whoami; authentication.k8s.io/v1 on every
// version, where 1.27 served only v1beta1).
//
// metrics.k8s.io/v1beta1 (metrics.go) is served as metrics-server serves it
// behind the aggregator: discovery, NodeMetrics and PodMetrics get and list
// with labelSelector, from Hooks.Metrics (the cluster's scrape, sim/metrics);
// not in the OpenAPI documents, as kube-apiserver merges an aggregated
// server's spec only when it publishes one.
//
// Custom resources (custom.go) are served from the registry's table of
// Established CRDs: routing and discovery read it on every request, their
// bodies decode as unstructured objects (unknown fields pruned: warnings,
// or refused under fieldValidation=Strict), their Tables come from the
// printer columns, and the OpenAPI documents are rebuilt with their
// schemas whenever the table changes (openapi/custom.go).
//
// Only the shells import it (server/, the in-process kubectl transport,
// tests): ForCluster puts it in front of a sim.Cluster. Components of the
// cluster never do; they use sim/registry.
//
// Interactive exec (stdin, a terminal, output as it is written) runs the
// command as a runtime/shell process the server drives on the cluster's
// loop (stream.go): each step runs inside Driver.Do, input arriving wakes
// it, and the client's streams come over WebSocket (v5.channel.k8s.io,
// kubectl 1.30+) or SPDY (older kubectl) through k8s.io/streaming. The
// container's terminal (echo, erase, CR→NL in, NL→CRNL out) is tty.go. In a
// live cluster a process's sleep lasts until the cluster's clock, which
// follows the wall clock, reaches its end (Driver.Wait); a stepped cluster
// never waits: the sleep ends at once, as in a non-interactive exec.
//
// Time comes from the cluster's virtual clock, so the same requests give the
// same bytes.
package apiserver
