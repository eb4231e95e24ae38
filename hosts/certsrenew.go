package hosts

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"kubesim/runtime/shell"
)

// kubeadm certs renew (all | NAME): each certificate kubeadm manages is
// issued again by its CA with the same subject, usages and SANs and a new
// key, valid from the CA's start to a year from now; a kubeconfig gets its
// embedded certificate and key replaced (~/.kube/config, a copy, keeps
// the old ones, as on a real node). kubeadm upgrade apply renews its
// components' certificates the same way (renewCert).

// renewable are kubeadm's renewable certificates in its order, with the
// long names it reports them by.
var renewable = []struct{ name, long string }{
	{"admin.conf", "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself"},
	{"apiserver", "certificate for serving the Kubernetes API"},
	{"apiserver-etcd-client", "certificate the apiserver uses to access etcd"},
	{"apiserver-kubelet-client", "certificate for the API server to connect to kubelet"},
	{"controller-manager.conf", "certificate embedded in the kubeconfig file for the controller manager to use"},
	{"etcd-healthcheck-client", "certificate for liveness probes to healthcheck etcd"},
	{"etcd-peer", "certificate for etcd nodes to communicate with each other"},
	{"etcd-server", "certificate for serving etcd"},
	{"front-proxy-client", "certificate for the front proxy client"},
	{"scheduler.conf", "certificate embedded in the kubeconfig file for the scheduler manager to use"},
	{"super-admin.conf", "certificate embedded in the kubeconfig file for the super-admin"},
}

func (h *Host) certsRenew(c *shell.Cmd, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "This command is not meant to be run on its own. See list of available subcommands.")
		return 0
	}
	var names []string
	v := minorOf(h.cluster().Spec.KubernetesVersion)
	for _, r := range renewable {
		if r.name == "super-admin.conf" && v < 29 {
			continue
		}
		if args[0] == "all" || args[0] == r.name {
			names = append(names, r.name)
		}
	}
	if len(names) == 0 {
		fmt.Fprintf(c.Stderr, "unknown command %q for \"kubeadm certs renew\"\nTo see the stack trace of this error execute with --v=5 or higher\n", args[0])
		return 1
	}
	fmt.Fprint(c.Stdout, "[renew] Reading configuration from the cluster...\n[renew] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n\n")
	if !h.ControlPlane {
		fmt.Fprintln(c.Stderr, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher")
		return 1
	}
	for _, n := range names {
		var ok bool
		h.cluster().Locked(func() { ok = h.renewCert(n, c.Now()) })
		if !ok {
			fmt.Fprintf(c.Stderr, "failed to renew certificate %s: couldn't load the certificate file: open %s: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher\n", n, certPath(n))
			return 1
		}
		for _, r := range renewable {
			if r.name == n {
				fmt.Fprintf(c.Stdout, "%s renewed\n", r.long)
			}
		}
	}
	if args[0] == "all" {
		fmt.Fprint(c.Stdout, "\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n")
	}
	return 0
}

// certPath is where kubeadm keeps certificate name.
func certPath(name string) string {
	if strings.HasSuffix(name, ".conf") {
		return "/etc/kubernetes/" + name
	}
	file := map[string]string{"etcd-server": "etcd/server", "etcd-peer": "etcd/peer", "etcd-healthcheck-client": "etcd/healthcheck-client"}[name]
	if file == "" {
		file = name
	}
	return "/etc/kubernetes/pki/" + file + ".crt"
}

// renewCert issues certificate name (a kubeadm name: apiserver,
// etcd-peer, admin.conf) again as of now. It reports false when the
// certificate is not there. Call it with the cluster lock held.
func (h *Host) renewCert(name string, now time.Time) bool {
	old := h.kubeadmCert(name)
	if old == nil {
		return false
	}
	p := h.hs.pki()
	iss := p.ca
	switch {
	case strings.HasPrefix(name, "etcd-") || name == "apiserver-etcd-client":
		iss = p.etcd
	case name == "front-proxy-client":
		iss = p.frontProxy
	}
	var ips []string
	for _, ip := range old.IPAddresses {
		ips = append(ips, ip.String())
	}
	l := leaf{name: fmt.Sprintf("%s/%s/renewed/%d", h.Name, name, now.UnixNano()), cn: old.Subject.CommonName, org: old.Subject.Organization,
		usages: old.ExtKeyUsage, dns: old.DNSNames, ips: ips, keyUsage: old.KeyUsage,
		notBefore: iss.cert.NotBefore, notAfter: now.Add(certValidity)}
	if l.keyUsage == 0 {
		l.keyUsage = x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature
	}
	crt, key := iss.issue(h.cluster().Spec.Seed, now, l)
	path := certPath(name)
	if !strings.HasSuffix(name, ".conf") {
		h.write(path, string(crt), 0o644)
		h.write(strings.TrimSuffix(path, ".crt")+".key", string(key), 0o600)
		return true
	}
	data, err := h.fs.ReadFile(path)
	if err != nil {
		return false
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		switch t := strings.TrimSpace(line); {
		case strings.HasPrefix(t, "client-certificate-data:"):
			lines[i] = indent + "client-certificate-data: " + base64.StdEncoding.EncodeToString(crt)
		case strings.HasPrefix(t, "client-key-data:"):
			lines[i] = indent + "client-key-data: " + base64.StdEncoding.EncodeToString(key)
		}
	}
	h.write(path, strings.Join(lines, "\n"), 0o600)
	return true
}
