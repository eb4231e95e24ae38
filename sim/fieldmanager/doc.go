// Package fieldmanager records who owns which field of an object: the
// managedFields kube-apiserver keeps on every object, and server-side
// apply's merge and conflicts, with upstream's own field managers
// (k8s.io/apimachinery/pkg/util/managedfields over
// sigs.k8s.io/structured-merge-diff).
//
// Types is the structured-merge-diff type of each served kind, looked up
// by group/version/kind: the built-in kinds' come from the release's
// OpenAPI definitions (sim/apiserver/openapi's data, the models
// /openapi/v3 serves, converted once per process by
// managedfields.NewTypeConverter); a kind added later (a
// CustomResourceDefinition's) is registered with its own converter built
// from its schema: Types.Register(gvk, managedfields.NewTypeConverter(
// models, preserveUnknownFields)), the models one definition with that
// kind's x-kubernetes-group-version-kind. Objects of kinds the scheme does
// not know stay unstructured throughout; until its kind is registered a
// custom object records no managed fields and applying to it is upstream's
// "no corresponding type" error. Managers holds one upstream FieldManager per kind and
// subresource, with the strategy's reset fields (status through the main
// resource, spec through status), and maps the scale subresource's entries
// to the parent's with upstream's ScaleHandler.
//
// It owns no policy of its own: which write records what (Update on
// create and update, Apply on server-side apply, nothing on bindings and
// deletions) and under which manager is sim/registry's; the manager's name
// comes from the API request (fieldManager, else the user agent's
// program) or from the cluster's component (kube-scheduler,
// kube-controller-manager, kubelet).
//
// Creates, most of a busy cluster's writes, take a shorter way to the same
// result (create.go: one comparison with the kind's empty object, shared
// by objects of the same shape, shape.go); TestCreateMatchesUpdate checks
// it against upstream's chain on every object of a running cluster.
//
// Upstream stamps a touched entry with the wall clock; the cluster's time
// is its virtual clock, so Managers restamps every entry a write touched
// with the cluster's time, to the second, and sorts the entries again as
// upstream encodes them. Nothing else differs: the merge, the conflict
// messages and the fieldsV1 encoding are upstream's code.
//
// Managers is not safe for concurrent use (the registry calls it with the
// cluster's lock held); Types is.
package fieldmanager
