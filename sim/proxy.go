package sim

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/net/proxy"
	"kubesim/sim/store"
)

// kubeProxy hands net/proxy (kube-proxy) the Services and Endpoints the
// store reports, as kube-proxy's informers would, and lets it program the
// fabric when the loop runs it.
type kubeProxy struct{ p *proxy.Proxy }

func newKubeProxy(c *Cluster) *kubeProxy { return &kubeProxy{p: proxy.New(c.fabric)} }

func (k *kubeProxy) Name() string { return "kube-proxy" }

// Wants implements loop.Selective: Services and Endpoints.
func (k *kubeProxy) Wants(res string) bool { return res == "services" || res == "endpoints" }

func (k *kubeProxy) Handle(ev store.Event) {
	del := ev.Type == store.Delete
	switch o := ev.KV.Obj.(type) {
	case *corev1.Service:
		if del {
			k.p.OnServiceDelete(o.Namespace, o.Name)
		} else {
			k.p.OnService(o)
		}
	case *corev1.Endpoints:
		if del {
			k.p.OnEndpointsDelete(o.Namespace, o.Name)
		} else {
			k.p.OnEndpoints(o)
		}
	}
}

// Run reprograms the fabric for changed Services. It writes nothing to the
// store, so it always reports false.
func (k *kubeProxy) Run(time.Time) bool {
	k.p.Sync()
	return false
}
