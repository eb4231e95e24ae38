package apiserver

import (
	"mime"
	"net/http"
	"strings"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/registry"
)

// discoveryVersion returns "v2" or "v2beta1" when the client accepts
// aggregated discovery in that version (first acceptable wins), else "".
func discoveryVersion(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mt == "application/json" && params["g"] == "apidiscovery.k8s.io" && params["as"] == "APIGroupDiscoveryList" {
			if params["v"] == "v2" || params["v"] == "v2beta1" {
				return params["v"]
			}
		}
	}
	return ""
}

func (s *Server) serveDiscovery(w http.ResponseWriter, req *http.Request, core bool) {
	if v := discoveryVersion(req.Header.Get("Accept")); v != "" {
		list := aggregatedDiscovery(s.cfg.Registry, core)
		if !core && s.metricsServed() {
			list.Items = append(list.Items, metricsDiscovery())
		}
		list.APIVersion = "apidiscovery.k8s.io/" + v
		w.Header().Set("Content-Type", "application/json;g=apidiscovery.k8s.io;v="+v+";as=APIGroupDiscoveryList")
		w.Header().Set("Vary", "Accept")
		writeJSONBody(w, list)
		return
	}
	if core {
		writeJSONValue(w, http.StatusOK, &metav1.APIVersions{
			TypeMeta:                   metav1.TypeMeta{Kind: "APIVersions"},
			Versions:                   []string{"v1"},
			ServerAddressByClientCIDRs: []metav1.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: "127.0.0.1:6443"}},
		})
		return
	}
	groups := &metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}}
	for _, g := range servedGroups(s.cfg.Registry) {
		groups.Groups = append(groups.Groups, apiGroup(g...))
	}
	if s.metricsServed() {
		groups.Groups = append(groups.Groups, metricsAPIGroup())
	}
	writeJSONValue(w, http.StatusOK, groups)
}

// apiGroup is a group's discovery entry; the first version is the preferred one.
func apiGroup(gvs ...schema.GroupVersion) metav1.APIGroup {
	g := metav1.APIGroup{Name: gvs[0].Group}
	for _, gv := range gvs {
		g.Versions = append(g.Versions, metav1.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version})
	}
	g.PreferredVersion = g.Versions[0]
	return g
}

// servedGroups are the named groups' versions, in discovery order, the
// preferred (stored) version first (autoscaling: v2, v1).
func servedGroups(reg *registry.Registry) [][]schema.GroupVersion {
	var out [][]schema.GroupVersion
	for _, gv := range reg.ServedGroupVersions() {
		if gv.Group == "" {
			continue
		}
		if n := len(out); n > 0 && out[n-1][0].Group == gv.Group {
			out[n-1] = append(out[n-1], gv)
			continue
		}
		out = append(out, []schema.GroupVersion{gv})
	}
	return out
}

func writeJSONBody(w http.ResponseWriter, v any) {
	w.WriteHeader(http.StatusOK)
	encodeTo(w, v)
}

// serveGroupDiscovery answers /apis/<group> and /api/v1, /apis/<group>/<version>.
func (s *Server) serveGroupDiscovery(w http.ResponseWriter, req *http.Request, gv schema.GroupVersion) {
	if gv.Version == "" {
		for _, g := range servedGroups(s.cfg.Registry) {
			if g[0].Group == gv.Group {
				ag := apiGroup(g...)
				ag.Kind, ag.APIVersion = "APIGroup", "v1"
				writeJSONValue(w, http.StatusOK, &ag)
				return
			}
		}
		writeError(w, notFoundPath())
		return
	}
	list := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv.String()}
	for _, r := range s.cfg.Registry.Served() {
		if r.GVR.GroupVersion() != gv {
			continue
		}
		list.APIResources = append(list.APIResources, metav1.APIResource{
			Name: r.GVR.Resource, SingularName: r.Singular, Namespaced: r.Namespaced, Kind: r.Kind,
			Verbs: r.Verbs, ShortNames: r.ShortNames, Categories: r.Categories,
		})
		for _, sub := range r.Subs {
			ar := metav1.APIResource{Name: r.GVR.Resource + "/" + sub.Name, Namespaced: r.Namespaced, Kind: sub.Kind.Kind, Verbs: sub.Verbs}
			if sub.Kind.GroupVersion() != gv {
				ar.Group, ar.Version = sub.Kind.Group, sub.Kind.Version
			}
			list.APIResources = append(list.APIResources, ar)
		}
	}
	if len(list.APIResources) == 0 {
		writeError(w, apierrors.NewNotFound(schema.GroupResource{}, ""))
		return
	}
	writeJSONValue(w, http.StatusOK, list)
}

// aggregatedDiscovery builds the apidiscovery APIGroupDiscoveryList for
// /api (core) or /apis. The v2 and v2beta1 documents have the same shape.
func aggregatedDiscovery(reg *registry.Registry, core bool) *apidiscoveryv2.APIGroupDiscoveryList {
	list := &apidiscoveryv2.APIGroupDiscoveryList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupDiscoveryList"}}
	served := reg.Served()
	for _, gv := range reg.ServedGroupVersions() {
		if (gv.Group == "") != core {
			continue
		}
		vd := apidiscoveryv2.APIVersionDiscovery{Version: gv.Version, Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent}
		for _, r := range served {
			if r.GVR.GroupVersion() != gv {
				continue
			}
			scope := apidiscoveryv2.ScopeCluster
			if r.Namespaced {
				scope = apidiscoveryv2.ScopeNamespace
			}
			gvk := r.GVK()
			rd := apidiscoveryv2.APIResourceDiscovery{
				Resource: r.GVR.Resource, ResponseKind: &metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
				Scope: scope, SingularResource: r.Singular, Verbs: r.Verbs, ShortNames: r.ShortNames, Categories: r.Categories,
			}
			for _, sub := range r.Subs {
				rd.Subresources = append(rd.Subresources, apidiscoveryv2.APISubresourceDiscovery{
					Subresource:  sub.Name,
					ResponseKind: &metav1.GroupVersionKind{Group: sub.Kind.Group, Version: sub.Kind.Version, Kind: sub.Kind.Kind},
					Verbs:        sub.Verbs,
				})
			}
			vd.Resources = append(vd.Resources, rd)
		}
		if n := len(list.Items); n > 0 && list.Items[n-1].Name == gv.Group {
			list.Items[n-1].Versions = append(list.Items[n-1].Versions, vd)
			continue
		}
		list.Items = append(list.Items, apidiscoveryv2.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: gv.Group}, Versions: []apidiscoveryv2.APIVersionDiscovery{vd}})
	}
	return list
}
