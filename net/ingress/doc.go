// Package ingress is an ingress-nginx controller for the virtual fabric:
// it keeps the Ingresses of its class and the Services they name, answers
// an HTTP request arriving at the controller (its Host header and path)
// from the Service backend a rule selects, and says which status address
// each Ingress should carry.
//
// Routing follows ingress-nginx: rules of every Ingress of the class are
// merged per host (exact names; "*.example.com" matches one label; a rule
// without a host serves every host); within a host an Exact path wins,
// then the longest Prefix path matching whole path elements
// (ImplementationSpecific: a plain string prefix); with no match the
// request goes to the Ingress's spec.defaultBackend, else to the
// controller's default backend, which answers nginx's 404 page. A matched
// Service without ready endpoints answers 503 Service Temporarily
// Unavailable; a backend that refuses answers 502 Bad Gateway, one that
// does not answer 504 Gateway Time-out, all in nginx's error page layout
// with server_tokens off ("nginx", no version). Backends of an upstream
// are taken round robin (ingress-nginx's default load-balance).
//
// An Ingress is the controller's when spec.ingressClassName names an
// IngressClass whose spec.controller is k8s.io/ingress-nginx, when the
// legacy kubernetes.io/ingress.class annotation names the class, or when
// it names no class and that IngressClass is marked default
// (ingressclass.kubernetes.io/is-default-class: "true").
//
// It owns: its copy of the Ingresses, IngressClasses and Services'
// ports. It must not read the store, the clock or randomness; the cluster
// hands it objects and calls Serve with a dialer onto the fabric. Safe
// for concurrent use.
//
// Upstream read for behaviour: kubernetes/ingress-nginx
// (internal/ingress/controller/controller.go, template nginx.tmpl),
// the Ingress concept page (path types and matching examples).
package ingress
