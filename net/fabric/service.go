package fabric

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
)

// Backend is one ready endpoint of a Service port (an EndpointSlice entry).
type Backend struct {
	IP   netip.Addr
	Port int32
}

// ServicePort is one port of a Service and the backends behind it.
type ServicePort struct {
	Name     string
	Port     int32 // the ClusterIP port
	NodePort int32 // 0: none
	Backends []Backend
}

// Service is what kube-proxy programs for one Service.
type Service struct {
	Namespace, Name string
	ClusterIP       netip.Addr // zero: headless/none (no VIP, no DNS A record for it)
	Ports           []ServicePort
}

func (s *Service) portByPort(p int32) *ServicePort {
	for i := range s.Ports {
		if s.Ports[i].Port == p {
			return &s.Ports[i]
		}
	}
	return nil
}

func (s *Service) portByNodePort(p int32) *ServicePort {
	for i := range s.Ports {
		if s.Ports[i].NodePort == p {
			return &s.Ports[i]
		}
	}
	return nil
}

// SetService adds or replaces a Service (its VIP, NodePorts and the DNS
// record <name>.<ns>.svc.<domain>). Backends are copied and sorted by
// (IP, port) so the seeded choice does not depend on the caller's order. A
// ClusterIP or NodePort already used by another Service is an error.
func (f *Fabric) SetService(svc Service) error {
	if svc.Name == "" || svc.Namespace == "" {
		return fmt.Errorf("fabric: service needs a namespace and a name")
	}
	key := svc.Namespace + "/" + svc.Name
	cp := svc
	cp.Ports = make([]ServicePort, len(svc.Ports))
	for i, p := range svc.Ports {
		p.Backends = append([]Backend(nil), p.Backends...)
		sort.Slice(p.Backends, func(a, b int) bool {
			x, y := p.Backends[a], p.Backends[b]
			if x.IP != y.IP {
				return x.IP.Less(y.IP)
			}
			return x.Port < y.Port
		})
		cp.Ports[i] = p
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cp.ClusterIP.IsValid() {
		if other, ok := f.byVIP[cp.ClusterIP]; ok && other.Namespace+"/"+other.Name != key {
			return fmt.Errorf("fabric: cluster IP %s already used by service %s/%s", cp.ClusterIP, other.Namespace, other.Name)
		}
	}
	for _, p := range cp.Ports {
		if p.NodePort == 0 {
			continue
		}
		if other, ok := f.nodePorts[p.NodePort]; ok && other.Namespace+"/"+other.Name != key {
			return fmt.Errorf("fabric: node port %d already used by service %s/%s", p.NodePort, other.Namespace, other.Name)
		}
	}
	f.removeServiceLocked(key)
	f.services[key] = &cp
	if cp.ClusterIP.IsValid() {
		f.byVIP[cp.ClusterIP] = &cp
		f.zone.SetService(cp.Name, cp.Namespace, cp.ClusterIP)
	}
	for _, p := range cp.Ports {
		if p.NodePort != 0 {
			f.nodePorts[p.NodePort] = &cp
		}
	}
	return nil
}

// SetBackends replaces the backends of one port of a known Service (the
// endpoints controller's update). Unknown service or port: an error.
func (f *Fabric) SetBackends(ns, name string, port int32, backends []Backend) error {
	f.mu.RLock()
	svc, ok := f.services[ns+"/"+name]
	f.mu.RUnlock()
	if !ok {
		return fmt.Errorf("fabric: no service %s/%s", ns, name)
	}
	cp := *svc
	cp.Ports = append([]ServicePort(nil), svc.Ports...)
	found := false
	for i := range cp.Ports {
		if cp.Ports[i].Port == port {
			cp.Ports[i].Backends = backends
			found = true
		}
	}
	if !found {
		return fmt.Errorf("fabric: service %s/%s has no port %d", ns, name, port)
	}
	return f.SetService(cp)
}

// RemoveService forgets a Service, its VIP, NodePorts and DNS record.
func (f *Fabric) RemoveService(ns, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removeServiceLocked(ns + "/" + name)
}

func (f *Fabric) removeServiceLocked(key string) {
	old, ok := f.services[key]
	if !ok {
		return
	}
	delete(f.services, key)
	if old.ClusterIP.IsValid() && f.byVIP[old.ClusterIP] == old {
		delete(f.byVIP, old.ClusterIP)
		f.zone.DeleteService(old.Name, old.Namespace)
	}
	for _, p := range old.Ports {
		if p.NodePort != 0 && f.nodePorts[p.NodePort] == old {
			delete(f.nodePorts, p.NodePort)
		}
	}
}

// Services lists the Services as "ns/name", sorted.
func (f *Fabric) Services() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return slices.Sorted(maps.Keys(f.services))
}

// ServiceBackends returns the ready backends of one port of a Service, as
// an ingress controller reads them from EndpointSlices (sorted by IP and
// port); ok is false for an unknown Service or port.
func (f *Fabric) ServiceBackends(ns, name string, port int32) (backends []Backend, ok bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	svc, found := f.services[ns+"/"+name]
	if !found {
		return nil, false
	}
	sp := svc.portByPort(port)
	if sp == nil {
		return nil, false
	}
	return slices.Clone(sp.Backends), true
}
