package sim

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/net/fabric"
	"kubesim/sim/store"
)

// kubeProxy programs the fabric from Services and their Endpoints, as
// kube-proxy programs iptables: ClusterIP and NodePort to ready backends,
// and the cluster DNS record of each Service.
type kubeProxy struct {
	c     *Cluster
	dirty map[string]bool // ns/name
}

func newKubeProxy(c *Cluster) *kubeProxy { return &kubeProxy{c: c, dirty: map[string]bool{}} }

func (p *kubeProxy) Name() string { return "kube-proxy" }

func (p *kubeProxy) Handle(ev store.Event) {
	switch o := ev.KV.Obj.(type) {
	case *corev1.Service:
		p.dirty[o.Namespace+"/"+o.Name] = true
	case *corev1.Endpoints:
		p.dirty[o.Namespace+"/"+o.Name] = true
	}
}

// Run reprograms the fabric for changed Services. It writes nothing to the
// store, so it always reports false.
func (p *kubeProxy) Run(now time.Time) bool {
	if len(p.dirty) == 0 {
		return false
	}
	keys := make([]string, 0, len(p.dirty))
	for k := range p.dirty {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p.dirty = map[string]bool{}
	for _, k := range keys {
		ns, name, _ := strings.Cut(k, "/")
		p.sync(ns, name)
	}
	return false
}

func (p *kubeProxy) sync(ns, name string) {
	f := p.c.fabric
	obj, err := p.c.Registry.Get(p.c.res("", "services"), ns, name)
	if err != nil {
		f.RemoveService(ns, name)
		return
	}
	svc := obj.(*corev1.Service)
	var eps *corev1.Endpoints
	if o, err := p.c.Registry.Get(p.c.res("", "endpoints"), ns, name); err == nil {
		eps = o.(*corev1.Endpoints)
	}
	out := fabric.Service{Namespace: ns, Name: name}
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
	f.SetService(out)
}
