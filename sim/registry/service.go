package registry

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"kubesim/net/service"
)

// ServiceCIDR is kubeadm's default service subnet; the first address is the
// kubernetes service, the tenth kube-dns.
var ServiceCIDR = netip.MustParsePrefix("10.96.0.0/12")

const nodePortMin, nodePortMax = 30000, 32767

// defaultService applies the Service defaults; addresses and ports come
// from allocateService.
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
}

// allocate takes what an object reserves cluster-wide before it is
// validated and stored, as the service REST's BeginCreate/BeginUpdate do:
// a Service's ClusterIP and node ports. old is nil on create. An error is
// kube-apiserver's (a full range, a requested address taken or outside the
// range), and nothing is written.
func (r *Registry) allocate(obj, old runtime.Object) error {
	s, ok := obj.(*corev1.Service)
	if !ok || s.Spec.Type == corev1.ServiceTypeExternalName {
		return nil
	}
	// clusterIP and clusterIPs say the same (normalizeClusterIPs).
	if s.Spec.ClusterIP == "" && len(s.Spec.ClusterIPs) > 0 {
		s.Spec.ClusterIP = s.Spec.ClusterIPs[0]
	}
	if len(s.Spec.ClusterIPs) == 0 && s.Spec.ClusterIP != "" {
		s.Spec.ClusterIPs = []string{s.Spec.ClusterIP}
	}
	if err := r.allocateClusterIP(s, old); err != nil {
		return err
	}
	if len(s.Spec.ClusterIPs) == 0 && s.Spec.ClusterIP != "" {
		s.Spec.ClusterIPs = []string{s.Spec.ClusterIP}
	}
	if s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer {
		// Random picks from the cluster's seeded source, as the bitmap
		// allocator picks a random free offset.
		used := r.usedNodePorts()
		for i := range s.Spec.Ports {
			if s.Spec.Ports[i].NodePort != 0 {
				continue
			}
			if len(used) >= nodePortMax-nodePortMin+1 {
				return apierrors.NewInternalError(fmt.Errorf("failed to allocate a nodePort: %v", "range is full"))
			}
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
	return nil
}

// allocateClusterIP gives a Service that holds no address yet the one it
// asks for or the next one net/service's allocator picks, over the
// addresses every stored Service holds (the store is the allocator's only
// state, so a resumed cluster and a deleted Service need no bookkeeping).
func (r *Registry) allocateClusterIP(s *corev1.Service, old runtime.Object) error {
	if s.Spec.ClusterIP == corev1.ClusterIPNone {
		return nil
	}
	if o, ok := old.(*corev1.Service); ok && o.Spec.ClusterIP != "" {
		return nil // it keeps its address (validation refuses a change)
	}
	a, err := service.New(service.Config{CIDR: r.serviceCIDR.String()})
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	for _, o := range r.services() {
		if ip, err := netip.ParseAddr(o.Spec.ClusterIP); err == nil {
			a.Allocate(ip) // addresses outside the range are not the allocator's
		}
	}
	if s.Spec.ClusterIP == "" {
		ip, err := a.AllocateNext(r.rand)
		if err != nil {
			return apierrors.NewInternalError(fmt.Errorf("failed to allocate a serviceIP: %v", err))
		}
		s.Spec.ClusterIP = ip.String()
		return nil
	}
	ip, err := netip.ParseAddr(s.Spec.ClusterIP)
	if err != nil {
		return apierrors.NewInternalError(fmt.Errorf("failed to parse service IP %q", s.Spec.ClusterIP))
	}
	if err := a.Allocate(ip); err != nil {
		return apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, s.Name, field.ErrorList{
			invalidGo(field.NewPath("spec", "clusterIPs"), s.Spec.ClusterIPs, fmt.Sprintf("failed to allocate IP %v: %v", s.Spec.ClusterIP, err)),
		})
	}
	return nil
}

// invalidGo is field.Invalid as the apimachinery of the Kubernetes versions
// kubesim serves prints it: a compound value in Go syntax
// ([]string{"10.96.0.10"}), where the vendored apimachinery would print JSON.
func invalidGo(path *field.Path, value any, detail string) *field.Error {
	return field.Invalid(path, field.OmitValueType{}, fmt.Sprintf("%#v: %s", value, detail))
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
