package openapi

import "strings"

const (
	v3RefPrefix = "#/components/schemas/"
	v2RefPrefix = "#/definitions/"
)

// V2Schema derives a v2 definition from a v3 component schema as
// kube-apiserver's two builders differ: the v3 builder wraps a $ref that has
// siblings in a one-element allOf, v3 refs point into components/schemas,
// and the v2 document has its defaults pruned. The input is not modified.
func V2Schema(s any) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch k {
		case "default":
			// pruned
		case "$ref":
			if ref, ok := v.(string); ok {
				out[k] = v2RefPrefix + strings.TrimPrefix(ref, v3RefPrefix)
			} else {
				out[k] = v
			}
		case "properties", "patternProperties", "definitions":
			out[k] = mapSchemas(v, V2Schema)
		case "items", "additionalProperties", "not":
			out[k] = V2Schema(v)
		case "allOf", "oneOf", "anyOf":
			out[k] = listSchemas(v, V2Schema)
		default:
			out[k] = v
		}
	}
	if all, ok := out["allOf"].([]any); ok && len(all) == 1 {
		if inner, ok := all[0].(map[string]any); ok && len(inner) == 1 && inner["$ref"] != nil {
			if _, has := out["$ref"]; !has {
				delete(out, "allOf")
				out["$ref"] = inner["$ref"]
			}
		}
	}
	return out
}

func mapSchemas(v any, f func(any) any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, s := range m {
		out[k] = f(s)
	}
	return out
}

func listSchemas(v any, f func(any) any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = f(s)
	}
	return out
}
