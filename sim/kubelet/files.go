package kubelet

import (
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

// mounts are the container's bind mounts: its emptyDir, configMap, secret,
// downwardAPI and projected volumes (directories of the pod on the node),
// its hostPath volumes (paths of the node's host filesystem) and the
// kubelet-managed /etc/hosts. Other volume types are not modelled yet.
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
		case vol.HostPath != nil:
			dir = vol.HostPath.Path // in the node's host filesystem
		case atomicPlugin(vol) != "":
			// Written by setUpVolumes before the sandbox; always
			// read-only since 1.10.
			dir = k.podDir(ps) + "/volumes/" + atomicPlugin(vol) + "/" + vol.Name
			vm.ReadOnly = true
		case vol.PersistentVolumeClaim != nil:
			p, err := k.claimPath(ps.ns, vol.PersistentVolumeClaim)
			if err != nil {
				continue
			}
			dir, vm.ReadOnly = p, vm.ReadOnly || vol.PersistentVolumeClaim.ReadOnly // pvc.go
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
