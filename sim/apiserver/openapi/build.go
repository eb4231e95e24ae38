package openapi

import (
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

// closure adds to into the schemas that roots refer to, directly or not,
// each with its GVK extension; refPrefix is how refs to them begin.
func closure(data map[string]any, n *namer, roots []string, refPrefix string, into map[string]any) {
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := into[name]; done {
			continue
		}
		s, ok := data[name].(map[string]any)
		if !ok {
			continue
		}
		if ext := n.gvkExtension(name); ext != nil {
			c := make(map[string]any, len(s)+1)
			for k, v := range s {
				c[k] = v
			}
			c["x-kubernetes-group-version-kind"] = ext
			s = c
		}
		into[name] = s
		walkRefs(s, func(ref string) {
			if strings.HasPrefix(ref, refPrefix) {
				queue = append(queue, strings.TrimPrefix(ref, refPrefix))
			}
		})
	}
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
