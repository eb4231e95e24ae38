package shell

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/runtime/containerfs"
)

// podNet is a pod's network with a tiny cluster DNS: the kubernetes and
// web Services, kube-dns, and web's backend 10.244.1.5 (listening on 80);
// 10.244.2.9 is a known host with nothing listening, 10.244.3.1 no host.
type podNet struct{}

var podRecords = map[string]string{
	"kubernetes.default.svc.cluster.local":   "10.96.0.1",
	"kube-dns.kube-system.svc.cluster.local": "10.96.0.10",
	"web.default.svc.cluster.local":          "10.96.5.5",
}

func (podNet) Resolve(host string) (string, error) { return "", ErrNoHost }

func (podNet) HTTP(ip string, port int32, method, path string, h map[string]string) (int, map[string]string, []byte, error) {
	switch {
	case (ip == "10.96.5.5" || ip == "10.244.1.5") && port == 80:
		if path != "/" {
			return 404, nil, nil, nil
		}
		return 200, nil, []byte("hello from " + h[RemoteAddrHeader] + "\n"), nil
	case ip == "10.244.3.1":
		return 0, nil, nil, ErrUnreachable
	case ip == "10.96.5.5" || ip == "10.96.0.1":
		return 0, nil, nil, ErrTimeout
	}
	return 0, nil, nil, ErrRefused
}

func (podNet) Query(fqdn string) ([]string, error) {
	if ip, ok := podRecords[fqdn]; ok {
		return []string{ip}, nil
	}
	return nil, ErrNoHost
}

func (podNet) Reverse(ip string) string {
	for n, a := range podRecords {
		if a == ip {
			return n
		}
	}
	return ""
}

func (podNet) Ping(ip string) (int, time.Duration, error) {
	switch ip {
	case "10.244.1.5":
		return 62, 512 * time.Microsecond, nil
	case "10.244.3.1":
		return 0, 0, ErrUnreachable
	}
	return 0, 0, ErrTimeout
}

func podFS() *containerfs.FS {
	f := containerfs.New(layerFor(Busybox), func() time.Time { return t0 })
	f.WriteFile("/etc/resolv.conf", []byte("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"), 0o644)
	f.WriteFile("/etc/hosts", []byte("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n10.244.1.7\tbb\n"), 0o644)
	return f
}

func runPod(version, script string) (result, time.Duration) {
	var out, errOut strings.Builder
	p := Start(Config{FS: podFS(), Flavor: Busybox, Version: version, Hostname: "bb", IP: "10.244.1.7", Net: podNet{}, Start: t0,
		Stdout: &out, Stderr: &errOut, Env: []string{"PATH=/bin"}}, []string{"sh", "-c", script})
	st := p.Advance(t0.Add(time.Hour))
	return result{out.String(), errOut.String(), st.Code}, p.Now().Sub(t0)
}

func TestPodNetwork(t *testing.T) {
	tests := []struct {
		version, script string
		want            result
		took            time.Duration
	}{
		// wget through the search list, by ClusterIP, by pod IP.
		{"1.36.1", "wget -qO- http://web", result{"hello from 10.244.1.7\n", "", 0}, 0},
		{"1.36.1", "wget -qO- http://web.default.svc.cluster.local", result{"hello from 10.244.1.7\n", "", 0}, 0},
		{"1.36.1", "wget -qO- 10.244.1.5", result{"hello from 10.244.1.7\n", "", 0}, 0},
		{"1.36.1", "wget -O- http://web/", result{"hello from 10.244.1.7\n", "Connecting to web (10.96.5.5:80)\nwriting to stdout\nwritten to stdout\n", 0}, 0},
		{"1.36.1", "wget -q http://web/x", result{"", "wget: server returned error: HTTP/1.1 404 Not Found\n", 1}, 0},
		{"1.36.1", "wget -qO- http://nosuch", result{"", "wget: bad address 'nosuch'\n", 1}, 0},
		{"1.36.1", "wget -qO- http://10.244.2.9", result{"", "wget: can't connect to remote host (10.244.2.9): Connection refused\n", 1}, 0},
		{"1.36.1", "wget -qO- -T 5 http://web:8080", result{"", "wget: download timed out\n", 1}, 5 * time.Second},
		{"1.36.1", "wget -qO- http://kubernetes.default:443", result{"", "wget: can't connect to remote host (10.96.0.1): Connection timed out\n", 1}, 127 * time.Second},
		{"1.36.1", "wget -qO- http://10.244.3.1", result{"", "wget: can't connect to remote host (10.244.3.1): No route to host\n", 1}, 3 * time.Second},
		// nc
		{"1.36.1", "nc -zv web 80", result{"", "web (10.96.5.5:80) open\n", 0}, 0},
		{"1.36.1", "nc -zv -w 2 web 81", result{"", "nc: web (10.96.5.5:81): Connection timed out\n", 1}, 2 * time.Second},
		{"1.36.1", "nc -zv 10.244.2.9 80", result{"", "nc: 10.244.2.9 (10.244.2.9:80): Connection refused\n", 1}, 0},
		// ping
		{"1.36.1", "ping -c 1 10.244.1.5", result{"PING 10.244.1.5 (10.244.1.5): 56 data bytes\n64 bytes from 10.244.1.5: seq=0 ttl=62 time=0.512 ms\n\n--- 10.244.1.5 ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\nround-trip min/avg/max = 0.512/0.512/0.512 ms\n", "", 0}, 0},
		{"1.36.1", "ping -c 2 web", result{"PING web (10.96.5.5): 56 data bytes\n\n--- web ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n", "", 1}, 11 * time.Second},
		// nslookup, busybox 1.28
		{"1.28.4", "nslookup kubernetes.default", result{"Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n", "", 0}, 0},
		{"1.28.4", "nslookup nosuch", result{"Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n", "nslookup: can't resolve 'nosuch'\n", 1}, 0},
		{"1.28.4", "nslookup 10.244.1.5", result{"Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      10.244.1.5\nAddress 1: 10.244.1.5\n", "", 0}, 0},
		// nslookup, busybox 1.36
		{"1.36.1", "nslookup kubernetes.default", result{"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find kubernetes.default: NXDOMAIN\n\n** server can't find kubernetes.default: NXDOMAIN\n\n", "", 1}, 0},
		{"1.36.1", "nslookup kubernetes.default.svc.cluster.local", result{"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n\n", "", 0}, 0},
		{"1.36.1", "nslookup kubernetes", result{"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" +
			"Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n" +
			"** server can't find kubernetes.svc.cluster.local: NXDOMAIN\n\n** server can't find kubernetes.cluster.local: NXDOMAIN\n\n" +
			"\n** server can't find kubernetes.svc.cluster.local: NXDOMAIN\n\n** server can't find kubernetes.cluster.local: NXDOMAIN\n\n", "", 1}, 0},
		{"1.36.1", "nslookup 10.96.0.1", result{"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n1.0.96.10.in-addr.arpa\tname = kubernetes.default.svc.cluster.local\n\n", "", 0}, 0},
	}
	for _, tt := range tests {
		got, took := runPod(tt.version, tt.script)
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s %q (-want +got):\n%s", tt.version, tt.script, d)
		}
		if took != tt.took {
			t.Errorf("%s %q took %v, want %v", tt.version, tt.script, took, tt.took)
		}
	}
}
