package kubelet

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ContainerUsage is one container's usage over a window (the kubelet's
// resource metrics endpoint, /metrics/resource, as metrics-server scrapes it).
type ContainerUsage struct {
	Name     string
	MilliCPU int64
	Memory   int64
}

// PodUsage is a pod's containers' usage.
type PodUsage struct {
	Namespace, Name string
	Containers      []ContainerUsage
}

// Usage reports the usage over (from, to] of every pod whose containers
// have all been running since from or earlier (a container younger than
// the window has no rate yet, as metrics-server needs two scrapes), sorted
// by namespace and name. A container's CPU is capped at its limit, as the
// CFS quota caps it. A stopped kubelet reports nothing. Call it on the loop.
func (k *Kubelet) Usage(from, to time.Time) []PodUsage {
	if !k.running {
		return nil
	}
	var out []PodUsage
	for _, ps := range k.pods {
		if ps.killing || len(ps.ctrs) == 0 {
			continue
		}
		pu := PodUsage{Namespace: ps.ns, Name: ps.name}
		complete := true
		for _, c := range ps.ctrs {
			if c.running == nil || c.running.StartedAt.Time.After(from) || c.id == "" {
				complete = false
				break
			}
			u, ok := k.cfg.Runtime.Usage(c.id, from, to)
			if !ok {
				complete = false
				break
			}
			if lim, ok := c.spec.Resources.Limits[corev1.ResourceCPU]; ok && !lim.IsZero() && u.MilliCPU > lim.MilliValue() {
				u.MilliCPU = lim.MilliValue()
			}
			pu.Containers = append(pu.Containers, ContainerUsage{Name: c.spec.Name, MilliCPU: u.MilliCPU, Memory: u.Memory})
		}
		if complete {
			out = append(out, pu)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}
