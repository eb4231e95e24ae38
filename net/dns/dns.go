package dns

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// Cluster DNS defaults (kubeadm: clusterDomain cluster.local, clusterDNS
// 10.96.0.10; kubelet: ndots 5).
const (
	DefaultClusterDomain = "cluster.local"
	DefaultNdots         = 5
)

// DefaultNameserver is kube-dns's ClusterIP in a kubeadm cluster.
var DefaultNameserver = netip.MustParseAddr("10.96.0.10")

// Normalize lower-cases name and strips one trailing dot.
func Normalize(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// ServiceFQDN is a Service's A record name: "web.default.svc.cluster.local".
func ServiceFQDN(svc, ns, domain string) string {
	return svc + "." + ns + ".svc." + domain
}

// PodFQDN is a pod's A record name: "10-244-2-2.default.pod.cluster.local".
func PodFQDN(ip netip.Addr, ns, domain string) string {
	return strings.ReplaceAll(ip.String(), ".", "-") + "." + ns + ".pod." + domain
}

// SearchList is the search line the kubelet writes into a ClusterFirst
// pod's /etc/resolv.conf.
func SearchList(ns, domain string) []string {
	return []string{ns + ".svc." + domain, "svc." + domain, domain}
}

// Candidates lists the names a stub resolver queries for name, in order:
// a name ending in a dot is only tried as is; a name with at least ndots
// dots is tried as is first and then with each search domain; any other
// name is tried with each search domain first and as is last.
func Candidates(name string, search []string, ndots int) []string {
	if name == "" {
		return nil
	}
	if strings.HasSuffix(name, ".") {
		return []string{Normalize(name)}
	}
	n := Normalize(name)
	withSearch := make([]string, 0, len(search))
	for _, s := range search {
		withSearch = append(withSearch, n+"."+Normalize(s))
	}
	if strings.Count(n, ".") >= ndots {
		return append([]string{n}, withSearch...)
	}
	return append(withSearch, n)
}

// Zone is the cluster's record table (what CoreDNS's kubernetes plugin
// serves). Safe for concurrent use.
type Zone struct {
	mu      sync.RWMutex
	domain  string
	records map[string]netip.Addr
	// groups are the records one Service owns beside its ClusterIP
	// record: a headless Service's A records (one per ready endpoint),
	// its pods' hostname records, an ExternalName's CNAME.
	groups map[string]Group
}

// Group is the record set of one headless or ExternalName Service.
type Group struct {
	A     map[string][]netip.Addr // name → addresses
	CNAME map[string]string       // name → target
	PTR   map[netip.Addr]string   // endpoint address → its name
}

// NewZone returns an empty zone for domain ("cluster.local").
func NewZone(domain string) *Zone {
	if domain == "" {
		domain = DefaultClusterDomain
	}
	return &Zone{domain: Normalize(domain), records: map[string]netip.Addr{}, groups: map[string]Group{}}
}

// Domain is the cluster domain.
func (z *Zone) Domain() string { return z.domain }

// Set adds or replaces an A record.
func (z *Zone) Set(name string, ip netip.Addr) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.records[Normalize(name)] = ip
}

// Delete removes an A record.
func (z *Zone) Delete(name string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	delete(z.records, Normalize(name))
}

// SetService adds the record of a ClusterIP Service.
func (z *Zone) SetService(svc, ns string, ip netip.Addr) {
	z.Set(ServiceFQDN(svc, ns, z.domain), ip)
}

// DeleteService removes it.
func (z *Zone) DeleteService(svc, ns string) {
	z.Delete(ServiceFQDN(svc, ns, z.domain))
}

// SetGroup replaces the records Service key ("ns/name") owns beside its
// ClusterIP record; an empty group removes them.
func (z *Zone) SetGroup(key string, g Group) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if len(g.A) == 0 && len(g.CNAME) == 0 && len(g.PTR) == 0 {
		delete(z.groups, key)
		return
	}
	z.groups[key] = g
}

// Reverse is the PTR name a Service's group gives ip (an endpoint of a
// headless Service: web-0.web.<ns>.svc.<domain>); the first group in key
// order wins.
func (z *Zone) Reverse(ip netip.Addr) (string, bool) {
	z.mu.RLock()
	defer z.mu.RUnlock()
	for _, k := range slices.Sorted(maps.Keys(z.groups)) {
		if n, ok := z.groups[k].PTR[ip]; ok {
			return n, true
		}
	}
	return "", false
}

// Lookup answers one fully qualified name with its first address.
func (z *Zone) Lookup(fqdn string) (netip.Addr, bool) {
	ips := z.LookupAll(fqdn)
	if len(ips) == 0 {
		return netip.Addr{}, false
	}
	return ips[0], true
}

// LookupAll answers one fully qualified name: a Service's ClusterIP, a
// headless Service's endpoint addresses (sorted), a pod's hostname record,
// an ExternalName's target (followed when it is in the zone). Pod names
// (a-b-c-d.<ns>.pod.<domain>) resolve to the address they spell, as
// CoreDNS's "pods insecure" mode answers them.
func (z *Zone) LookupAll(fqdn string) []netip.Addr {
	n := Normalize(fqdn)
	for range 8 { // CNAME chain bound
		z.mu.RLock()
		ip, ok := z.records[n]
		var ips []netip.Addr
		var target string
		for _, k := range slices.Sorted(maps.Keys(z.groups)) {
			g := z.groups[k]
			if a, ok := g.A[n]; ok && ips == nil {
				ips = a
			}
			if t, ok := g.CNAME[n]; ok && target == "" {
				target = t
			}
		}
		z.mu.RUnlock()
		switch {
		case ok:
			return []netip.Addr{ip}
		case ips != nil:
			return slices.Clone(ips)
		case target != "":
			n = Normalize(target)
			continue
		}
		if ip, ok := z.podAddr(n); ok {
			return []netip.Addr{ip}
		}
		return nil
	}
	return nil
}

// Resolve tries each candidate of name under search/ndots in order.
func (z *Zone) Resolve(name string, search []string, ndots int) (netip.Addr, bool) {
	if z == nil {
		return netip.Addr{}, false
	}
	for _, c := range Candidates(name, search, ndots) {
		if ip, ok := z.Lookup(c); ok {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

// Names lists every record, sorted, as "name A ip" lines' parts.
func (z *Zone) Names() []string {
	z.mu.RLock()
	defer z.mu.RUnlock()
	return slices.Sorted(maps.Keys(z.records))
}

func (z *Zone) podAddr(n string) (netip.Addr, bool) {
	suffix := ".pod." + z.domain
	if !strings.HasSuffix(n, suffix) {
		return netip.Addr{}, false
	}
	rest := strings.TrimSuffix(n, suffix) // "10-244-2-2.default"
	dash, _, ok := strings.Cut(rest, ".")
	if !ok {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(strings.ReplaceAll(dash, "-", "."))
	if err != nil || !ip.Is4() {
		return netip.Addr{}, false
	}
	return ip, true
}

// ResolvConf renders a ClusterFirst pod's /etc/resolv.conf as the kubelet
// writes it.
func ResolvConf(ns, domain string, nameserver netip.Addr) string {
	return fmt.Sprintf("search %s\nnameserver %s\noptions ndots:%d\n",
		strings.Join(SearchList(ns, domain), " "), nameserver, DefaultNdots)
}
