package sim

import (
	corev1 "k8s.io/api/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/metrics"
	"kubesim/sim/registry"
)

// Metrics is what metrics-server serves now (package sim/metrics): the
// last scrape of every node's kubelet. Call it on the loop (inside Do).
func (c *Cluster) Metrics() ([]metricsv1beta1.NodeMetrics, []metricsv1beta1.PodMetrics) {
	from, to := metrics.Window(c.Clock.Now())
	nodeObjs, _, _ := c.Registry.List(c.res("", "nodes"), "", registry.ListOptions{})
	var nodes []metrics.Node
	for _, o := range nodeObjs {
		n := o.(*corev1.Node)
		k := c.kubelets[n.Name]
		if k == nil || !k.Running() {
			continue
		}
		nodes = append(nodes, metrics.Node{Node: n, Pods: k.Usage(from, to)})
	}
	podObjs, _, _ := c.Registry.List(c.res("", "pods"), "", registry.ListOptions{})
	pods := make(map[string]*corev1.Pod, len(podObjs))
	for _, o := range podObjs {
		p := o.(*corev1.Pod)
		pods[p.Namespace+"/"+p.Name] = p
	}
	return metrics.Scrape(nodes, pods, to)
}

// namespacePodMetrics is the scrape's pods of one namespace (the HPA
// controller's metrics client).
func (c *Cluster) namespacePodMetrics(ns string) []metricsv1beta1.PodMetrics {
	_, pods := c.Metrics()
	var out []metricsv1beta1.PodMetrics
	for _, p := range pods {
		if p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out
}
