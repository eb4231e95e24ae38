package openapi

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// CustomResource is one served version of a CRD for the documents: its
// resource as discovery has it and its openAPIV3Schema as JSON (nil: none).
type CustomResource struct {
	Resource
	Schema json.RawMessage
}

// Customs returns the served custom resources and a revision that changes
// whenever they may have (the registry's CustomRevision).
type Customs func() (int64, []CustomResource)

// customDocs are the documents with the custom resources added, for one
// revision of them: kube-apiserver's CRD OpenAPI controller merges each
// established CRD into /openapi/v2 and publishes one /openapi/v3 document
// per group-version.
type customDocs struct {
	rev   int64
	index *document
	gv    map[string]*document
	v2    *document
}

type customCache struct {
	mu   sync.Mutex
	docs *customDocs
}

var customPatch = []string{"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"}

// customDefName is the definition name of a custom kind, as the CRD
// builder names it (util.ToRESTFriendlyName): the group's domain reversed,
// then version and kind ("com.example.stable.v1.CronTab").
func customDefName(gvk schema.GroupVersionKind) string {
	parts := strings.Split(gvk.Group, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".") + "." + gvk.Version + "." + gvk.Kind
}

const (
	descAPIVersion = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
	descKind       = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
	descMetadata   = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
	descListMeta   = "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md#types-kinds"
)

func gvkExt(gvk schema.GroupVersionKind) []any {
	return []any{map[string]any{"group": gvk.Group, "kind": gvk.Kind, "version": gvk.Version}}
}

// customSchemas returns the v3 schemas of a custom kind and its list, as
// the CRD builder makes them: the CRD's schema with apiVersion, kind and
// metadata (ObjectMeta) added.
func customSchemas(cr CustomResource) (map[string]any, error) {
	gv := cr.GVR.GroupVersion()
	gvk, listGVK := gv.WithKind(cr.Kind), gv.WithKind(cr.ListKind)
	s := map[string]any{}
	if len(cr.Schema) > 0 {
		if err := json.Unmarshal(cr.Schema, &s); err != nil {
			return nil, err
		}
	}
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	props["apiVersion"] = map[string]any{"type": "string", "description": descAPIVersion}
	props["kind"] = map[string]any{"type": "string", "description": descKind}
	props["metadata"] = map[string]any{"description": descMetadata, "allOf": []any{map[string]any{"$ref": v3RefPrefix + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}}}
	s["properties"] = props
	if s["type"] == nil {
		s["type"] = "object"
	}
	s["x-kubernetes-group-version-kind"] = gvkExt(gvk)
	list := map[string]any{
		"description": cr.ListKind + " is a list of " + cr.Kind,
		"type":        "object", "required": []any{"items"},
		"properties": map[string]any{
			"apiVersion": map[string]any{"type": "string", "description": descAPIVersion},
			"kind":       map[string]any{"type": "string", "description": descKind},
			"items": map[string]any{"type": "array", "description": "List of " + cr.GVR.Resource + ". More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
				"items": map[string]any{"$ref": v3RefPrefix + customDefName(gvk)}},
			"metadata": map[string]any{"description": descListMeta, "allOf": []any{map[string]any{"$ref": v3RefPrefix + "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"}}},
		},
		"x-kubernetes-group-version-kind": gvkExt(listGVK),
	}
	return map[string]any{customDefName(gvk): s, customDefName(listGVK): list}, nil
}

// withCustom returns the documents with the custom resources, built once
// per revision.
func (s *Service) withCustom(base *documents) (*customDocs, error) {
	rev, crs := s.cfg.Custom()
	s.custom.mu.Lock()
	defer s.custom.mu.Unlock()
	if d := s.custom.docs; d != nil && d.rev == rev {
		return d, nil
	}
	d, err := buildCustom(s.cfg, base, rev, crs)
	if err != nil {
		return nil, err
	}
	s.custom.docs = d
	return d, nil
}

func buildCustom(cfg Config, base *documents, rev int64, crs []CustomResource) (*customDocs, error) {
	data, err := release(cfg.Version)
	if err != nil {
		return nil, err
	}
	n := newNamer(cfg.Scheme)
	set := newSchemaSet(data, n)
	custom := map[string]any{}
	byGV := map[schema.GroupVersion][]Resource{}
	var gvs []schema.GroupVersion
	for _, cr := range crs {
		ss, err := customSchemas(cr)
		if err != nil {
			continue // a schema that does not decode is left out, never served half
		}
		for k, v := range ss {
			custom[k] = v
		}
		gv := cr.GVR.GroupVersion()
		if _, ok := byGV[gv]; !ok {
			gvs = append(gvs, gv)
		}
		byGV[gv] = append(byGV[gv], cr.Resource)
	}
	def := func(gvk schema.GroupVersionKind) string {
		if name, ok := n.byGVK[gvk]; ok {
			return name
		}
		return customDefName(gvk)
	}
	var v2 map[string]any
	if err := json.Unmarshal(base.v2.json, &v2); err != nil {
		return nil, err
	}
	v2Paths, _ := v2["paths"].(map[string]any)
	v2Defs, _ := v2["definitions"].(map[string]any)
	var index map[string]any
	if err := json.Unmarshal(base.index.json, &index); err != nil {
		return nil, err
	}
	indexPaths, _ := index["paths"].(map[string]any)
	out := &customDocs{rev: rev, gv: map[string]*document{}}
	info := map[string]any{"title": "Kubernetes CRD Swagger", "version": "v0.1.0"}
	sort.Slice(gvs, func(i, j int) bool { return gvs[i].String() < gvs[j].String() })
	for _, gv := range gvs {
		items := gvPaths(gv, byGV[gv], data.Schemas, def)
		for i := range items {
			for j := range items[i].ops {
				if op := &items[i].ops[j]; op.method == "patch" {
					// No strategic merge patch for custom objects: kubectl
					// apply then sends a JSON merge patch.
					op.consumes = customPatch
				}
			}
		}
		paths := map[string]any{}
		for _, p := range items {
			paths[p.path] = v3Path(p)
			v2Paths[p.path] = v2Path(p)
		}
		var roots []string
		walkRefs(paths, func(ref string) { roots = append(roots, strings.TrimPrefix(ref, v3RefPrefix)) })
		schemas := map[string]any{}
		var pending []string
		for _, r := range roots {
			if c, ok := custom[r]; ok {
				schemas[r] = c
				v2Defs[r] = V2Schema(c)
				walkRefs(c, func(ref string) { pending = append(pending, strings.TrimPrefix(ref, v3RefPrefix)) })
			} else {
				pending = append(pending, r)
			}
		}
		for _, name := range set.closure(pending) {
			if _, ok := custom[name]; ok {
				continue
			}
			b, err := set.encodeV3(name)
			if err != nil {
				return nil, err
			}
			schemas[name] = b
		}
		doc, err := newDocument(map[string]any{
			"openapi": "3.0.0", "info": info, "paths": paths,
			"components": map[string]any{"schemas": schemas, "securitySchemes": securityScheme},
			"security":   []any{map[string]any{"BearerToken": []any{}}},
		}, true)
		if err != nil {
			return nil, err
		}
		key := gvKey(gv.Group, gv.Version)
		out.gv[key] = doc
		indexPaths[key] = map[string]any{"serverRelativeURL": serverRelativeURL(key, doc.etag)}
	}
	for k, v := range base.gv {
		if _, ok := out.gv[k]; !ok {
			out.gv[k] = v
		}
	}
	if out.index, err = newDocument(index, false); err != nil {
		return nil, err
	}
	if out.v2, err = newDocument(v2, false); err != nil {
		return nil, err
	}
	return out, nil
}

// serveCustom answers a request from the documents with custom resources.
func (s *Service) serveCustom(w http.ResponseWriter, req *http.Request, path string, base *documents) bool {
	if s.cfg.Custom == nil {
		return false
	}
	if rev, crs := s.cfg.Custom(); rev == 0 && len(crs) == 0 {
		return false
	}
	d, err := s.withCustom(base)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return true
	}
	s.serveDocs(w, req, path, &documents{index: d.index, v2: d.v2, gv: d.gv})
	return true
}
