// Package openapi serves the cluster's OpenAPI documents: /openapi/v2
// (swagger 2.0, JSON or gnostic protobuf) and /openapi/v3 (the index of
// group-versions, and one OpenAPI 3.0 document per served group-version,
// JSON or protobuf), as kube-apiserver does. kubectl reads them for explain,
// for client-side validation and server-side fieldValidation detection, and
// for the patch strategies of apply.
//
// # Where the data comes from
//
// The schemas are derived data, never written by hand. data/v1.<minor>.json.gz
// holds, for each Kubernetes release kubesim reports (v1.27.1, v1.28.0 …
// v1.33.0), the definitions of the Go types kubesim serves as that
// release's kube-openapi openapi-gen generates them from k8s.io/api and
// k8s.io/apimachinery at that release (the types' doc comments become the
// descriptions; +patchStrategy, +listType and the like become the
// x-kubernetes-* extensions), shaped by that kube-openapi's v3 builder
// (refs with siblings wrapped in allOf) and, for v2, its v2 builder with
// defaults pruned as kube-apiserver prunes them: the same generator over
// the same sources as the release's own build, so the same texts. Only the v3 form is stored, plus the few v2
// definitions that V2Schema does not derive from it (Quantity and
// IntOrString, whose v3 schemas differ).
//
// Regenerate with
//
//	go generate ./sim/apiserver/openapi/
//
// which runs internal/gen: for each release it makes a scratch module that
// requires k8s.io/api and k8s.io/apimachinery v0.<minor>.<patch> (and with
// them the release's k8s.io/kube-openapi), runs that openapi-gen there,
// then internal/gen/emit (copied in) to build and print the definitions. It
// needs the Go module proxy or a module cache holding those modules, and
// takes a few minutes; the output is byte-for-byte reproducible. Add a
// release to gen's list, or an API package to its packages when kubesim
// serves a new group, and rerun.
//
// # What is built at run time
//
// Nothing at cluster start. The first /openapi request builds every
// document for the cluster's version and served resources: the paths of
// each served resource (operations, parameters with that release's Options
// descriptions, x-kubernetes-action and x-kubernetes-group-version-kind on
// operations, as kube-apiserver's installer registers them), the closure of
// definitions they refer to, each with x-kubernetes-group-version-kind from
// the server's scheme, and their ETags (SHA-512, as kube-apiserver computes
// them). Built documents are shared by every cluster in the process with the
// same version and resources. A minor without data gets the nearest
// release's definitions (ties to the older) with its own version string.
//
// # Custom resources
//
// With Config.Custom, the served custom resources (one per served version
// of each Established CRD) are added as kube-apiserver's CRD OpenAPI
// controller adds them (custom.go): each group-version gets a v3 document
// of its paths, the kind's schema (the CRD's openAPIV3Schema with
// apiVersion, kind and metadata added, named as the CRD builder names it:
// com.example.stable.v1.CronTab), its list and the definitions they refer
// to, and the v2 document gets the same paths and definitions. The merged
// documents are rebuilt once per revision of the custom resources.
//
// # Differences from kube-apiserver
//
//   - Documents list only what kubesim serves; a definition's
//     x-kubernetes-group-version-kind lists the kinds kubesim's scheme
//     registers (DeleteOptions lists kubesim's group-versions, not every
//     group kube-apiserver has).
//   - v2 parameters are inline in each operation; kube-apiserver shares
//     repeated ones under #/parameters with hashed names.
//   - Connect subresources (exec, attach, portforward, proxy) list their
//     methods without their query parameters.
//   - The /openapi/v3 index has the group-versions and the discovery
//     documents (api, apis, apis/<group>, version), not kube-apiserver's
//     others (.well-known/openid-configuration, logs, openid/v1/jwks).
//   - Documents are encoded with encoding/json over maps, so key order is
//     sorted (kube-apiserver's struct order differs); the content is the same.
package openapi
