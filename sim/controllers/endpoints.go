package controllers

import (
	"net/netip"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/store"
)

const (
	triggerTimeAnnotation = corev1.EndpointsLastChangeTriggerTime // endpoints.kubernetes.io/last-change-trigger-time
	headlessLabel         = corev1.IsHeadlessService              // service.kubernetes.io/headless
	apiserverPort         = 6443
)

// initServiceController builds the skeleton the endpoints and
// endpointslice controllers share: keys are services; pod changes relist
// their namespace's selector services; a node change queues
// default/kubernetes (it follows the control plane's IP). own handles the
// controller's own resource's events.
func initServiceController(c *controller[*corev1.Service], b *base, name string, sync func(string, time.Time) bool, ownRes string, own func(ev store.Event, res, ns, name string)) {
	*c = newController[*corev1.Service](b, name, b.services, sync)
	c.relistIf = func(s *corev1.Service) bool { return len(s.Spec.Selector) > 0 }
	c.onEventFor = resources("pods", "nodes", ownRes)
	c.onEvent = func(ev store.Event, res, ns, name string) {
		switch res {
		case "pods":
			c.relistNS(ns)
		case "nodes":
			c.queue.add(nsKey(metav1.NamespaceDefault, "kubernetes"))
		default:
			own(ev, res, ns, name)
		}
	}
}

// endpointPod is one pod's contribution to a service.
type endpointPod struct {
	pod         *corev1.Pod
	ready       bool // in addresses (Endpoints) / conditions.ready (slices)
	serving     bool
	terminating bool
}

// selectPods returns the pods behind a service, sorted by IP then name.
func (b *base) selectPods(svc *corev1.Service) []endpointPod {
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	var out []endpointPod
	for _, p := range b.podsIn(svc.Namespace) {
		if p.Status.PodIP == "" || !sel.Matches(labels.Set(p.Labels)) {
			continue
		}
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			continue
		}
		ready := isPodReady(p)
		out = append(out, endpointPod{pod: p, ready: (ready || svc.Spec.PublishNotReadyAddresses) && p.DeletionTimestamp == nil,
			serving: ready || svc.Spec.PublishNotReadyAddresses, terminating: p.DeletionTimestamp != nil})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := netip.ParseAddr(out[i].pod.Status.PodIP)
		b, _ := netip.ParseAddr(out[j].pod.Status.PodIP)
		if c := a.Compare(b); c != 0 {
			return c < 0
		}
		return out[i].pod.Name < out[j].pod.Name
	})
	return out
}

// findPort resolves a service port's targetPort on a pod (podutil.FindPort).
func findPort(p *corev1.Pod, sp *corev1.ServicePort) (int32, bool) {
	tp := sp.TargetPort
	switch {
	case tp.Type == intstr.String && tp.StrVal != "":
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == tp.StrVal && cp.Protocol == sp.Protocol {
					return cp.ContainerPort, true
				}
			}
		}
		return 0, false
	case tp.Type == intstr.Int && tp.IntVal != 0:
		return tp.IntVal, true
	}
	return sp.Port, true
}

// triggerTime is the latest change among the service and its pods' Ready
// transitions (the endpoints trigger-time tracker, simplified).
func triggerTime(svc *corev1.Service, pods []endpointPod) metav1.Time {
	t := svc.CreationTimestamp
	for _, ep := range pods {
		if c := podReadyCondition(ep.pod); c != nil && c.LastTransitionTime.After(t.Time) {
			t = c.LastTransitionTime
		}
		if ep.pod.CreationTimestamp.After(t.Time) {
			t = ep.pod.CreationTimestamp
		}
	}
	return t
}

func serviceLabels(svc *corev1.Service) map[string]string {
	l := copyMap(svc.Labels)
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		if l == nil {
			l = map[string]string{}
		}
		l[headlessLabel] = ""
	} else {
		delete(l, headlessLabel)
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

// controlPlaneIP is the InternalIP of the control-plane node.
func (b *base) controlPlaneIP() string {
	for _, n := range list[*corev1.Node](b, b.nodes, "") {
		if _, ok := n.Labels["node-role.kubernetes.io/control-plane"]; !ok {
			continue
		}
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				return a.Address
			}
		}
	}
	return ""
}

// endpointsController maintains an Endpoints object for every Service with
// a selector (upstream pkg/controller/endpoint), and the endpoints of the
// default/kubernetes service (kube-apiserver's reconciler) from the
// control-plane node's InternalIP on port 6443. Subsets group addresses by
// port set; addresses are sorted by IP, ports by name and number.
type endpointsController struct {
	controller[*corev1.Service]
}

func newEndpoints(b *base) *endpointsController {
	c := &endpointsController{}
	initServiceController(&c.controller, b, "endpoint", c.syncEndpoints, "endpoints", func(_ store.Event, res, ns, name string) {
		if res == "endpoints" {
			c.queue.add(nsKey(ns, name))
		}
	})
	return c
}

func (c *endpointsController) syncEndpoints(key string, _ time.Time) bool {
	ns, name := splitNS(key)
	svc, ok := get[*corev1.Service](c.base, c.services, ns, name)
	cur, have := get[*corev1.Endpoints](c.base, c.endpoints, ns, name)
	if !ok {
		if have && len(cur.OwnerReferences) == 0 && cur.Labels[discoveryv1.LabelSkipMirror] != "true" {
			_, err := c.Registry.Delete(c.endpoints, ns, name, nil)
			return err == nil
		}
		return false
	}
	var want corev1.Endpoints
	switch {
	case ns == metav1.NamespaceDefault && name == "kubernetes":
		ip := c.controlPlaneIP()
		if ip == "" {
			return false
		}
		want.Labels = map[string]string{discoveryv1.LabelSkipMirror: "true"}
		want.Subsets = []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: ip}},
			Ports:     []corev1.EndpointPort{{Name: "https", Port: apiserverPort, Protocol: corev1.ProtocolTCP}},
		}}
	case len(svc.Spec.Selector) == 0:
		return false
	default:
		pods := c.selectPods(svc)
		want.Labels = serviceLabels(svc)
		want.Subsets = endpointSubsets(svc, pods)
		if !have || !equality.Semantic.DeepEqual(cur.Subsets, want.Subsets) {
			want.Annotations = map[string]string{triggerTimeAnnotation: triggerTime(svc, pods).UTC().Format(time.RFC3339Nano)}
		} else if v, ok := cur.Annotations[triggerTimeAnnotation]; ok {
			want.Annotations = map[string]string{triggerTimeAnnotation: v}
		}
	}
	if !have {
		ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: want.Labels, Annotations: want.Annotations}, Subsets: want.Subsets}
		_, err := c.Registry.Create(c.endpoints, ns, ep, false)
		return err == nil
	}
	if equality.Semantic.DeepEqual(cur.Subsets, want.Subsets) && equality.Semantic.DeepEqual(cur.Labels, want.Labels) &&
		equality.Semantic.DeepEqual(cur.Annotations, want.Annotations) {
		return false
	}
	cp := cur.DeepCopy()
	cp.Subsets, cp.Labels, cp.Annotations = want.Subsets, want.Labels, want.Annotations
	cp.ResourceVersion = ""
	_, err := c.Registry.Update(c.endpoints, ns, cp, "")
	return err == nil
}

// endpointSubsets builds the subsets, one per distinct port set.
func endpointSubsets(svc *corev1.Service, pods []endpointPod) []corev1.EndpointSubset {
	type group struct {
		ports    []corev1.EndpointPort
		ready    []corev1.EndpointAddress
		notReady []corev1.EndpointAddress
	}
	var groups []*group
	find := func(ports []corev1.EndpointPort) *group {
		for _, g := range groups {
			if equality.Semantic.DeepEqual(g.ports, ports) {
				return g
			}
		}
		g := &group{ports: ports}
		groups = append(groups, g)
		return g
	}
	for _, ep := range pods {
		if ep.terminating && !svc.Spec.PublishNotReadyAddresses {
			continue
		}
		p := ep.pod
		var ports []corev1.EndpointPort
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			n, ok := findPort(p, sp)
			if !ok {
				continue
			}
			ports = append(ports, corev1.EndpointPort{Name: sp.Name, Port: n, Protocol: sp.Protocol, AppProtocol: sp.AppProtocol})
		}
		sort.Slice(ports, func(i, j int) bool {
			if ports[i].Name != ports[j].Name {
				return ports[i].Name < ports[j].Name
			}
			return ports[i].Port < ports[j].Port
		})
		addr := corev1.EndpointAddress{IP: p.Status.PodIP, NodeName: ptrTo(p.Spec.NodeName),
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
		if p.Spec.NodeName == "" {
			addr.NodeName = nil
		}
		if p.Spec.Hostname != "" && p.Spec.Subdomain == svc.Name {
			addr.Hostname = p.Spec.Hostname
		}
		g := find(ports)
		if ep.ready {
			g.ready = append(g.ready, addr)
		} else {
			g.notReady = append(g.notReady, addr)
		}
	}
	var out []corev1.EndpointSubset
	for _, g := range groups {
		out = append(out, corev1.EndpointSubset{Addresses: g.ready, NotReadyAddresses: g.notReady, Ports: g.ports})
	}
	return out
}
