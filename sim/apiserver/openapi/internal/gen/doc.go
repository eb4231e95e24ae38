// Command gen regenerates the OpenAPI definitions kubesim serves, one file
// per Kubernetes release, under ../../data. Run it with `go generate
// ./sim/apiserver/openapi/` (needs the Go module proxy, or a module cache
// that holds the modules below).
//
// For each release it makes a scratch module that requires k8s.io/api,
// k8s.io/apimachinery and k8s.io/apiextensions-apiserver (for
// CustomResourceDefinition) at that release, and so the k8s.io/kube-openapi that
// release was built with; it runs that kube-openapi's openapi-gen over the
// API packages kubesim serves (as the release's hack/update-codegen.sh ran
// it over all of them), then runs emit/main.go there, which shapes the
// definitions with that kube-openapi's v3 and v2 builders as kube-apiserver
// does. Using the release's own generator matters: later ones drop the
// zero defaults of struct fields, add enums to list items and escape
// backslashes in descriptions twice.
// gen keeps the v3 definitions, plus the v2 ones that do not follow from
// them by openapi.V2Schema, and writes them gzipped.
package main
