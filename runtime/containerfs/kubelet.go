package containerfs

import (
	"io/fs"
	"sort"
	"strings"
)

// HostAlias is one spec.hostAliases entry.
type HostAlias struct {
	IP        string
	Hostnames []string
}

// HostsFile is /etc/hosts as the kubelet writes it for a pod that is not on
// the host network (kubelet_pods.go managedHostsFileContent; fields are
// TAB-separated; inside-pods-and-network.md §1). With a subdomain the pod's
// line carries its FQDN first.
func HostsFile(podIP, hostname, subdomain, namespace, clusterDomain string, aliases []HostAlias) string {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	if len(hostname) > 63 {
		hostname = hostname[:63]
	}
	if subdomain != "" {
		b.WriteString(podIP + "\t" + hostname + "." + subdomain + "." + namespace + ".svc." + clusterDomain + "\t" + hostname + "\n")
	} else {
		b.WriteString(podIP + "\t" + hostname + "\n")
	}
	if len(aliases) > 0 {
		b.WriteString("\n# Entries added by HostAliases.\n")
		for _, a := range aliases {
			b.WriteString(a.IP + "\t" + strings.Join(a.Hostnames, "\t") + "\n")
		}
	}
	return b.String()
}

// ResolvConf is /etc/resolv.conf as containerd writes it from the kubelet's
// DNS config: search, nameserver lines, options, in that order, no header.
func ResolvConf(searches, nameservers, options []string) string {
	var b strings.Builder
	if len(searches) > 0 {
		b.WriteString("search " + strings.Join(searches, " ") + "\n")
	}
	for _, ns := range nameservers {
		b.WriteString("nameserver " + ns + "\n")
	}
	if len(options) > 0 {
		b.WriteString("options " + strings.Join(options, " ") + "\n")
	}
	return b.String()
}

// ClusterFirstResolvConf is the resolv.conf of a pod with dnsPolicy
// ClusterFirst: the namespace's search path, the cluster DNS and ndots:5
// (pkg/kubelet/network/dns/dns.go).
func ClusterFirstResolvConf(namespace, clusterDomain, dnsIP string) string {
	return ResolvConf(
		[]string{namespace + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain},
		[]string{dnsIP}, []string{"ndots:5"})
}

// HostnameFile is /etc/hostname as containerd writes it.
func HostnameFile(hostname string) string { return hostname + "\n" }

// WriteAtomic lays files out in v as the kubelet's atomic writer does for
// configMap, secret, downwardAPI and projected volumes: the files (paths
// relative to the volume, possibly nested) in a timestamped directory, a
// ..data symlink to it, and one symlink per top-level name to ..data/<name>.
// modes gives a file's mode (default 0644).
func WriteAtomic(v *Volume, files map[string][]byte, modes map[string]fs.FileMode) {
	dir := "/.." + v.clock().UTC().Format("2006_01_02_15_04_05.000000000")
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	top := map[string]bool{}
	for _, k := range keys {
		mode, ok := modes[k]
		if !ok {
			mode = 0o644
		}
		v.WriteFile(dir+"/"+k, files[k], mode)
		first, _, _ := strings.Cut(k, "/")
		top[first] = true
	}
	v.Symlink(dir[1:], "/..data")
	for _, k := range keys {
		if first, _, _ := strings.Cut(k, "/"); top[first] {
			v.Symlink("..data/"+first, "/"+first)
			delete(top, first)
		}
	}
}

// ServiceAccountVolume is the projected service-account token volume the
// kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount (read-only).
func ServiceAccountVolume(clock Clock, token, caCrt, namespace string) *Volume {
	v := NewVolume(clock, 0o1777)
	WriteAtomic(v, map[string][]byte{"token": []byte(token), "ca.crt": []byte(caCrt), "namespace": []byte(namespace)}, nil)
	return v
}

// ServiceAccountPath is where the service-account volume is mounted.
const ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
