package sim

import (
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/net/ingress"
	"kubesim/sim/events"
	"kubesim/sim/store"
)

// ingressController is ingress-nginx installed on the cluster (ClusterSpec
// Ingress "nginx"): the IngressClass nginx, and a controller listening on
// ports 80 and 443 of the first worker's address (one replica with
// hostPorts, as the bare-metal install), routing by net/ingress. It
// writes each of its Ingresses' status.loadBalancer (that node's IP) and
// the Sync event ingress-nginx records.
type ingressController struct {
	c     *Cluster
	ctl   *ingress.Controller
	addr  netip.Addr
	dirty map[string]bool // ns/name of Ingresses to sync
	seen  map[string]bool // Ingresses the Sync event was recorded for
}

// ingressClassName is the class the install creates.
const ingressClassName = "nginx"

func newIngressController(c *Cluster) *ingressController {
	ic := &ingressController{c: c, ctl: ingress.New(), dirty: map[string]bool{}, seen: map[string]bool{}}
	var node *NodeSpec
	for i := range c.Spec.Nodes {
		if c.Spec.Nodes[i].Role == "worker" {
			node = &c.Spec.Nodes[i]
			break
		}
	}
	if node == nil {
		node = c.Spec.ControlPlane()
	}
	if node != nil {
		if ip, err := netip.ParseAddr(node.IP); err == nil {
			ic.addr = ip
			c.fabric.Register(ip, 80, ic.ctl.Handler(c.fabric, ip))
			c.fabric.RegisterTLS(ip, 443, ic.ctl.Handler(c.fabric, ip))
		}
	}
	return ic
}

// bootstrapIngressClass is the IngressClass the ingress-nginx manifests
// create.
func (c *Cluster) bootstrapIngressClass() {
	c.mustCreate("networking.k8s.io", "ingressclasses", "", &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: ingressClassName, Labels: map[string]string{
			"app.kubernetes.io/component": "controller", "app.kubernetes.io/instance": "ingress-nginx",
			"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/part-of": "ingress-nginx"}},
		Spec: networkingv1.IngressClassSpec{Controller: ingress.ControllerName},
	})
}

func (ic *ingressController) Name() string { return "ingress-nginx" }

func (ic *ingressController) Handle(ev store.Event) {
	del := ev.Type == store.Delete
	switch o := ev.KV.Obj.(type) {
	case *networkingv1.Ingress:
		key := o.Namespace + "/" + o.Name
		if del {
			ic.ctl.SetIngress(o.Namespace, o.Name, nil)
			delete(ic.dirty, key)
			delete(ic.seen, key)
			return
		}
		ic.ctl.SetIngress(o.Namespace, o.Name, o)
		ic.dirty[key] = true
	case *networkingv1.IngressClass:
		if del {
			ic.ctl.SetClass(o.Name, nil)
		} else {
			ic.ctl.SetClass(o.Name, o)
		}
		for _, k := range ic.ctl.Owned() {
			ic.dirty[k] = true
		}
	case *corev1.Service:
		if del {
			ic.ctl.SetService(o.Namespace, o.Name, nil)
		} else {
			ic.ctl.SetService(o.Namespace, o.Name, o)
		}
	}
}

// Run records the Sync event for a new Ingress of the class and writes
// its status address.
func (ic *ingressController) Run(time.Time) bool {
	if len(ic.dirty) == 0 || !ic.addr.IsValid() {
		return false
	}
	owned := map[string]bool{}
	for _, k := range ic.ctl.Owned() {
		owned[k] = true
	}
	res := ic.c.res("networking.k8s.io", "ingresses")
	wrote := false
	for _, key := range slices.Sorted(maps.Keys(ic.dirty)) {
		delete(ic.dirty, key)
		if !owned[key] {
			continue
		}
		ns, name, _ := strings.Cut(key, "/")
		obj, err := ic.c.Registry.Get(res, ns, name)
		if err != nil {
			continue
		}
		ing := obj.(*networkingv1.Ingress)
		if !ic.seen[key] {
			ic.seen[key] = true
			ic.c.Recorder.Event(ing, "", events.Source{Component: "nginx-ingress-controller"}, corev1.EventTypeNormal, "Sync", "Scheduled for sync")
			wrote = true
		}
		want := ingress.Addresses([]string{ic.addr.String()})
		if reflect.DeepEqual(ing.Status.LoadBalancer.Ingress, want) {
			continue
		}
		up := ing.DeepCopy()
		up.Status.LoadBalancer.Ingress = want
		ic.c.as("nginx-ingress-controller", func() { _, err = ic.c.Registry.Update(res, ns, up, "status") })
		wrote = wrote || err == nil
	}
	return wrote
}
