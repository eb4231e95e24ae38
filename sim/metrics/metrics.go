package metrics

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/kubelet"
)

// Resolution is how often metrics-server scrapes the kubelets
// (--metric-resolution, 15s by default since metrics-server 0.6).
const Resolution = 15 * time.Second

// System is what a node's own processes use besides its pods (the OS,
// the kubelet and the container runtime) [guess: a kubeadm VM's node
// cgroup minus its pods, on the order of 50 millicores and 600 MiB].
var System = kubelet.ContainerUsage{MilliCPU: 50, Memory: 600 << 20}

// Window returns the last scrape's window at now: (from, to].
func Window(now time.Time) (from, to time.Time) {
	to = now.Truncate(Resolution)
	return to.Add(-Resolution), to
}

// Node is one node's report to a scrape.
type Node struct {
	Node *corev1.Node
	Pods []kubelet.PodUsage
}

// Scrape builds what metrics-server serves from the nodes' reports for the
// window ending at to. pods maps namespace/name to the stored pod (for its
// labels); a reported pod that is not stored is left out.
func Scrape(nodes []Node, pods map[string]*corev1.Pod, to time.Time) ([]metricsv1beta1.NodeMetrics, []metricsv1beta1.PodMetrics) {
	ts := metav1.NewTime(to)
	window := metav1.Duration{Duration: Resolution}
	var nms []metricsv1beta1.NodeMetrics
	var pms []metricsv1beta1.PodMetrics
	for _, n := range nodes {
		cpu, mem := System.MilliCPU, System.Memory
		for _, pu := range n.Pods {
			p := pods[pu.Namespace+"/"+pu.Name]
			if p == nil {
				continue
			}
			pm := metricsv1beta1.PodMetrics{
				ObjectMeta: metav1.ObjectMeta{Name: pu.Name, Namespace: pu.Namespace, Labels: p.Labels, CreationTimestamp: ts},
				Timestamp:  ts, Window: window,
			}
			for _, c := range pu.Containers {
				cpu += c.MilliCPU
				mem += c.Memory
				pm.Containers = append(pm.Containers, metricsv1beta1.ContainerMetrics{Name: c.Name, Usage: usage(c.MilliCPU, c.Memory)})
			}
			pms = append(pms, pm)
		}
		nms = append(nms, metricsv1beta1.NodeMetrics{
			ObjectMeta: metav1.ObjectMeta{Name: n.Node.Name, Labels: n.Node.Labels, CreationTimestamp: ts},
			Timestamp:  ts, Window: window, Usage: usage(cpu, mem),
		})
	}
	sort.Slice(pms, func(i, j int) bool {
		if pms[i].Namespace != pms[j].Namespace {
			return pms[i].Namespace < pms[j].Namespace
		}
		return pms[i].Name < pms[j].Name
	})
	return nms, pms
}

// usage is a ResourceList as metrics-server writes it: CPU in nanocores,
// memory in Ki (both canonicalised by Quantity).
func usage(milliCPU, mem int64) corev1.ResourceList {
	return corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewScaledQuantity(milliCPU*1e6, resource.Nano),
		corev1.ResourceMemory: *resource.NewQuantity(mem/1024*1024, resource.BinarySI),
	}
}

// PodCPU is a pod's CPU in millicores, the sum of its containers'.
func PodCPU(pm *metricsv1beta1.PodMetrics) int64 {
	var sum int64
	for _, c := range pm.Containers {
		q := c.Usage[corev1.ResourceCPU]
		sum += q.MilliValue()
	}
	return sum
}
