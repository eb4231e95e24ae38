package registry

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ServiceCIDR is kubeadm's default service subnet; the first address is the
// kubernetes service, the tenth kube-dns.
var ServiceCIDR = netip.MustParsePrefix("10.96.0.0/12")

const nodePortMin, nodePortMax = 30000, 32767

// defaultService applies the Service defaults and allocates cluster IPs and
// node ports (randomly from the cluster's seeded source, as the bitmap
// allocators pick a random free offset).
func (r *Registry) defaultService(s *corev1.Service, old runtime.Object) {
	if s.Spec.Type == "" {
		s.Spec.Type = corev1.ServiceTypeClusterIP
	}
	if s.Spec.SessionAffinity == "" {
		s.Spec.SessionAffinity = corev1.ServiceAffinityNone
	}
	if s.Spec.Type != corev1.ServiceTypeExternalName {
		if s.Spec.InternalTrafficPolicy == nil {
			p := corev1.ServiceInternalTrafficPolicyCluster
			s.Spec.InternalTrafficPolicy = &p
		}
		if len(s.Spec.IPFamilies) == 0 {
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
		}
		if s.Spec.IPFamilyPolicy == nil {
			p := corev1.IPFamilyPolicySingleStack
			s.Spec.IPFamilyPolicy = &p
		}
	}
	if (s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer) && s.Spec.ExternalTrafficPolicy == "" {
		s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	}
	for i := range s.Spec.Ports {
		p := &s.Spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = corev1.ProtocolTCP
		}
		if p.TargetPort == (intstr.IntOrString{}) {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if o, ok := old.(*corev1.Service); ok {
		if s.Spec.ClusterIP == "" {
			s.Spec.ClusterIP = o.Spec.ClusterIP
			s.Spec.ClusterIPs = o.Spec.ClusterIPs
		}
		for i := range s.Spec.Ports {
			if s.Spec.Ports[i].NodePort == 0 && i < len(o.Spec.Ports) {
				s.Spec.Ports[i].NodePort = o.Spec.Ports[i].NodePort
			}
		}
	}
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		return
	}
	if s.Spec.ClusterIP == "" {
		if ip, err := r.allocateClusterIP(); err == nil {
			s.Spec.ClusterIP = ip
		}
	}
	if len(s.Spec.ClusterIPs) == 0 && s.Spec.ClusterIP != "" {
		s.Spec.ClusterIPs = []string{s.Spec.ClusterIP}
	}
	if s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		used := r.usedNodePorts()
		for i := range s.Spec.Ports {
			if s.Spec.Ports[i].NodePort == 0 {
				for {
					p := int32(nodePortMin + r.rand.IntN(nodePortMax-nodePortMin+1))
					if !used[p] {
						used[p] = true
						s.Spec.Ports[i].NodePort = p
						break
					}
				}
			}
		}
	}
}

func (r *Registry) services() []*corev1.Service {
	res := byGR[coreV1.WithResource("services").GroupResource()]
	objs, _, _ := r.List(res, "", ListOptions{})
	out := make([]*corev1.Service, len(objs))
	for i, o := range objs {
		out[i] = o.(*corev1.Service)
	}
	return out
}

func (r *Registry) usedNodePorts() map[int32]bool {
	used := map[int32]bool{}
	for _, s := range r.services() {
		for _, p := range s.Spec.Ports {
			if p.NodePort != 0 {
				used[p.NodePort] = true
			}
		}
	}
	return used
}

// allocateClusterIP picks a free address in ServiceCIDR (not the network
// address, not the broadcast one).
func (r *Registry) allocateClusterIP() (string, error) {
	used := map[string]bool{}
	for _, s := range r.services() {
		used[s.Spec.ClusterIP] = true
	}
	base := ServiceCIDR.Addr().As4()
	size := 1 << (32 - ServiceCIDR.Bits())
	start := 1 + r.rand.IntN(size-2)
	for i := 0; i < size-2; i++ {
		off := 1 + (start-1+i)%(size-2)
		n := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
		n += uint32(off)
		ip := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String()
		if !used[ip] {
			return ip, nil
		}
	}
	return "", fmt.Errorf("range is full")
}
