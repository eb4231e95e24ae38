package dns

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCandidates(t *testing.T) {
	search := SearchList("default", DefaultClusterDomain)
	tests := []struct {
		name  string
		in    string
		ndots int
		want  []string
	}{
		{"short name tries search first", "web", 5, []string{
			"web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"}},
		{"svc.ns", "web.prod", 5, []string{
			"web.prod.default.svc.cluster.local", "web.prod.svc.cluster.local", "web.prod.cluster.local", "web.prod"}},
		{"enough dots goes absolute first", "a.b.c.d.e.f", 5, []string{
			"a.b.c.d.e.f", "a.b.c.d.e.f.default.svc.cluster.local", "a.b.c.d.e.f.svc.cluster.local", "a.b.c.d.e.f.cluster.local"}},
		{"trailing dot is absolute only", "Web.Default.svc.cluster.local.", 5, []string{"web.default.svc.cluster.local"}},
		{"empty", "", 5, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Candidates(tc.in, search, tc.ndots)); diff != "" {
				t.Errorf("Candidates(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestZoneResolve(t *testing.T) {
	z := NewZone("")
	web := netip.MustParseAddr("10.96.12.34")
	z.SetService("web", "prod", web)
	z.SetService("kube-dns", "kube-system", DefaultNameserver)
	tests := []struct {
		name   string
		query  string
		ns     string
		want   string
		wantOK bool
	}{
		{"fqdn", "web.prod.svc.cluster.local", "default", "10.96.12.34", true},
		{"svc.ns from another namespace", "web.prod", "default", "10.96.12.34", true},
		{"bare name in its namespace", "web", "prod", "10.96.12.34", true},
		{"bare name from another namespace fails", "web", "default", "", false},
		{"case and trailing dot", "WEB.prod.svc.cluster.local.", "default", "10.96.12.34", true},
		{"pod record", "10-244-2-2.default.pod.cluster.local", "default", "10.244.2.2", true},
		{"bad pod record", "10-244-2.default.pod.cluster.local", "default", "", false},
		{"kube-dns", "kube-dns.kube-system", "default", "10.96.0.10", true},
		{"unknown", "nothing.here", "default", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ip, ok := z.Resolve(tc.query, SearchList(tc.ns, z.Domain()), DefaultNdots)
			if ok != tc.wantOK || (ok && ip.String() != tc.want) {
				t.Errorf("Resolve(%q in %s) = %v, %v; want %s, %v", tc.query, tc.ns, ip, ok, tc.want, tc.wantOK)
			}
		})
	}
	z.DeleteService("web", "prod")
	if _, ok := z.Lookup("web.prod.svc.cluster.local"); ok {
		t.Error("record still there after DeleteService")
	}
	if diff := cmp.Diff([]string{"kube-dns.kube-system.svc.cluster.local"}, z.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
}

func TestResolvConf(t *testing.T) {
	want := "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
	if got := ResolvConf("default", DefaultClusterDomain, DefaultNameserver); got != want {
		t.Errorf("ResolvConf:\n%s\nwant:\n%s", got, want)
	}
	if got := PodFQDN(netip.MustParseAddr("10.244.2.2"), "default", "cluster.local"); got != "10-244-2-2.default.pod.cluster.local" {
		t.Errorf("PodFQDN = %s", got)
	}
}
