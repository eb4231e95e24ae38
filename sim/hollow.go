package sim

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// hollowKubelet stands in for the kubelets of a hollow cluster
// (Options.Hollow), as KWOK's pod-delete stage does: a bound pod being
// deleted gracefully is removed at once, since no kubelet will confirm
// that its containers stopped. Without it, preemption victims and drained
// pods would stay Terminating forever.
type hollowKubelet struct {
	c      *Cluster
	podRes *registry.Resource
	gone   []*corev1.Pod // in revision order
}

func newHollowKubelet(c *Cluster) *hollowKubelet {
	return &hollowKubelet{c: c, podRes: c.res("", "pods")}
}

func (h *hollowKubelet) Name() string { return "hollow-kubelet" }

// Wants implements loop.Selective: pods only.
func (h *hollowKubelet) Wants(res string) bool { return res == "pods" }

func (h *hollowKubelet) Handle(ev store.Event) {
	if ev.Type != store.Put {
		return
	}
	if p, ok := ev.KV.Obj.(*corev1.Pod); ok && p.DeletionTimestamp != nil && p.Spec.NodeName != "" {
		h.gone = append(h.gone, p)
	}
}

func (h *hollowKubelet) Run(time.Time) bool {
	did := false
	for _, p := range h.gone {
		o, err := h.c.Registry.Get(h.podRes, p.Namespace, p.Name)
		if err != nil || o.(*corev1.Pod).UID != p.UID {
			continue
		}
		if _, err := h.c.Registry.Remove(h.podRes, p.Namespace, p.Name); err == nil {
			did = true
		}
	}
	clear(h.gone)
	h.gone = h.gone[:0]
	return did
}
