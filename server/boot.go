package server

import (
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// bootLead is how long before the wall clock a new cluster's clock starts
// when Config.Wait asks for the boot to be played out: the boot (static
// pods, node registration, kube-proxy, flannel, CoreDNS) takes about 5 s
// of cluster time, so when Start returns the system pods are Running and
// read as a fresh kubeadm cluster's do, 20 to 30 seconds old.
const bootLead = 30 * time.Second

// bootLimit bounds how far past the wall clock the boot may be played
// when it has not finished within bootLead (a spec whose pods never run).
const bootLimit = 10 * time.Minute

// isNew reports whether dir holds no cluster yet.
func isNew(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "store.db"))
	return os.IsNotExist(err)
}

// playBoot moves a new cluster's clock, started bootLead before the wall
// clock, until every node is Ready and every system pod (all pods at boot:
// kube-system's, kube-flannel's) Running with its containers ready: to the wall clock if that is enough, past it in
// steps of a second (then the clock runs ahead, as after kubesim advance)
// until booted or bootLimit.
func (s *Served) playBoot(c *sim.Cluster) {
	c.AdvanceTo(s.Now())
	if c.Spec.Bare {
		return // bare machines: nothing boots until kubeadm runs
	}
	for deadline := c.Clock.Now().Add(bootLimit); !Booted(c) && c.Clock.Now().Before(deadline); {
		c.Advance(time.Second)
	}
}

// Booted reports whether every node is Ready and every pod Running with
// all its containers ready (kubesim start asks it of a new cluster, whose
// pods are the system's).
func Booted(c *sim.Cluster) bool {
	podRes, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	nodeRes, _ := registry.Lookup(schema.GroupResource{Resource: "nodes"})
	ok := true
	c.Locked(func() {
		nodes, _, _ := c.Registry.List(nodeRes, "", registry.ListOptions{})
		if len(nodes) < len(c.Spec.Nodes) {
			ok = false
			return
		}
		for _, o := range nodes {
			if !nodeReady(o.(*corev1.Node)) {
				ok = false
				return
			}
		}
		pods, _, _ := c.Registry.List(podRes, "", registry.ListOptions{})
		if len(pods) == 0 {
			ok = false
		}
		for _, o := range pods {
			if !podReady(o.(*corev1.Pod)) {
				ok = false
				return
			}
		}
	})
	return ok
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || len(p.Status.ContainerStatuses) == 0 {
		return false
	}
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			return false
		}
	}
	return true
}
