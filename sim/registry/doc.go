// Package registry is kubesim's typed storage layer: every write to the
// cluster, from an API request or from an in-process component (scheduler,
// controllers, kubelets, event recorder), goes through a Registry, so that
// defaulting, admission, validation and resourceVersion rules are the same
// for everyone.
//
// It owns: the table of served resources and the scheme (resources.go);
// the storage codec, protobuf as kube-apiserver keeps in etcd (codec.go);
// create/update/delete with their preconditions, graceful pod deletion and
// finalizers (registry.go); defaulting and the default admission plugins
// (defaults.go); the LimitRanger and ResourceQuota admission plugins
// (admission*.go: mutating after defaulting, validating after validation,
// counting with sim/quota); when validation runs (validate.go: on create, on update
// with immutability, metadata only through status; the rules and messages
// are sim/validation's, before allocation as in rest.BeforeCreate); the field
// sets field selectors match (fields.go); Service ClusterIP and NodePort
// allocation (service.go); the subresources' storage: binding, scale,
// eviction (subresources.go); and custom resources: the table of what the
// Established CRDs serve, rebuilt after every CRD write and read without a
// lock (custom.go), the CRD strategy and JSON storage of custom objects
// (crd.go) and their strategy: pruning, defaulting and schema validation
// through sim/apiextensions, status, scale and generation
// (custom_strategy.go).
//
// It must not: speak HTTP (routing, content negotiation, watch streaming,
// tables and discovery belong to sim/apiserver, which calls the registry);
// read the wall clock or a global random source (time is the cluster's
// virtual clock, uids and generated names come from its seeded source); or
// be called concurrently (the cluster calls it with its loop lock held).
// Objects it returns are shared with the store and watchers: callers
// DeepCopy before changing them.
//
// Upstream it follows: kube-apiserver's pkg/registry, one strategy per
// resource (PrepareForCreate/PrepareForUpdate keep spec or status by
// subresource, Validate/ValidateUpdate, the field sets of GetAttrs), the
// generic store of k8s.io/apiserver pkg/registry/generic/registry (graceful
// deletion, finalizers, preconditions) and the subresource REST storages
// (pods/binding, pods/eviction, */scale).
package registry
