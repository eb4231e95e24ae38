package ingress

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// ControllerName is ingress-nginx's spec.controller value.
const ControllerName = "k8s.io/ingress-nginx"

const (
	annotationClass   = "kubernetes.io/ingress.class"
	annotationDefault = "ingressclass.kubernetes.io/is-default-class"
)

// Backend is the Service a request is sent to.
type Backend struct {
	Namespace, Service string
	Port               int32 // the Service's port
}

// Controller is one ingress-nginx.
type Controller struct {
	mu        sync.RWMutex
	ingresses map[string]*networkingv1.Ingress // ns/name
	classes   map[string]*networkingv1.IngressClass
	services  map[string]*corev1.Service // ns/name
	rr        map[Backend]uint64
}

// New returns a controller with nothing to serve.
func New() *Controller {
	return &Controller{ingresses: map[string]*networkingv1.Ingress{}, classes: map[string]*networkingv1.IngressClass{},
		services: map[string]*corev1.Service{}, rr: map[Backend]uint64{}}
}

// SetIngress adds or replaces an Ingress; nil with ns and name removes it.
func (c *Controller) SetIngress(ns, name string, ing *networkingv1.Ingress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set(c.ingresses, ns+"/"+name, ing)
}

// SetClass adds or replaces an IngressClass; nil removes it.
func (c *Controller) SetClass(name string, ic *networkingv1.IngressClass) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set(c.classes, name, ic)
}

// SetService adds or replaces a Service; nil removes it.
func (c *Controller) SetService(ns, name string, svc *corev1.Service) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set(c.services, ns+"/"+name, svc)
}

func set[T any](m map[string]*T, k string, v *T) {
	if v == nil {
		delete(m, k)
		return
	}
	m[k] = v
}

// Owns reports whether the Ingress is this controller's.
func (c *Controller) Owns(ing *networkingv1.Ingress) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.owns(ing)
}

func (c *Controller) owns(ing *networkingv1.Ingress) bool {
	if n := ing.Spec.IngressClassName; n != nil {
		ic, ok := c.classes[*n]
		return ok && ic.Spec.Controller == ControllerName
	}
	if a, ok := ing.Annotations[annotationClass]; ok {
		ic, ok := c.classes[a]
		return a == "nginx" || ok && ic.Spec.Controller == ControllerName
	}
	for _, ic := range c.classes {
		if ic.Spec.Controller == ControllerName && ic.Annotations[annotationDefault] == "true" {
			return true
		}
	}
	return false
}

// Owned lists the keys (ns/name) of the Ingresses this controller serves,
// sorted.
func (c *Controller) Owned() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(c.ingresses)) {
		if c.owns(c.ingresses[k]) {
			out = append(out, k)
		}
	}
	return out
}

// candidate is one path of one Ingress for the request's host.
type candidate struct {
	key      string // ingress ns/name, for a stable order
	ns       string
	path     string
	pathType networkingv1.PathType
	backend  networkingv1.IngressBackend
	named    bool // from a rule naming the host
}

// Route picks the backend for a request to host (the Host header; a port
// is ignored) and path. ok is false when the controller's default backend
// answers (404). A backend naming a Service port that does not exist (or
// a resource backend) gives ok true with Port 0: no endpoints.
func (c *Controller) Route(host, path string) (Backend, bool) {
	host = strings.ToLower(stripPort(host))
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		path = "/"
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var cands []candidate
	var hostDefault, catchAll *candidate
	hostMatched := false
	for _, k := range slices.Sorted(maps.Keys(c.ingresses)) {
		ing := c.ingresses[k]
		if !c.owns(ing) {
			continue
		}
		matchedHere := false
		for _, r := range ing.Spec.Rules {
			if !hostMatches(r.Host, host) {
				continue
			}
			if r.Host != "" {
				hostMatched, matchedHere = true, true
			}
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				pt := networkingv1.PathTypeImplementationSpecific
				if p.PathType != nil {
					pt = *p.PathType
				}
				pp := p.Path
				if pp == "" {
					pp = "/"
				}
				cands = append(cands, candidate{key: k, ns: ing.Namespace, path: pp, pathType: pt, backend: p.Backend, named: r.Host != ""})
			}
		}
		if db := ing.Spec.DefaultBackend; db != nil {
			cd := &candidate{key: k, ns: ing.Namespace, backend: *db}
			if matchedHere && hostDefault == nil {
				hostDefault = cd
			}
			if len(ing.Spec.Rules) == 0 && catchAll == nil {
				catchAll = cd
			}
		}
	}
	// Rules naming the host win over host-less rules, as nginx's named
	// server wins over the catch-all "_".
	if hostMatched {
		var named []candidate
		for _, cd := range cands {
			if cd.named {
				named = append(named, cd)
			}
		}
		cands = named
	}
	if best, ok := pick(cands, path); ok {
		return c.backend(best.ns, best.backend), true
	}
	if hostDefault != nil {
		return c.backend(hostDefault.ns, hostDefault.backend), true
	}
	if !hostMatched && catchAll != nil {
		return c.backend(catchAll.ns, catchAll.backend), true
	}
	return Backend{}, false
}

// pick: an Exact match first, else the longest matching prefix (ties: the
// oldest key, as ingress-nginx keeps the first Ingress's location).
func pick(cands []candidate, path string) (candidate, bool) {
	for _, cd := range cands {
		if cd.pathType == networkingv1.PathTypeExact && cd.path == path {
			return cd, true
		}
	}
	best, found := candidate{}, false
	for _, cd := range cands {
		var ok bool
		switch cd.pathType {
		case networkingv1.PathTypeExact:
			continue
		case networkingv1.PathTypePrefix:
			ok = prefixMatches(cd.path, path)
		default:
			ok = strings.HasPrefix(path, cd.path)
		}
		if ok && (!found || len(cd.path) > len(best.path)) {
			best, found = cd, true
		}
	}
	return best, found
}

// prefixMatches is the Prefix path type: element-wise, a trailing slash
// ignored ("/foo" matches "/foo", "/foo/" and "/foo/bar", not "/foobar").
func prefixMatches(prefix, path string) bool {
	p := strings.TrimSuffix(prefix, "/")
	if p == "" {
		return true
	}
	return path == p || strings.HasPrefix(path, p+"/")
}

func hostMatches(rule, host string) bool {
	switch {
	case rule == "":
		return true
	case strings.HasPrefix(rule, "*."):
		suffix := rule[1:]
		return strings.HasSuffix(host, suffix) && !strings.Contains(strings.TrimSuffix(host, suffix), ".") && len(host) > len(suffix)
	}
	return strings.EqualFold(rule, host)
}

func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.Index(h, "]"); i > 0 {
			return h[1:i]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[:i], ":") {
		return h[:i]
	}
	return h
}

// backend resolves a rule's backend against the Service's ports. Caller
// holds c.mu.
func (c *Controller) backend(ns string, b networkingv1.IngressBackend) Backend {
	if b.Service == nil {
		return Backend{Namespace: ns}
	}
	out := Backend{Namespace: ns, Service: b.Service.Name}
	svc, ok := c.services[ns+"/"+b.Service.Name]
	if !ok {
		return out
	}
	for _, p := range svc.Spec.Ports {
		if b.Service.Port.Number != 0 && p.Port == b.Service.Port.Number || b.Service.Port.Name != "" && p.Name == b.Service.Port.Name {
			out.Port = p.Port
		}
	}
	return out
}

// Next returns the round-robin index of the next request to b among n
// backends.
func (c *Controller) Next(b Backend, n int) int {
	if n <= 0 {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	i := c.rr[b]
	c.rr[b]++
	return int(i % uint64(n))
}

// ErrorPage is nginx's built-in error page for status (CRLF line ends,
// server_tokens off), as ingress-nginx serves it.
func ErrorPage(status int) []byte {
	title := fmt.Sprintf("%d %s", status, reason(status))
	return []byte("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// reason is nginx's reason phrase (nginx says "Service Temporarily
// Unavailable" and "Gateway Time-out" where net/http differs).
func reason(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "Service Temporarily Unavailable"
	case http.StatusGatewayTimeout:
		return "Gateway Time-out"
	}
	return http.StatusText(status)
}

// Reason is the status line's reason phrase nginx sends.
func Reason(status int) string { return reason(status) }

// Addresses returns the status.loadBalancer.ingress entries for the given
// controller addresses, sorted.
func Addresses(ips []string) []networkingv1.IngressLoadBalancerIngress {
	ips = slices.Clone(ips)
	sort.Strings(ips)
	out := make([]networkingv1.IngressLoadBalancerIngress, len(ips))
	for i, ip := range ips {
		out[i] = networkingv1.IngressLoadBalancerIngress{IP: ip}
	}
	return out
}
