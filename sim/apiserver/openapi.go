package apiserver

import (
	"encoding/json"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/registry"
)

// newOpenAPI returns the /openapi/v2 and /openapi/v3 handler for the served
// resources; it builds its documents on first use.
func newOpenAPI(cfg Config) *openapi.Service {
	var rs []openapi.Resource
	for _, r := range registry.Resources() {
		or := openapi.Resource{GVR: r.GVR, Kind: r.Kind, ListKind: r.ListKind, Namespaced: r.Namespaced, Verbs: r.Verbs}
		for _, s := range r.Subs {
			or.Subs = append(or.Subs, openapi.Subresource{Name: s.Name, Kind: s.Kind, Verbs: s.Verbs})
		}
		rs = append(rs, or)
	}
	reg := cfg.Registry
	custom := func() (int64, []openapi.CustomResource) {
		var out []openapi.CustomResource
		for _, r := range reg.CustomResources() {
			cr := openapi.CustomResource{Resource: openapi.Resource{GVR: r.GVR, Kind: r.Kind, ListKind: r.ListKind, Namespaced: r.Namespaced, Verbs: r.Verbs}}
			for _, s := range r.Subs {
				cr.Subs = append(cr.Subs, openapi.Subresource{Name: s.Name, Kind: s.Kind, Verbs: s.Verbs})
			}
			if s := r.Custom.Version.Schema; s != nil {
				cr.Schema, _ = json.Marshal(s)
			}
			out = append(out, cr)
		}
		return reg.CustomRevision(), out
	}
	return openapi.New(openapi.Config{Version: cfg.Version, Resources: rs, Scheme: registry.Scheme, Now: cfg.Clock.Now, Custom: custom})
}
