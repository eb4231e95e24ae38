package shell

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"kubesim/net/dns"
)

// DNS is the pod's nameserver as a stub resolver queries it; a Network may
// implement it. With it, names resolve as libc and busybox resolve them:
// /etc/hosts first, then the candidates of /etc/resolv.conf's search list
// and ndots, one A query each.
type DNS interface {
	// Query is one A query for a fully qualified name: its addresses,
	// ErrNoHost (NXDOMAIN) or ErrTimeout (no reply).
	Query(fqdn string) (ips []string, err error)
	// Reverse is the PTR answer for ip, "" when there is none.
	Reverse(ip string) string
}

// resolvConf is what a stub resolver reads from /etc/resolv.conf.
type resolvConf struct {
	nameservers []string
	search      []string
	ndots       int
}

// readResolvConf parses the container's /etc/resolv.conf (nameserver,
// search, domain, options ndots:N); a missing file is no nameserver and
// ndots 1, as libc assumes.
func (p *Process) readResolvConf() resolvConf {
	rc := resolvConf{ndots: 1}
	b, err := p.fs.ReadFile("/etc/resolv.conf")
	if err != nil {
		return rc
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			rc.nameservers = append(rc.nameservers, f[1])
		case "search", "domain":
			rc.search = f[1:]
		case "options":
			for _, o := range f[1:] {
				if v, ok := strings.CutPrefix(o, "ndots:"); ok {
					if n, err := strconv.Atoi(v); err == nil {
						rc.ndots = min(n, 15)
					}
				}
			}
		}
	}
	return rc
}

// hostsEntry looks name up in /etc/hosts.
func (p *Process) hostsEntry(name string) (string, bool) {
	b, err := p.fs.ReadFile("/etc/hosts")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(f[0])
		if err != nil || !ip.Is4() {
			continue
		}
		for _, n := range f[1:] {
			if strings.EqualFold(n, name) {
				return f[0], true
			}
		}
	}
	return "", false
}

// resolve is getaddrinfo for one IPv4 address: an IP literal, /etc/hosts,
// then DNS over the search list (or the network's own resolver when it
// offers no DNS view). ErrNoHost when nothing answers.
func (c *call) resolve(host string) (string, error) {
	net := c.p.cfg.Net
	if net == nil {
		return "", ErrNoHost
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().String(), nil
	}
	d, ok := net.(DNS)
	if !ok {
		return net.Resolve(host)
	}
	if ip, ok := c.p.hostsEntry(host); ok {
		return ip, nil
	}
	_, ips, err := c.p.lookup(d, host)
	if err != nil {
		return "", ErrNoHost
	}
	return ips[0], nil
}

// lookup resolves name as libc does: each candidate of the search list
// under ndots in turn, the first with an answer wins.
func (p *Process) lookup(d DNS, name string) (string, []string, error) {
	rc := p.readResolvConf()
	if len(rc.nameservers) == 0 {
		return "", nil, ErrTimeout
	}
	last := ErrNoHost
	for _, cand := range dns.Candidates(name, rc.search, rc.ndots) {
		ips, err := d.Query(cand)
		if err == nil && len(ips) > 0 {
			return cand, ips, nil
		}
		if errors.Is(err, ErrTimeout) {
			last = ErrTimeout
		}
	}
	return "", nil, last
}

// nslookup is busybox nslookup. Up to 1.28 it resolves through libc
// (search list and ndots applied) and prints "Address N: ip reverse-name"
// lines; from 1.29 it sends its own A and AAAA queries, applying the search
// list only to a name without a dot, and prints one block per reply in the
// order sent (inside-pods-and-network.md §2; networking/nslookup.c of
// 1_28_4 and 1_36_1).
func nslookup(c *call) int {
	c.p.impure.Add(1)
	var name string
	for _, a := range c.args[1:] {
		if !strings.HasPrefix(a, "-") {
			name = a
			break
		}
	}
	if name == "" {
		fmt.Fprintf(c.errw, "BusyBox v%s multi-call binary.\n", c.p.busyboxVersion())
		return 1
	}
	d, ok := c.p.cfg.Net.(DNS)
	if !ok {
		return nslookupResolver(c, name)
	}
	rc := c.p.readResolvConf()
	old := compareVersions(c.p.busyboxVersion(), "1.29") < 0
	server := "127.0.0.1"
	if len(rc.nameservers) > 0 {
		server = rc.nameservers[0]
	}
	if old {
		return nslookupOld(c, d, server, name)
	}
	if ip, err := netip.ParseAddr(name); err == nil && ip.Is4() {
		// A PTR query for an address.
		b := ip.As4()
		ptr := fmt.Sprintf("%d.%d.%d.%d.in-addr.arpa", b[3], b[2], b[1], b[0])
		fmt.Fprintf(c.out, "Server:\t\t%s\nAddress:\t%s:53\n\n", server, server)
		if rev := d.Reverse(ip.String()); rev != "" {
			fmt.Fprintf(c.out, "%s\tname = %s\n\n", ptr, rev)
			return 0
		}
		fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", ptr)
		return 1
	}
	return nslookupNew(c, d, server, rc, name)
}

// nslookupOld is busybox 1.28's: print_host for the server, then for the
// name; an address with no PTR record prints without a name.
func nslookupOld(c *call, d DNS, server, name string) int {
	fmt.Fprintf(c.out, "%-10s %s\n", "Server:", server)
	addrLine := func(i int, ip string) {
		if rev := d.Reverse(ip); rev != "" {
			fmt.Fprintf(c.out, "Address %d: %s %s\n", i, ip, rev)
		} else {
			fmt.Fprintf(c.out, "Address %d: %s\n", i, ip)
		}
	}
	addrLine(1, server)
	fmt.Fprintln(c.out)
	var ips []string
	if ip, err := netip.ParseAddr(name); err == nil {
		ips = []string{ip.String()}
	} else if ip, ok := c.p.hostsEntry(name); ok {
		ips = []string{ip}
	} else {
		var err error
		_, ips, err = c.p.lookup(d, name)
		if err != nil {
			c.errorf("can't resolve '%s'", name)
			return 1
		}
	}
	fmt.Fprintf(c.out, "%-10s %s\n", "Name:", name)
	for i, ip := range ips {
		addrLine(i+1, ip)
	}
	return 0
}

// nslookupNew is busybox 1.29+'s: A then AAAA queries (each over the
// search list for a dotless name), one reply block each. Cluster DNS has
// no AAAA records here, so an AAAA reply for a known name is empty.
func nslookupNew(c *call, d DNS, server string, rc resolvConf, name string) int {
	names := []string{name}
	if !strings.Contains(name, ".") && len(rc.search) > 0 {
		names = names[:0]
		for _, s := range rc.search {
			names = append(names, name+"."+s)
		}
	}
	type reply struct {
		ips []string
		err error
	}
	replies := make([]reply, len(names))
	for i, n := range names {
		ips, err := d.Query(n)
		replies[i] = reply{ips, err}
		if errors.Is(err, ErrTimeout) {
			fmt.Fprint(c.out, ";; connection timed out; no servers could be reached\n\n")
			return 1
		}
	}
	fmt.Fprintf(c.out, "Server:\t\t%s\nAddress:\t%s:53\n\n", server, server)
	code := 0
	for _, aaaa := range []bool{false, true} {
		for i, n := range names {
			r := replies[i]
			if r.err != nil {
				fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", n)
				code = 1
				continue
			}
			if !aaaa {
				for _, ip := range r.ips {
					fmt.Fprintf(c.out, "Name:\t%s\nAddress: %s\n", n, ip)
				}
			}
			fmt.Fprintln(c.out)
		}
	}
	return code
}

// nslookupResolver prints from a network that offers only a Resolver (the
// catalog's processes), in the same layouts.
func nslookupResolver(c *call, name string) int {
	res, _ := c.p.cfg.Net.(Resolver)
	old := compareVersions(c.p.busyboxVersion(), "1.29") < 0
	if res == nil {
		if old {
			c.errorf("can't resolve '%s'", name)
		} else {
			fmt.Fprint(c.out, ";; connection timed out; no servers could be reached\n\n")
		}
		return 1
	}
	nsIP, nsName := res.Nameserver()
	fqdn, ips, err := res.Lookup(name)
	if old {
		fmt.Fprintf(c.out, "Server:    %s\nAddress 1: %s %s\n\n", nsIP, nsIP, nsName)
		if err != nil {
			c.errorf("can't resolve '%s'", name)
			return 1
		}
		fmt.Fprintf(c.out, "Name:      %s\n", name)
		for i, ip := range ips {
			fmt.Fprintf(c.out, "Address %d: %s %s\n", i+1, ip, fqdn)
		}
		return 0
	}
	fmt.Fprintf(c.out, "Server:\t\t%s\nAddress:\t%s:53\n\n", nsIP, nsIP)
	if err != nil {
		fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", name)
		return 1
	}
	for _, ip := range ips {
		fmt.Fprintf(c.out, "Name:\t%s\nAddress: %s\n", fqdn, ip)
	}
	fmt.Fprintln(c.out)
	return 0
}
