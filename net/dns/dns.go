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
}

// NewZone returns an empty zone for domain ("cluster.local").
func NewZone(domain string) *Zone {
	if domain == "" {
		domain = DefaultClusterDomain
	}
	return &Zone{domain: Normalize(domain), records: map[string]netip.Addr{}}
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

// Lookup answers one fully qualified name. Pod names
// (a-b-c-d.<ns>.pod.<domain>) resolve to the address they spell, as
// CoreDNS's "pods insecure" mode answers them.
func (z *Zone) Lookup(fqdn string) (netip.Addr, bool) {
	n := Normalize(fqdn)
	z.mu.RLock()
	ip, ok := z.records[n]
	z.mu.RUnlock()
	if ok {
		return ip, true
	}
	return z.podAddr(n)
}

// Resolve tries each candidate of name under search/ndots in order.
func (z *Zone) Resolve(name string, search []string, ndots int) (netip.Addr, bool) {
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
