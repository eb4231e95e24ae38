package registry

import (
	"sort"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"

	"kubesim/sim/apiextensions"
)

// Custom is what a custom resource's Resource carries: the CRD it is
// served from and its compiled version. Immutable.
type Custom struct {
	// CRD is the definition as stored when the table was built.
	CRD *apiextensionsv1.CustomResourceDefinition
	// Version is the served version compiled (schema, columns, subresources).
	Version *apiextensions.Version
	// Columns turn objects into Table rows.
	Columns *apiextensions.Columns
	// Terminating: the CRD is being deleted; its objects may be read and
	// deleted, not created.
	Terminating bool
}

// customTable is the served custom resources, rebuilt from the stored CRDs
// after every write to one. It is immutable: readers on request goroutines
// load it without a lock.
type customTable struct {
	// rev is the store revision of the CRD write it was built after (0:
	// built at open); discovery and OpenAPI documents key on it.
	rev    int64
	list   []*Resource // by group, CRD name, then version order
	byGVR  map[schema.GroupVersionResource]*Resource
	byGR   map[schema.GroupResource]*Resource // the preferred (first served) version
	byKind map[schema.GroupKind]*Resource
	byGVK  map[schema.GroupVersionKind]*Resource
}

// CRDResource is the customresourcedefinitions resource.
func CRDResource() *Resource { return byGR[crdGR] }

var crdGR = schema.GroupResource{Group: apiextensionsv1.GroupName, Resource: "customresourcedefinitions"}

// rebuildCustom rebuilds the custom resource table from the live store.
func (r *Registry) rebuildCustom(rev int64) {
	kvs, _ := r.store.List(Prefix(CRDResource(), ""), nil)
	t := &customTable{rev: rev, byGVR: map[schema.GroupVersionResource]*Resource{}, byGR: map[schema.GroupResource]*Resource{},
		byKind: map[schema.GroupKind]*Resource{}, byGVK: map[schema.GroupVersionKind]*Resource{}}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, kv := range kvs {
		if crd, ok := kv.Obj.(*apiextensionsv1.CustomResourceDefinition); ok && crdEstablished(crd) {
			crds = append(crds, crd)
		}
	}
	sort.SliceStable(crds, func(i, j int) bool {
		if crds[i].Spec.Group != crds[j].Spec.Group {
			return crds[i].Spec.Group < crds[j].Spec.Group
		}
		return crds[i].Name < crds[j].Name
	})
	for _, crd := range crds {
		// Versions by kube-aware priority (v2 > v1 > v1beta1), as
		// discovery orders them: the first served is the preferred one.
		versions := append([]apiextensionsv1.CustomResourceDefinitionVersion(nil), crd.Spec.Versions...)
		sort.SliceStable(versions, func(i, j int) bool {
			return version.CompareKubeAwareVersionStrings(versions[i].Name, versions[j].Name) > 0
		})
		for _, v := range versions {
			if !v.Served {
				continue
			}
			res := customResource(crd, v.Name)
			if res == nil {
				continue
			}
			if _, taken := byGVR[res.GVR]; taken {
				continue // a built-in resource wins
			}
			t.list = append(t.list, res)
			t.byGVR[res.GVR] = res
			t.byGVK[res.GVK()] = res
			if _, ok := t.byGR[res.GR()]; !ok {
				t.byGR[res.GR()] = res
				t.byKind[res.GVK().GroupKind()] = res
			}
		}
	}
	r.custom.Store(t)
	r.registerCustomTypes()
}

func crdEstablished(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established {
			return c.Status == apiextensionsv1.ConditionTrue
		}
	}
	return false
}

// customResource builds the Resource of one served version, by the CRD's
// accepted names as apiextensions-apiserver serves them; nil when the
// version does not compile.
func customResource(crd *apiextensionsv1.CustomResourceDefinition, version string) *Resource {
	v, err := apiextensions.Compile(crd, version)
	if err != nil {
		return nil
	}
	cols, _ := apiextensions.NewColumns(v.Columns)
	names := crd.Status.AcceptedNames
	gv := schema.GroupVersion{Group: crd.Spec.Group, Version: version}
	gvk, listGVK := gv.WithKind(names.Kind), gv.WithKind(names.ListKind)
	res := &Resource{
		GVR: gv.WithResource(names.Plural), Kind: names.Kind, ListKind: names.ListKind, Singular: names.Singular,
		Namespaced: crd.Spec.Scope == apiextensionsv1.NamespaceScoped, ShortNames: names.ShortNames, Categories: names.Categories,
		Verbs: allVerbs,
		New: func() runtime.Object {
			u := &unstructured.Unstructured{Object: map[string]any{}}
			u.SetGroupVersionKind(gvk)
			return u
		},
		NewList: func() runtime.Object {
			u := &unstructured.UnstructuredList{Object: map[string]any{}}
			u.SetGroupVersionKind(listGVK)
			return u
		},
		Custom: &Custom{CRD: crd, Version: v, Columns: cols, Terminating: crd.DeletionTimestamp != nil},
	}
	if v.Scale != nil {
		res.Subs = append(res.Subs, Subresource{Name: "scale", Kind: scaleKind, Verbs: statusVerbs})
	}
	if v.Status {
		res.Subs = append(res.Subs, statusSub(gvk))
	}
	return res
}

func (r *Registry) customs() *customTable {
	if t := r.custom.Load(); t != nil {
		return t
	}
	return &customTable{}
}

// LookupGVR returns the served resource, built-in or custom, for a
// group/version/resource. Safe on any goroutine.
func (r *Registry) LookupGVR(gvr schema.GroupVersionResource) (*Resource, bool) {
	if res, ok := byGVR[gvr]; ok {
		return res, true
	}
	res, ok := r.customs().byGVR[gvr]
	return res, ok
}

// Lookup returns the served resource, built-in or custom (its preferred
// version), for a group/resource.
func (r *Registry) Lookup(gr schema.GroupResource) (*Resource, bool) {
	if res, ok := byGR[gr]; ok {
		return res, true
	}
	res, ok := r.customs().byGR[gr]
	return res, ok
}

// LookupKind returns the served resource, built-in or custom, for a group/kind.
func (r *Registry) LookupKind(gk schema.GroupKind) (*Resource, bool) {
	if res, ok := byKind[gk]; ok {
		return res, true
	}
	res, ok := r.customs().byKind[gk]
	return res, ok
}

// CustomResources returns the served custom resources (one per served
// version of each established CRD), by group and CRD name.
func (r *Registry) CustomResources() []*Resource { return r.customs().list }

// CustomRevision is the store revision of the CRD write the served custom
// resources reflect: it changes whenever they may have.
func (r *Registry) CustomRevision() int64 { return r.customs().rev }

// Served returns every served resource: the built-in ones in discovery
// order, then the custom ones.
func (r *Registry) Served() []*Resource {
	cs := r.CustomResources()
	if len(cs) == 0 {
		return resources
	}
	return append(append(make([]*Resource, 0, len(resources)+len(cs)), resources...), cs...)
}

// ServedGroupVersions is GroupVersions with the custom resources' groups
// after the built-in ones, in the order of CustomResources.
func (r *Registry) ServedGroupVersions() []schema.GroupVersion {
	gvs := GroupVersions()
	seen := map[schema.GroupVersion]bool{}
	for _, gv := range gvs {
		seen[gv] = true
	}
	for _, res := range r.CustomResources() {
		if gv := res.GVR.GroupVersion(); !seen[gv] {
			seen[gv] = true
			gvs = append(gvs, gv)
		}
	}
	return gvs
}

// SchemaFor returns the openAPIV3Schema of a custom kind's version (nil
// when the kind is not a served custom resource or has no schema): the
// per-GVK schema lookup server-side apply and OpenAPI use.
func (r *Registry) SchemaFor(gvk schema.GroupVersionKind) *apiextensionsv1.JSONSchemaProps {
	if res, ok := r.customs().byGVK[gvk]; ok {
		return res.Custom.Version.Schema
	}
	return nil
}

// customKeyPrefix is where a custom resource's objects are stored:
// /registry/<group>/<resource>/, as apiextensions-apiserver keeps them.
func customKeyPrefix(res *Resource) string {
	return "/registry/" + res.GVR.Group + "/" + res.GVR.Resource + "/"
}

// customMeta returns the metadata of a custom object as typed ObjectMeta
// (what validation reads).
func customMeta(u *unstructured.Unstructured) (*metav1.ObjectMeta, error) {
	m := &metav1.ObjectMeta{}
	raw, ok := u.Object["metadata"].(map[string]any)
	if !ok {
		return m, nil
	}
	err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, m)
	return m, err
}
