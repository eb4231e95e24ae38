package apiextensions

import (
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apimachinery/pkg/runtime"
)

// applyDefaults sets the defaults of s in x, as schema/defaulting's Default
// does: a property that is absent, or null where the schema does not allow
// null, gets a copy of its default; then every value is defaulted by its
// own schema (properties, additionalProperties, items).
func applyDefaults(x any, s *structuralschema.Structural) {
	if s == nil {
		return
	}
	switch x := x.(type) {
	case map[string]any:
		for k, prop := range s.Properties {
			if prop.Default.Object == nil {
				continue
			}
			if v, found := x[k]; !found || nonNullableNull(v, &prop) {
				x[k] = runtime.DeepCopyJSONValue(prop.Default.Object)
			}
		}
		for k, v := range x {
			if prop, found := s.Properties[k]; found {
				applyDefaults(v, &prop)
			} else if s.AdditionalProperties != nil && s.AdditionalProperties.Structural != nil {
				ap := s.AdditionalProperties.Structural
				if nonNullableNull(v, ap) && ap.Default.Object != nil {
					x[k] = runtime.DeepCopyJSONValue(ap.Default.Object)
					v = x[k]
				}
				applyDefaults(v, ap)
			}
		}
	case []any:
		for i, v := range x {
			if nonNullableNull(v, s.Items) && s.Items.Default.Object != nil {
				x[i] = runtime.DeepCopyJSONValue(s.Items.Default.Object)
				v = x[i]
			}
			applyDefaults(v, s.Items)
		}
	}
}

func nonNullableNull(x any, s *structuralschema.Structural) bool {
	return x == nil && s != nil && !s.Nullable
}
