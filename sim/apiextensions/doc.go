// Package apiextensions is what kube-apiserver's apiextensions-apiserver does
// with a CustomResourceDefinition's schema once the CRD is accepted: for one
// served version it compiles the openAPIV3Schema into a structural schema
// (k8s.io/apiextensions-apiserver's schema package) and, for the custom
// resources of that version, validates (kube-openapi's validator, errors
// turned into field errors as the CR strategy does), defaults (ported:
// schema/defaulting's algorithm), prunes unknown fields (schema/pruning)
// and coerces metadata; it also builds the Table rows of the version's
// additionalPrinterColumns (ported from the CR table convertor).
//
// It owns no state and never writes: sim/registry calls it when a custom
// resource is created or updated, sim/apiserver when it prints one. The
// validation of the CRD object itself is sim/validation's.
//
// Upstream: k8s.io/apiextensions-apiserver pkg/apiserver/schema (structural
// schemas, pruning), pkg/apiserver/schema/defaulting, pkg/apiserver/validation
// (kubeOpenAPIResultToFieldErrors), pkg/registry/customresource (strategy,
// tableconvertor). The packages that need CEL (defaulting's validation,
// the CR validator) are not imported: CEL rules (x-kubernetes-validations)
// are not evaluated.
package apiextensions
