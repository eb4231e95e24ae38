package hosts

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/runtime/shell"
	"kubesim/sim/registry"
)

// kubeadm on a node: version -o short, token create [--print-join-command],
// token list, certs check-expiration.
func (h *Host) kubeadm(c *shell.Cmd) int {
	flags, rest := splitFlags(c.Args[1:], "o", "output", "ttl", "description", "kubeconfig")
	if len(rest) == 0 {
		fmt.Fprintln(c.Stdout, "\n    ┌──────────────────────────────────────────────────────────┐\n    │ KUBEADM                                                  │\n    │ Easily bootstrap a secure Kubernetes cluster             │\n    └──────────────────────────────────────────────────────────┘")
		return 0
	}
	switch rest[0] {
	case "init", "join", "reset":
		return h.kubeadmSetup(c, rest[0])
	}
	switch {
	case rest[0] == "version":
		return h.kubeadmVersion(c, cmp.Or(flags["o"], flags["output"]))
	case rest[0] == "upgrade":
		return h.kubeadmUpgrade(c, argsAfter(c.Args, "upgrade"))
	case rest[0] == "token" && len(rest) > 1 && rest[1] == "create":
		if !h.ControlPlane {
			fmt.Fprintln(c.Stderr, "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\nTo see the stack trace of this error execute with --v=5 or higher")
			return 1
		}
		ttl := 24 * time.Hour
		if t := flags["ttl"]; t != "" {
			d, err := time.ParseDuration(t)
			if err != nil {
				fmt.Fprintf(c.Stderr, "invalid argument %q for \"--ttl\" flag: %v\n", t, err)
				return 1
			}
			ttl = d
		}
		tok := h.newToken(c.Now(), flags["description"], ttl)
		if flags["print-join-command"] != "" {
			fmt.Fprintf(c.Stdout, "kubeadm join %s:6443 --token %s --discovery-token-ca-cert-hash %s \n", h.IP, tok, h.caCertHash())
		} else {
			fmt.Fprintln(c.Stdout, tok)
		}
		return 0
	case rest[0] == "token" && len(rest) > 1 && rest[1] == "list":
		h.tokenList(c)
		return 0
	case rest[0] == "certs" && len(rest) > 1 && rest[1] == "renew":
		return h.certsRenew(c, rest[2:]) // certsrenew.go
	case rest[0] == "certs" && len(rest) > 1 && rest[1] == "check-expiration":
		if !h.ControlPlane {
			fmt.Fprintln(c.Stderr, "[check-expiration] Reading configuration from the cluster...\n[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\nfailed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory")
			return 1
		}
		h.checkExpiration(c)
		return 0
	}
	fmt.Fprintf(c.Stderr, "unknown command %q for \"kubeadm\"\nTo see the stack trace of this error execute with --v=5 or higher\n", strings.Join(rest, " "))
	return 1
}

// newToken makes a bootstrap token (its Secret in kube-system, as kubeadm
// does) and returns it.
func (h *Host) newToken(now time.Time, desc string, ttl time.Duration) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var tok string
	h.cluster().Do(func() {
		// Drawn from the seed and how many tokens exist already: the same
		// for the same history, whatever else the host logged meanwhile.
		n := 0
		if res, ok := lookupResource("secrets"); ok {
			objs, _, _ := h.cluster().Registry.List(res, "kube-system", registry.ListOptions{})
			for _, o := range objs {
				if o.(*corev1.Secret).Type == "bootstrap.kubernetes.io/token" {
					n++
				}
			}
		}
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/token/%d", h.seed("kubeadm"), n)))
		b := make([]byte, 22)
		for i := range b {
			b[i] = alphabet[int(sum[i])%len(alphabet)]
		}
		id, secret := string(b[:6]), string(b[6:])
		tok = id + "." + secret
		data := map[string][]byte{
			"token-id": []byte(id), "token-secret": []byte(secret),
			"usage-bootstrap-authentication": []byte("true"), "usage-bootstrap-signing": []byte("true"),
			"auth-extra-groups": []byte("system:bootstrappers:kubeadm:default-node-token"),
		}
		if ttl > 0 {
			data["expiration"] = []byte(now.Add(ttl).UTC().Format(time.RFC3339))
		}
		if desc != "" {
			data["description"] = []byte(desc)
		}
		res, _ := lookupResource("secrets")
		h.cluster().Registry.Create(res, "kube-system", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: "kube-system"},
			Type: "bootstrap.kubernetes.io/token", Data: data}, false)
	})
	return tok
}

func (h *Host) tokenList(c *shell.Cmd) {
	w := tabwriter.NewWriter(c.Stdout, 10, 4, 3, ' ', 0)
	defer w.Flush()
	fmt.Fprintln(w, "TOKEN\tTTL\tEXPIRES\tUSAGES\tDESCRIPTION\tEXTRA GROUPS")
	res, _ := lookupResource("secrets")
	var rows []string
	h.cluster().Locked(func() {
		objs, _, _ := h.cluster().Registry.List(res, "kube-system", registry.ListOptions{})
		for _, o := range objs {
			s := o.(*corev1.Secret)
			if s.Type != "bootstrap.kubernetes.io/token" {
				continue
			}
			ttl, exp := "<forever>", "<never>"
			if e, err := time.Parse(time.RFC3339, string(s.Data["expiration"])); err == nil {
				// time.Until on a real node: the listing comes after the
				// creation, so a fresh 24h token reads 23h, never 1d.
				ttl, exp = shortDuration(e.Sub(c.Now())-time.Millisecond), e.UTC().Format(time.RFC3339)
			}
			desc := string(s.Data["description"])
			if desc == "" {
				desc = "<none>"
			}
			var usages []string
			for _, u := range []string{"authentication", "signing"} {
				if string(s.Data["usage-bootstrap-"+u]) == "true" {
					usages = append(usages, u)
				}
			}
			rows = append(rows, fmt.Sprintf("%s.%s\t%s\t%s\t%s\t%s\t%s", s.Data["token-id"], s.Data["token-secret"], ttl, exp, strings.Join(usages, ","), desc, s.Data["auth-extra-groups"]))
		}
	})
	sort.Strings(rows)
	for _, r := range rows {
		fmt.Fprintln(w, r)
	}
}

// shortDuration is apimachinery's duration.ShortHumanDuration: hours
// below a day, then days (kubeadm token list's TTL, certs check-expiration).
func shortDuration(d time.Duration) string {
	seconds := int(d.Seconds())
	switch {
	case seconds < -1:
		return "<invalid>"
	case seconds < 0:
		return "0s"
	case seconds < 60:
		return fmt.Sprintf("%ds", seconds)
	case int(d.Minutes()) < 60:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case int(d.Hours()) < 24:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case int(d.Hours()) < 24*365:
		return fmt.Sprintf("%dd", int(d.Hours())/24)
	}
	return fmt.Sprintf("%dy", int(d.Hours()/24/365))
}

// checkExpiration: kubeadm certs check-expiration, from the certificates
// on the host (pki.go).
func (h *Host) checkExpiration(c *shell.Cmd) {
	now := c.Now()
	stamp := func(t time.Time) string { return t.UTC().Format("Jan 02, 2006 15:04 MST") }
	fmt.Fprint(c.Stdout, "[check-expiration] Reading configuration from the cluster...\n[check-expiration] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'\n\n")
	w := tabwriter.NewWriter(c.Stdout, 10, 4, 3, ' ', 0)
	fmt.Fprintln(w, "CERTIFICATE\tEXPIRES\tRESIDUAL TIME\tCERTIFICATE AUTHORITY\tEXTERNALLY MANAGED")
	certs := [][2]string{{"admin.conf", "ca"}, {"apiserver", "ca"}, {"apiserver-etcd-client", "etcd-ca"}, {"apiserver-kubelet-client", "ca"},
		{"controller-manager.conf", "ca"}, {"etcd-healthcheck-client", "etcd-ca"}, {"etcd-peer", "etcd-ca"}, {"etcd-server", "etcd-ca"},
		{"front-proxy-client", "front-proxy-ca"}, {"scheduler.conf", "ca"}}
	if minorOf(h.cluster().Spec.KubernetesVersion) >= 29 {
		certs = append(certs, [2]string{"super-admin.conf", "ca"})
	}
	for _, ce := range certs {
		cert := h.kubeadmCert(ce[0])
		if cert == nil {
			fmt.Fprintf(w, "!MISSING! %s\n", ce[0])
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\tno\n", ce[0], stamp(cert.NotAfter), shortDuration(cert.NotAfter.Sub(now)), ce[1])
	}
	w.Flush()
	fmt.Fprintln(c.Stdout)
	w = tabwriter.NewWriter(c.Stdout, 10, 4, 3, ' ', 0)
	fmt.Fprintln(w, "CERTIFICATE AUTHORITY\tEXPIRES\tRESIDUAL TIME\tEXTERNALLY MANAGED")
	for _, name := range []string{"ca", "etcd-ca", "front-proxy-ca"} {
		cert := h.kubeadmCert(name)
		if cert == nil {
			fmt.Fprintf(w, "!MISSING! %s\n", name)
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\tno\n", name, stamp(cert.NotAfter), shortDuration(cert.NotAfter.Sub(now)))
	}
	w.Flush()
}
