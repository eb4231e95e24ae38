package controllers

import (
	"net/netip"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/store"
)

const (
	sliceManagedBy       = "endpointslice-controller.k8s.io"
	maxEndpointsPerSlice = 100
)

var serviceKind = corev1.SchemeGroupVersion.WithKind("Service")

// endpointSliceController maintains the EndpointSlices of every Service
// with a selector (upstream pkg/controller/endpointslice): slices named
// <service>-<5 random characters>, labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by, owned by the Service, at most 100
// endpoints each, endpoints in IP order with ready/serving/terminating
// conditions. It also keeps the default/kubernetes slice (named
// "kubernetes", as kube-apiserver writes it) on the control plane's IP.
type endpointSliceController struct {
	controller[*corev1.Service]
}

func newEndpointSlice(b *base) *endpointSliceController {
	c := &endpointSliceController{}
	initServiceController(&c.controller, b, "endpointslice", c.syncSlices, "endpointslices", func(ev store.Event, res, ns, _ string) {
		if res != "endpointslices" {
			return
		}
		if s, ok := objOf(ev).(*discoveryv1.EndpointSlice); ok {
			if svc := s.Labels[discoveryv1.LabelServiceName]; svc != "" {
				c.queue.add(nsKey(ns, svc))
			}
		}
	})
	return c
}

func (c *endpointSliceController) slicesOf(ns, svc string) []*discoveryv1.EndpointSlice {
	var out []*discoveryv1.EndpointSlice
	for _, s := range list[*discoveryv1.EndpointSlice](c.base, c.slices, ns) {
		if s.Labels[discoveryv1.LabelServiceName] == svc {
			out = append(out, s)
		}
	}
	return out
}

func (c *endpointSliceController) syncSlices(key string, _ time.Time) bool {
	ns, name := splitNS(key)
	svc, ok := get[*corev1.Service](c.base, c.services, ns, name)
	existing := c.slicesOf(ns, name)
	if ns == metav1.NamespaceDefault && name == "kubernetes" {
		if ok {
			return c.syncKubernetes(existing)
		}
		return false
	}
	var managed []*discoveryv1.EndpointSlice
	for _, s := range existing {
		if s.Labels[discoveryv1.LabelManagedBy] == sliceManagedBy {
			managed = append(managed, s)
		}
	}
	if !ok || len(svc.Spec.Selector) == 0 {
		// The garbage collector removes slices of a deleted service; a
		// service that lost its selector loses its managed slices.
		wrote := false
		if ok {
			for _, s := range managed {
				if _, err := c.Registry.Delete(c.slices, ns, s.Name, nil); err == nil {
					wrote = true
				}
			}
		}
		return wrote
	}
	pods := c.selectPods(svc)
	var eps []discoveryv1.Endpoint
	var ports []discoveryv1.EndpointPort
	for _, ep := range pods {
		p := ep.pod
		if a, err := netip.ParseAddr(p.Status.PodIP); err != nil || !a.Is4() {
			continue
		}
		if ports == nil {
			for i := range svc.Spec.Ports {
				sp := &svc.Spec.Ports[i]
				n, ok := findPort(p, sp)
				if !ok {
					continue
				}
				ports = append(ports, discoveryv1.EndpointPort{Name: ptrTo(sp.Name), Port: ptrTo(n), Protocol: ptrTo(sp.Protocol), AppProtocol: sp.AppProtocol})
			}
		}
		e := discoveryv1.Endpoint{
			Addresses:  []string{p.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: ptrTo(ep.ready), Serving: ptrTo(ep.serving), Terminating: ptrTo(ep.terminating)},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
		}
		if p.Spec.NodeName != "" {
			e.NodeName = ptrTo(p.Spec.NodeName)
			if n, ok := get[*corev1.Node](c.base, c.nodes, "", p.Spec.NodeName); ok {
				if z, ok := n.Labels[corev1.LabelTopologyZone]; ok {
					e.Zone = ptrTo(z)
				}
			}
		}
		if p.Spec.Hostname != "" && p.Spec.Subdomain == svc.Name {
			e.Hostname = ptrTo(p.Spec.Hostname)
		}
		eps = append(eps, e)
	}
	if ports == nil {
		ports = []discoveryv1.EndpointPort{}
	}
	labels := serviceLabels(svc)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[discoveryv1.LabelServiceName] = svc.Name
	labels[discoveryv1.LabelManagedBy] = sliceManagedBy
	var chunks [][]discoveryv1.Endpoint
	for len(eps) > maxEndpointsPerSlice {
		chunks = append(chunks, eps[:maxEndpointsPerSlice])
		eps = eps[maxEndpointsPerSlice:]
	}
	chunks = append(chunks, eps)
	sort.Slice(managed, func(i, j int) bool {
		if managed[i].CreationTimestamp.Equal(&managed[j].CreationTimestamp) {
			return managed[i].Name < managed[j].Name
		}
		return managed[i].CreationTimestamp.Before(&managed[j].CreationTimestamp)
	})
	trigger := triggerTime(svc, pods).UTC().Format(time.RFC3339Nano)
	wrote := false
	for i, chunk := range chunks {
		if i < len(managed) {
			cur := managed[i]
			if equality.Semantic.DeepEqual(cur.Endpoints, chunk) && equality.Semantic.DeepEqual(cur.Ports, ports) && equality.Semantic.DeepEqual(cur.Labels, labels) {
				continue
			}
			cp := cur.DeepCopy()
			cp.Endpoints, cp.Ports, cp.Labels = chunk, ports, copyMap(labels)
			if cp.Annotations == nil {
				cp.Annotations = map[string]string{}
			}
			cp.Annotations[triggerTimeAnnotation] = trigger
			cp.ResourceVersion = ""
			if _, err := c.Registry.Update(c.slices, ns, cp, ""); err == nil {
				wrote = true
			}
			continue
		}
		s := &discoveryv1.EndpointSlice{
			ObjectMeta: metav1.ObjectMeta{
				GenerateName: svc.Name + "-", Namespace: ns, Labels: copyMap(labels),
				Annotations:     map[string]string{triggerTimeAnnotation: trigger},
				OwnerReferences: []metav1.OwnerReference{newControllerRef(svc, serviceKind)},
			},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   chunk,
			Ports:       ports,
		}
		if _, err := c.Registry.Create(c.slices, ns, s, false); err == nil {
			wrote = true
		}
	}
	for _, s := range managed[min(len(chunks), len(managed)):] {
		if _, err := c.Registry.Delete(c.slices, ns, s.Name, nil); err == nil {
			wrote = true
		}
	}
	return wrote
}

// syncKubernetes keeps the "kubernetes" slice kube-apiserver maintains.
func (c *endpointSliceController) syncKubernetes(existing []*discoveryv1.EndpointSlice) bool {
	ip := c.controlPlaneIP()
	if ip == "" {
		return false
	}
	want := discoveryv1.EndpointSlice{
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{ip}, Conditions: discoveryv1.EndpointConditions{Ready: ptrTo(true)}}},
		Ports:       []discoveryv1.EndpointPort{{Name: ptrTo("https"), Port: ptrTo(int32(apiserverPort)), Protocol: ptrTo(corev1.ProtocolTCP)}},
	}
	labels := map[string]string{discoveryv1.LabelServiceName: "kubernetes"}
	for _, s := range existing {
		if s.Name != "kubernetes" {
			continue
		}
		if equality.Semantic.DeepEqual(s.Endpoints, want.Endpoints) && equality.Semantic.DeepEqual(s.Ports, want.Ports) {
			return false
		}
		cp := s.DeepCopy()
		cp.Endpoints, cp.Ports, cp.ResourceVersion = want.Endpoints, want.Ports, ""
		_, err := c.Registry.Update(c.slices, metav1.NamespaceDefault, cp, "")
		return err == nil
	}
	want.ObjectMeta = metav1.ObjectMeta{Name: "kubernetes", Namespace: metav1.NamespaceDefault, Labels: labels}
	_, err := c.Registry.Create(c.slices, metav1.NamespaceDefault, &want, false)
	return err == nil
}
