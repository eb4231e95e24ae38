package openapi

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is a served resource as the documents describe it.
type Resource struct {
	GVR        schema.GroupVersionResource
	Kind       string
	ListKind   string // "" when the resource cannot be listed
	Namespaced bool
	Verbs      []string
	Subs       []Subresource
}

// Subresource is a served subresource.
type Subresource struct {
	Name  string
	Kind  schema.GroupVersionKind
	Verbs []string
}

// namer names definitions and lists the kinds each one is registered as,
// as kube-apiserver's DefinitionNamer does from its scheme.
type namer struct {
	byType map[string][]schema.GroupVersionKind // definition name -> GVKs
	byGVK  map[schema.GroupVersionKind]string   // GVK -> definition name
}

func newNamer(scheme *runtime.Scheme) *namer {
	n := &namer{byType: map[string][]schema.GroupVersionKind{}, byGVK: map[schema.GroupVersionKind]string{}}
	for gvk, t := range scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal {
			continue
		}
		name := definitionName(t)
		n.byGVK[gvk] = name
		n.byType[name] = append(n.byType[name], gvk)
	}
	for _, gvks := range n.byType {
		sort.Slice(gvks, func(i, j int) bool {
			a, b := gvks[i], gvks[j]
			if a.Group != b.Group {
				return a.Group < b.Group
			}
			if a.Version != b.Version {
				return a.Version < b.Version
			}
			return a.Kind < b.Kind
		})
	}
	return n
}

// definitionName is the apiserver's name for a Go type: the package path's
// domain reversed, joined to the rest and the type name by dots
// (k8s.io/api/core/v1.Pod -> io.k8s.api.core.v1.Pod).
func definitionName(t reflect.Type) string {
	parts := strings.Split(t.PkgPath()+"."+t.Name(), "/")
	if strings.Contains(parts[0], ".") {
		dom := strings.Split(parts[0], ".")
		for i, j := 0, len(dom)-1; i < j; i, j = i+1, j-1 {
			dom[i], dom[j] = dom[j], dom[i]
		}
		parts[0] = strings.Join(dom, ".")
	}
	return strings.Join(parts, ".")
}

// gvkExtension is the x-kubernetes-group-version-kind value for a definition.
func (n *namer) gvkExtension(name string) []any {
	gvks := n.byType[name]
	if len(gvks) == 0 {
		return nil
	}
	out := make([]any, len(gvks))
	for i, gvk := range gvks {
		out[i] = map[string]any{"group": gvk.Group, "version": gvk.Version, "kind": gvk.Kind}
	}
	return out
}

// schemaSet encodes a release's schemas for one scheme, each once: the
// v3 form and the v2 form, with x-kubernetes-group-version-kind, and the
// definitions each refers to.
type schemaSet struct {
	data *Data
	n    *namer
	v3   map[string]json.RawMessage
	v2   map[string]json.RawMessage
	refs map[string][]string
}

func newSchemaSet(data *Data, n *namer) *schemaSet {
	return &schemaSet{data: data, n: n, v3: map[string]json.RawMessage{}, v2: map[string]json.RawMessage{}, refs: map[string][]string{}}
}

// withGVK returns s with the definition's GVK extension, if it has one.
func (ss *schemaSet) withGVK(name string, s map[string]any) map[string]any {
	ext := ss.n.gvkExtension(name)
	if ext == nil {
		return s
	}
	c := make(map[string]any, len(s)+1)
	for k, v := range s {
		c[k] = v
	}
	c["x-kubernetes-group-version-kind"] = ext
	return c
}

// closure returns the names of the schemas roots refer to, directly or not.
func (ss *schemaSet) closure(roots []string) []string {
	seen := map[string]bool{}
	var out []string
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		refs, ok := ss.refs[name]
		if !ok {
			s, isSchema := ss.data.Schemas[name].(map[string]any)
			if !isSchema {
				continue
			}
			walkRefs(s, func(ref string) {
				if strings.HasPrefix(ref, v3RefPrefix) {
					refs = append(refs, strings.TrimPrefix(ref, v3RefPrefix))
				}
			})
			ss.refs[name] = refs
		}
		out = append(out, name)
		queue = append(queue, refs...)
	}
	return out
}

// encodeV3 returns a schema's v3 encoding.
func (ss *schemaSet) encodeV3(name string) (json.RawMessage, error) {
	if b, ok := ss.v3[name]; ok {
		return b, nil
	}
	s, _ := ss.data.Schemas[name].(map[string]any)
	b, err := json.Marshal(ss.withGVK(name, s))
	ss.v3[name] = b
	return b, err
}

// encodeV2 returns a schema's v2 encoding: the stored v2 definition if the
// release has one, else the one derived from v3.
func (ss *schemaSet) encodeV2(name string) (json.RawMessage, error) {
	if b, ok := ss.v2[name]; ok {
		return b, nil
	}
	s, ok := ss.data.V2[name].(map[string]any)
	if !ok {
		s, _ = V2Schema(ss.data.Schemas[name]).(map[string]any)
	}
	b, err := json.Marshal(ss.withGVK(name, s))
	ss.v2[name] = b
	return b, err
}

// walkRefs calls f with every $ref in v.
func walkRefs(v any, f func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if k == "$ref" {
				if s, ok := x.(string); ok {
					f(s)
				}
				continue
			}
			walkRefs(x, f)
		}
	case []any:
		for _, x := range t {
			walkRefs(x, f)
		}
	}
}
