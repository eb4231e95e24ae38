package proxy

import (
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"kubesim/net/dns"
	"kubesim/net/fabric"
)

// records are the DNS records CoreDNS's kubernetes plugin serves for a
// Service beside its ClusterIP record: for a headless Service one A record
// per ready endpoint address under the Service's name, and one per
// endpoint under its hostname (a StatefulSet's web-0.web.<ns>.svc…) or
// its dashed address (and that name as the address's PTR record); for an
// ExternalName Service a CNAME to the external
// name.
func records(svc *corev1.Service, eps *corev1.Endpoints, domain string) dns.Group {
	g := dns.Group{A: map[string][]netip.Addr{}, CNAME: map[string]string{}, PTR: map[netip.Addr]string{}}
	fqdn := dns.ServiceFQDN(svc.Name, svc.Namespace, domain)
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		if svc.Spec.ExternalName != "" {
			g.CNAME[fqdn] = dns.Normalize(svc.Spec.ExternalName)
		}
	case svc.Spec.ClusterIP == corev1.ClusterIPNone && eps != nil:
		seen := map[netip.Addr]bool{}
		for _, ss := range eps.Subsets {
			for _, a := range ss.Addresses {
				ip, err := netip.ParseAddr(a.IP)
				if err != nil || seen[ip] {
					continue
				}
				seen[ip] = true
				g.A[fqdn] = append(g.A[fqdn], ip)
				host := a.Hostname
				if host == "" {
					host = strings.ReplaceAll(ip.String(), ".", "-")
				}
				g.A[host+"."+fqdn] = append(g.A[host+"."+fqdn], ip)
				g.PTR[ip] = host + "." + fqdn
			}
		}
		slices.SortFunc(g.A[fqdn], func(a, b netip.Addr) int { return a.Compare(b) })
	}
	return g
}

// Proxy programs one fabric. It is not safe for concurrent use: the
// cluster's loop calls it.
type Proxy struct {
	f         *fabric.Fabric
	services  map[string]*corev1.Service
	endpoints map[string]*corev1.Endpoints
	dirty     map[string]bool // ns/name
}

// New returns a kube-proxy that programs f.
func New(f *fabric.Fabric) *Proxy {
	return &Proxy{f: f, services: map[string]*corev1.Service{}, endpoints: map[string]*corev1.Endpoints{}, dirty: map[string]bool{}}
}

func key(ns, name string) string { return ns + "/" + name }

// OnService records a Service added or updated.
func (p *Proxy) OnService(svc *corev1.Service) { record(p, p.services, svc.Namespace, svc.Name, svc) }

// OnServiceDelete records a Service deleted.
func (p *Proxy) OnServiceDelete(ns, name string) { record(p, p.services, ns, name, nil) }

// OnEndpoints records an Endpoints object added or updated.
func (p *Proxy) OnEndpoints(eps *corev1.Endpoints) {
	record(p, p.endpoints, eps.Namespace, eps.Name, eps)
}

// OnEndpointsDelete records an Endpoints object deleted.
func (p *Proxy) OnEndpointsDelete(ns, name string) { record(p, p.endpoints, ns, name, nil) }

// record keeps obj as ns/name in m (nil: forgets it) and marks the key for
// the next Sync.
func record[T any](p *Proxy, m map[string]*T, ns, name string, obj *T) {
	k := key(ns, name)
	if obj == nil {
		delete(m, k)
	} else {
		m[k] = obj
	}
	p.dirty[k] = true
}

// Pending reports whether a Sync has work to do.
func (p *Proxy) Pending() bool { return len(p.dirty) > 0 }

// Sync reprograms the fabric for every Service that changed since the last
// Sync, in namespace/name order.
func (p *Proxy) Sync() {
	if len(p.dirty) == 0 {
		return
	}
	keys := make([]string, 0, len(p.dirty))
	for k := range p.dirty {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	clear(p.dirty)
	for _, k := range keys {
		p.sync(k)
	}
}

func (p *Proxy) sync(k string) {
	svc := p.services[k]
	if svc == nil {
		ns, name, _ := strings.Cut(k, "/")
		p.f.RemoveService(ns, name)
		p.f.Zone().SetGroup(k, dns.Group{})
		return
	}
	eps := p.endpoints[k]
	p.f.Zone().SetGroup(k, records(svc, eps, p.f.Zone().Domain()))
	out := fabric.Service{Namespace: svc.Namespace, Name: svc.Name}
	if ip, err := netip.ParseAddr(svc.Spec.ClusterIP); err == nil {
		out.ClusterIP = ip
	}
	for i, sp := range svc.Spec.Ports {
		port := fabric.ServicePort{Name: sp.Name, Port: sp.Port, NodePort: sp.NodePort}
		if eps != nil {
			for _, ss := range eps.Subsets {
				for _, ep := range ss.Ports {
					if ep.Name != sp.Name && !(len(svc.Spec.Ports) == 1 && i == 0) {
						continue
					}
					for _, a := range ss.Addresses {
						if ip, err := netip.ParseAddr(a.IP); err == nil {
							port.Backends = append(port.Backends, fabric.Backend{IP: ip, Port: ep.Port})
						}
					}
				}
			}
		}
		out.Ports = append(out.Ports, port)
	}
	p.f.SetService(out)
}
