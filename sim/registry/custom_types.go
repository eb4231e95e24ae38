package registry

import (
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

// registerCustomTypes gives the field managers a type for every served
// custom kind, from its structural schema (apiVersion, kind and metadata
// added as the CRD handler's models have them; fields the schema leaves
// open are deduced), or deduced entirely when the schema does not convert.
func (r *Registry) registerCustomTypes() {
	if r.fields == nil {
		return
	}
	types := r.fields.Types()
	for _, res := range r.customs().list {
		types.Register(res.GVK(), customTypeConverter(res))
	}
}

func customTypeConverter(res *Resource) managedfields.TypeConverter {
	st := res.Custom.Version.Structural
	if st == nil {
		return managedfields.NewDeducedTypeConverter()
	}
	s := st.ToKubeOpenAPI()
	if s.Properties == nil {
		s.Properties = map[string]spec.Schema{}
	}
	str := spec.Schema{SchemaProps: spec.SchemaProps{Type: spec.StringOrArray{"string"}}}
	s.Properties["apiVersion"], s.Properties["kind"] = str, str
	meta := spec.Schema{SchemaProps: spec.SchemaProps{Type: spec.StringOrArray{"object"}}}
	meta.AddExtension("x-kubernetes-preserve-unknown-fields", true)
	s.Properties["metadata"] = meta
	gvk := res.GVK()
	s.AddExtension("x-kubernetes-group-version-kind", []any{map[string]any{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind}})
	tc, err := managedfields.NewTypeConverter(map[string]*spec.Schema{res.GVR.Group + "." + res.GVR.Version + "." + res.Kind: s}, true)
	if err != nil {
		return managedfields.NewDeducedTypeConverter()
	}
	return tc
}
