package apiserver

import (
	"net/http"
	"strings"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/apiserver/printers"
	"kubesim/sim/registry"
)

// metrics.k8s.io/v1beta1 as metrics-server serves it through the
// aggregation layer (its APIService v1beta1.metrics.k8s.io): discovery,
// NodeMetrics and PodMetrics, get and list (with labelSelector), from the
// cluster's scrape (Hooks.Metrics). Served only when the hook is set.

var metricsGV = schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}

var (
	nodeMetricsRes = &registry.Resource{GVR: metricsGV.WithResource("nodes"), Kind: "NodeMetrics", ListKind: "NodeMetricsList", Verbs: []string{"get", "list"}}
	podMetricsRes  = &registry.Resource{GVR: metricsGV.WithResource("pods"), Kind: "PodMetrics", ListKind: "PodMetricsList", Namespaced: true, Verbs: []string{"get", "list"}}
)

func (s *Server) metricsServed() bool { return s.cfg.Hooks.Metrics != nil }

func metricsAPIGroup() metav1.APIGroup { return apiGroup(metricsGV) }

func metricsResourceList() *metav1.APIResourceList {
	list := &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: metricsGV.String()}
	for _, r := range []*registry.Resource{nodeMetricsRes, podMetricsRes} {
		list.APIResources = append(list.APIResources, metav1.APIResource{Name: r.GVR.Resource, Namespaced: r.Namespaced, Kind: r.Kind, Verbs: r.Verbs})
	}
	return list
}

// metricsDiscovery is the group's entry in aggregated discovery.
func metricsDiscovery() apidiscoveryv2.APIGroupDiscovery {
	vd := apidiscoveryv2.APIVersionDiscovery{Version: metricsGV.Version, Freshness: apidiscoveryv2.DiscoveryFreshnessCurrent}
	for _, r := range []*registry.Resource{nodeMetricsRes, podMetricsRes} {
		scope := apidiscoveryv2.ScopeCluster
		if r.Namespaced {
			scope = apidiscoveryv2.ScopeNamespace
		}
		vd.Resources = append(vd.Resources, apidiscoveryv2.APIResourceDiscovery{
			Resource: r.GVR.Resource, Scope: scope, Verbs: r.Verbs,
			ResponseKind: &metav1.GroupVersionKind{Group: metricsGV.Group, Version: metricsGV.Version, Kind: r.Kind},
		})
	}
	return apidiscoveryv2.APIGroupDiscovery{ObjectMeta: metav1.ObjectMeta{Name: metricsGV.Group}, Versions: []apidiscoveryv2.APIVersionDiscovery{vd}}
}

// serveMetrics answers /apis/metrics.k8s.io/... (segs after the version).
func (s *Server) serveMetrics(w http.ResponseWriter, req *http.Request, gv schema.GroupVersion, segs []string) {
	if gv.Version == "" {
		ag := metricsAPIGroup()
		ag.Kind, ag.APIVersion = "APIGroup", "v1"
		writeJSONValue(w, http.StatusOK, &ag)
		return
	}
	if gv != metricsGV {
		writeError(w, notFoundPath())
		return
	}
	if len(segs) == 0 {
		writeJSONValue(w, http.StatusOK, metricsResourceList())
		return
	}
	r := request{gv: gv}
	switch {
	case segs[0] == "nodes" && len(segs) <= 2:
		r.res = nodeMetricsRes
		segs = segs[1:]
	case segs[0] == "pods" && len(segs) == 1:
		r.res = podMetricsRes
		segs = nil
	case segs[0] == "namespaces" && len(segs) >= 3 && len(segs) <= 4 && segs[2] == "pods":
		r.res, r.namespace = podMetricsRes, segs[1]
		segs = segs[3:]
	default:
		writeError(w, notFoundPath())
		return
	}
	if len(segs) > 0 {
		r.name = segs[0]
	}
	if !s.authorize(w, req, &r) {
		return
	}
	if req.Method != http.MethodGet {
		writeError(w, apierrors.NewMethodNotSupported(r.res.GR(), strings.ToLower(req.Method)))
		return
	}
	q := req.URL.Query()
	if isTrue(q.Get("watch")) {
		writeError(w, apierrors.NewMethodNotSupported(r.res.GR(), "watch"))
		return
	}
	sel := labels.Everything()
	if v := q.Get("labelSelector"); v != "" {
		var err error
		if sel, err = labels.Parse(v); err != nil {
			writeError(w, apierrors.NewBadRequest(err.Error()))
			return
		}
	}
	var nodes []metricsv1beta1.NodeMetrics
	var pods []metricsv1beta1.PodMetrics
	s.cfg.Driver.Do(func() { nodes, pods = s.cfg.Hooks.Metrics() })
	var objs []runtime.Object
	if r.res == nodeMetricsRes {
		for i := range nodes {
			if (r.name == "" || nodes[i].Name == r.name) && sel.Matches(labels.Set(nodes[i].Labels)) {
				nodes[i].TypeMeta = metav1.TypeMeta{Kind: "NodeMetrics", APIVersion: metricsGV.String()}
				objs = append(objs, &nodes[i])
			}
		}
	} else {
		for i := range pods {
			if (r.namespace == "" || pods[i].Namespace == r.namespace) && (r.name == "" || pods[i].Name == r.name) && sel.Matches(labels.Set(pods[i].Labels)) {
				pods[i].TypeMeta = metav1.TypeMeta{Kind: "PodMetrics", APIVersion: metricsGV.String()}
				objs = append(objs, &pods[i])
			}
		}
	}
	if r.name != "" && len(objs) == 0 {
		writeError(w, apierrors.NewNotFound(schema.GroupResource{Group: metricsGV.Group, Resource: strings.ToLower(r.res.Kind)}, r.name))
		return
	}
	if v := tableVersion(req.Header.Get("Accept")); v != "" {
		opts := s.tableOptions(req)
		opts.TableVersion = v
		t, err := printers.DefaultTable(objs, metav1.ListMeta{}, opts)
		if err != nil {
			writeError(w, apierrors.NewBadRequest(err.Error()))
			return
		}
		writeJSONValue(w, http.StatusOK, t)
		return
	}
	if r.name != "" {
		writeJSONValue(w, http.StatusOK, objs[0])
		return
	}
	if r.res == nodeMetricsRes {
		list := &metricsv1beta1.NodeMetricsList{TypeMeta: metav1.TypeMeta{Kind: "NodeMetricsList", APIVersion: metricsGV.String()}}
		for _, o := range objs {
			list.Items = append(list.Items, *o.(*metricsv1beta1.NodeMetrics))
		}
		if list.Items == nil {
			list.Items = []metricsv1beta1.NodeMetrics{}
		}
		writeJSONValue(w, http.StatusOK, list)
		return
	}
	list := &metricsv1beta1.PodMetricsList{TypeMeta: metav1.TypeMeta{Kind: "PodMetricsList", APIVersion: metricsGV.String()}}
	for _, o := range objs {
		list.Items = append(list.Items, *o.(*metricsv1beta1.PodMetrics))
	}
	if list.Items == nil {
		list.Items = []metricsv1beta1.PodMetrics{}
	}
	writeJSONValue(w, http.StatusOK, list)
}
