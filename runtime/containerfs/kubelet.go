package containerfs

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
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
// configMap, secret, downwardAPI and projected volumes
// (pkg/volume/util/atomic_writer.go): the files (paths relative to the
// volume, possibly nested) in a timestamped directory, a ..data symlink to
// it, and one symlink per top-level name to ..data/<name>. modes gives a
// file's mode (default 0644).
//
// Called again, it is an update: when the payload equals what ..data holds
// (paths, contents, modes) nothing changes and it reports false; otherwise
// the new payload goes into a new timestamped directory, ..data is pointed
// at it, the links of names no longer present are removed and the old
// directory with them. A container that mounted a key with subPath keeps
// the file it mounted (the old one), as a bind mount keeps its inode.
func WriteAtomic(v *Volume, files map[string][]byte, modes map[string]fs.FileMode) bool {
	mode := func(k string) fs.FileMode {
		if m, ok := modes[k]; ok {
			return m.Perm()
		}
		return 0o644
	}
	old := ""
	if l := v.t.nodes["/..data"]; l != nil && l.isLink() {
		old = clean(l.target)
		if current := v.files(old); len(current) == len(files) {
			same := true
			for k, data := range files {
				n := current[k]
				if n == nil || n.mode.Perm() != mode(k) || string(n.data) != string(data) {
					same = false
					break
				}
			}
			if same {
				return false
			}
		}
	}
	now := v.clock().UTC()
	dir := "/.." + now.Format("2006_01_02_15_04_05.000000000")
	for i := 1; v.t.nodes[dir] != nil; i++ {
		dir = "/.." + now.Add(time.Duration(i)).Format("2006_01_02_15_04_05.000000000")
	}
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v.t.put(dir, &node{mode: fs.ModeDir | 0o755, mtime: now})
	top := map[string]bool{}
	for _, k := range keys {
		v.WriteFile(dir+"/"+k, files[k], mode(k))
		first, _, _ := strings.Cut(k, "/")
		top[first] = true
	}
	v.Symlink(dir[1:], "/..data")
	for first := range top {
		if l := v.t.nodes["/"+first]; l == nil || !l.isLink() || l.target != "..data/"+first {
			v.Symlink("..data/"+first, "/"+first)
		}
	}
	if old != "" && old != dir {
		for name := range v.t.children["/"] {
			if l := v.t.nodes["/"+name]; l != nil && l.isLink() && strings.HasPrefix(l.target, "..data/") && !top[name] {
				v.t.remove("/" + name)
			}
		}
		v.removeAll(old)
	}
	v.touch()
	return true
}

// files lists the regular files under dir, by path relative to it.
func (v *Volume) files(dir string) map[string]*node {
	out := map[string]*node{}
	var walk func(d string)
	walk = func(d string) {
		for name := range v.t.children[d] {
			p := path.Join(d, name)
			switch n := v.t.nodes[p]; {
			case n == nil:
			case n.isDir():
				walk(p)
			case !n.isLink():
				out[p[len(dir)+1:]] = n
			}
		}
	}
	walk(dir)
	return out
}

// removeAll removes p and everything under it from the volume's tree.
func (v *Volume) removeAll(p string) {
	for name := range v.t.children[p] {
		v.removeAll(path.Join(p, name))
	}
	v.t.remove(p)
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
