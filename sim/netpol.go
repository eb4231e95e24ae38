package sim

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"kubesim/net/policy"
	"kubesim/sim/store"
)

// policyAgent is the policy half of a Calico- or Cilium-like CNI: it hands
// net/policy the pods, namespaces and NetworkPolicies the store reports,
// and the engine judges the fabric's connections (fabric.SetAdmit). On a
// flannel-only cluster (ClusterSpec.NetworkPolicy "none") it is not built
// and NetworkPolicies are stored but change nothing.
type policyAgent struct{ e *policy.Engine }

func newPolicyAgent(c *Cluster) *policyAgent {
	a := &policyAgent{e: policy.New()}
	c.fabric.SetAdmit(a.e.FabricAdmit)
	return a
}

func (a *policyAgent) Name() string { return "network-policy" }

// Wants implements loop.Selective: pods, namespaces, NetworkPolicies.
func (a *policyAgent) Wants(res string) bool {
	return res == "pods" || res == "namespaces" || res == "networkpolicies"
}

func (a *policyAgent) Handle(ev store.Event) {
	del := ev.Type == store.Delete
	switch o := ev.KV.Obj.(type) {
	case *corev1.Pod:
		if del {
			a.e.OnPodDelete(o)
		} else {
			a.e.OnPod(o)
		}
	case *corev1.Namespace:
		if del {
			a.e.OnNamespaceDelete(o)
		} else {
			a.e.OnNamespace(o)
		}
	case *networkingv1.NetworkPolicy:
		if del {
			a.e.OnPolicyDelete(o)
		} else {
			a.e.OnPolicy(o)
		}
	}
}

// Run has nothing to do: the engine is current after each event.
func (a *policyAgent) Run(time.Time) bool { return false }
