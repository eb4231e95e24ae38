package kubelet

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io/fs"
	"path"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/net/dns"
	"kubesim/runtime/containerfs"
)

// clusterDomain is kubeadm's default.
const clusterDomain = "cluster.local"

// dnsConfig is the sandbox's DNS configuration as the kubelet forms it
// (pkg/kubelet/network/dns): ClusterFirst gives the cluster DNS, the
// namespace's search path and ndots:5; None takes spec.dnsConfig alone;
// Default (the node's resolv.conf) is left to the runtime.
func dnsConfig(p *corev1.Pod) *runtimeapi.DNSConfig {
	policy := p.Spec.DNSPolicy
	if policy == "" {
		policy = corev1.DNSClusterFirst
	}
	var cfg *runtimeapi.DNSConfig
	switch {
	case policy == corev1.DNSClusterFirstWithHostNet || policy == corev1.DNSClusterFirst && !p.Spec.HostNetwork:
		cfg = &runtimeapi.DNSConfig{
			Servers:  []string{dns.DefaultNameserver.String()},
			Searches: []string{p.Namespace + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain},
			Options:  []string{"ndots:5"},
		}
	case policy == corev1.DNSNone:
		cfg = &runtimeapi.DNSConfig{}
	default:
		return nil
	}
	if d := p.Spec.DNSConfig; d != nil {
		cfg.Servers = append(cfg.Servers, d.Nameservers...)
		cfg.Searches = append(cfg.Searches, d.Searches...)
		for _, o := range d.Options {
			opt := o.Name
			if o.Value != nil {
				opt += ":" + *o.Value
			}
			merged := false
			for i, have := range cfg.Options {
				if name, _, _ := cut(have, ':'); name == o.Name {
					cfg.Options[i], merged = opt, true
				}
			}
			if !merged {
				cfg.Options = append(cfg.Options, opt)
			}
		}
	}
	return cfg
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (k *Kubelet) podDir(ps *podState) string { return "/var/lib/kubelet/pods/" + string(ps.uid) }

// mounts are the container's bind mounts: its emptyDir and service-account
// volumes (directories of the pod on the node) and the kubelet-managed
// /etc/hosts. Other volume types are not modelled yet.
func (k *Kubelet) mounts(ps *podState, c *ctrState) []*runtimeapi.Mount {
	p := ps.pod
	var out []*runtimeapi.Mount
	hasHosts := false
	for _, vm := range c.spec.VolumeMounts {
		var vol *corev1.Volume
		for i := range p.Spec.Volumes {
			if p.Spec.Volumes[i].Name == vm.Name {
				vol = &p.Spec.Volumes[i]
			}
		}
		if vol == nil {
			continue
		}
		var dir string
		switch {
		case vol.EmptyDir != nil:
			dir = k.podDir(ps) + "/volumes/kubernetes.io~empty-dir/" + vol.Name
			k.cfg.Runtime.HostDir(dir)
		case vol.Projected != nil && isServiceAccountVolume(vol.Projected):
			dir = k.podDir(ps) + "/volumes/kubernetes.io~projected/" + vol.Name
			k.writeServiceAccount(ps, dir)
		case vol.HostPath != nil:
			dir = vol.HostPath.Path // in the node's host filesystem
		case vol.ConfigMap != nil:
			dir = k.podDir(ps) + "/volumes/kubernetes.io~configmap/" + vol.Name
			if !k.writeKeys(dir, ps.ns, "configmaps", vol.ConfigMap.Name, vol.ConfigMap.Items, vol.ConfigMap.DefaultMode) {
				continue
			}
			vm.ReadOnly = true // always read-only since 1.10
		case vol.Secret != nil:
			dir = k.podDir(ps) + "/volumes/kubernetes.io~secret/" + vol.Name
			if !k.writeKeys(dir, ps.ns, "secrets", vol.Secret.SecretName, vol.Secret.Items, vol.Secret.DefaultMode) {
				continue
			}
			vm.ReadOnly = true
		default:
			continue
		}
		if vm.SubPath != "" {
			dir = path.Join(dir, vm.SubPath)
		}
		hasHosts = hasHosts || vm.MountPath == "/etc/hosts"
		out = append(out, &runtimeapi.Mount{ContainerPath: vm.MountPath, HostPath: dir, Readonly: vm.ReadOnly})
	}
	if !hasHosts && !p.Spec.HostNetwork && ps.ip != "" {
		hosts := k.podDir(ps) + "/etc-hosts"
		var aliases []containerfs.HostAlias
		for _, a := range p.Spec.HostAliases {
			aliases = append(aliases, containerfs.HostAlias{IP: a.IP, Hostnames: a.Hostnames})
		}
		hostname := p.Name
		if p.Spec.Hostname != "" {
			hostname = p.Spec.Hostname
		}
		k.cfg.Runtime.WriteHostFile(hosts, []byte(containerfs.HostsFile(ps.ip, hostname, p.Spec.Subdomain, p.Namespace, clusterDomain, aliases)))
		out = append(out, &runtimeapi.Mount{ContainerPath: "/etc/hosts", HostPath: hosts})
	}
	return out
}

func isServiceAccountVolume(p *corev1.ProjectedVolumeSource) bool {
	for _, s := range p.Sources {
		if s.ServiceAccountToken != nil {
			return true
		}
	}
	return false
}

// writeServiceAccount fills the projected token volume once: token,
// ca.crt and namespace. The token is a stand-in (a JWT-shaped string
// derived from the pod's UID, not signed by the API server) and so is the
// CA [guess: kubesim issues no service-account tokens yet].
func (k *Kubelet) writeServiceAccount(ps *podState, dir string) {
	v := k.cfg.Runtime.HostDir(dir)
	if v.Generation() > 0 {
		return
	}
	sa := ps.pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	enc := base64.RawURLEncoding.EncodeToString
	sum := sha256.Sum256([]byte("kubesim/token/" + string(ps.uid)))
	token := enc([]byte(`{"alg":"RS256","kid":"kubesim"}`)) + "." +
		enc([]byte(`{"aud":["https://kubernetes.default.svc.cluster.local"],"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"`+ps.ns+`","pod":{"name":"`+ps.name+`","uid":"`+string(ps.uid)+`"},"serviceaccount":{"name":"`+sa+`"}},"sub":"system:serviceaccount:`+ps.ns+`:`+sa+`"}`)) + "." +
		enc(sum[:])
	ca := "-----BEGIN CERTIFICATE-----\n" + hex.EncodeToString(sum[:16]) + "\n-----END CERTIFICATE-----\n"
	containerfs.WriteAtomic(v, map[string][]byte{"token": []byte(token), "ca.crt": []byte(ca), "namespace": []byte(ps.ns)}, nil)
}

// writeKeys fills a configMap or secret volume once, when the pod's first
// container is created: every key as a file, or only items (key → path,
// mode), files 0644 or defaultMode. A missing object leaves the volume
// unmounted [gap: upstream keeps the pod ContainerCreating with FailedMount
// events; updates to the object do not reach the files yet].
func (k *Kubelet) writeKeys(dir, ns, resource, name string, items []corev1.KeyToPath, defaultMode *int32) bool {
	data, ok := k.lookupData(ns, resource, name)
	if !ok {
		return false
	}
	v := k.cfg.Runtime.HostDir(dir)
	if v.Generation() > 0 {
		return true
	}
	mode := fs.FileMode(0o644)
	if defaultMode != nil {
		mode = fs.FileMode(*defaultMode) & fs.ModePerm
	}
	files, modes := map[string][]byte{}, map[string]fs.FileMode{}
	if len(items) == 0 {
		for key, val := range data {
			files[key], modes[key] = []byte(val), mode
		}
	}
	for _, it := range items {
		val, ok := data[it.Key]
		if !ok {
			continue
		}
		files[it.Path], modes[it.Path] = []byte(val), mode
		if it.Mode != nil {
			modes[it.Path] = fs.FileMode(*it.Mode) & fs.ModePerm
		}
	}
	containerfs.WriteAtomic(v, files, modes)
	return true
}
