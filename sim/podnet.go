package sim

import (
	"errors"
	"maps"
	"net/netip"
	"slices"
	"time"

	"kubesim/net/dns"
	"kubesim/net/fabric"
	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// podNetwork is the cluster network as one pod sees it: a fabric client at
// the pod's IP in its namespace (cluster DNS with the kubelet's search list
// and ndots:5). The runtime hands it to the container's main process
// (images.Network) and, through ShellNetwork, to the shell of kubectl exec.
type podNetwork struct {
	f      *fabric.Fabric
	client fabric.Client
}

// newPodNetwork is the chain's Config.Network: nil for an address that is
// not a pod IP (a host-network pod keeps no cluster view here).
func (c *Cluster) newPodNetwork(podIP, namespace string) images.Network {
	ip, err := netip.ParseAddr(podIP)
	if err != nil {
		return nil
	}
	if namespace == "" {
		namespace = "default"
	}
	return &podNetwork{f: c.fabric, client: fabric.Client{Addr: ip, Namespace: namespace}}
}

func (n *podNetwork) resolve(host string) (string, error) {
	ip, ok := n.f.ResolveFrom(n.client, host)
	if !ok {
		return "", errNoHost
	}
	return ip.String(), nil
}

func (n *podNetwork) http(ipText string, port int32, method, path string, header map[string]string) (int, map[string]string, []byte, error) {
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return 0, nil, nil, errNoHost
	}
	req := fabric.Request{Method: method, Host: header["Host"], Path: path}
	for _, k := range slices.Sorted(maps.Keys(header)) {
		req.Header = append(req.Header, fabric.Field{Name: k, Value: header[k]})
	}
	resp, err := n.f.Do(n.client, ip, port, req)
	if err != nil {
		return 0, nil, nil, dialError(err)
	}
	h := make(map[string]string, len(resp.Header))
	for _, fl := range resp.Header {
		if _, ok := h[fl.Name]; !ok {
			h[fl.Name] = fl.Value
		}
	}
	return resp.Status, h, resp.Body, nil
}

func (n *podNetwork) nameserver() (string, string) {
	return dns.DefaultNameserver.String(), dns.ServiceFQDN("kube-dns", "kube-system", n.f.Zone().Domain())
}

func (n *podNetwork) lookup(name string) (string, []string, error) {
	fqdn, ip, ok := n.f.LookupFrom(n.client, name)
	if !ok {
		return "", nil, errNoHost
	}
	return fqdn, []string{ip.String()}, nil
}

var (
	errNoHost      = shell.ErrNoHost
	errRefused     = shell.ErrRefused
	errTimeout     = shell.ErrTimeout
	errUnreachable = shell.ErrUnreachable
)

func dialError(err error) error {
	switch {
	case errors.Is(err, fabric.ErrRefused):
		return errRefused
	case errors.Is(err, fabric.ErrHostUnreachable):
		return errUnreachable
	}
	return errTimeout
}

// images.Network and images.Resolver.
func (n *podNetwork) Resolve(host string) (string, error) { return n.resolve(host) }
func (n *podNetwork) HTTP(ip string, port int32, method, path string, h map[string]string) (int, map[string]string, []byte, error) {
	return n.http(ip, port, method, path, h)
}
func (n *podNetwork) Nameserver() (string, string)                 { return n.nameserver() }
func (n *podNetwork) Lookup(name string) (string, []string, error) { return n.lookup(name) }

// ShellNetwork is the view the container shell's applets use (wget, nc,
// nslookup, ping).
func (n *podNetwork) ShellNetwork() shell.Network { return n }

// Ping is one ICMP echo: the TTL the reply arrives with (64 less the
// routers crossed) and its round trip.
func (n *podNetwork) Ping(ipText string) (int, time.Duration, error) {
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return 0, 0, errNoHost
	}
	hops, err := n.f.Ping(n.client, ip)
	if err != nil {
		return 0, 0, dialError(err)
	}
	rtt := 40*time.Microsecond + time.Duration(hops)*230*time.Microsecond
	return 64 - hops, rtt, nil
}

// Query is one A query to cluster DNS (shell.DNS).
func (n *podNetwork) Query(fqdn string) ([]string, error) {
	ips, err := n.f.QueryA(n.client, fqdn)
	switch {
	case errors.Is(err, fabric.ErrTimeout):
		return nil, errTimeout
	case err != nil:
		return nil, errNoHost
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out, nil
}

// Reverse is the PTR answer for ip, "" when there is none (shell.DNS).
func (n *podNetwork) Reverse(ipText string) string {
	ip, err := netip.ParseAddr(ipText)
	if err != nil {
		return ""
	}
	name, _ := n.f.ReverseName(ip)
	return name
}

// Fabric hands curl (shell.FabricNetwork) the fabric and the pod's place
// on it.
func (n *podNetwork) Fabric() (*fabric.Fabric, fabric.Client) { return n.f, n.client }
