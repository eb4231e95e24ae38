// Package metrics is kubesim's metrics-server: it turns what the kubelets
// report (kubelet.Usage: each container's CPU over a window and its working
// set) into the metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics that
// metrics-server serves, for kubectl top and the HorizontalPodAutoscaler.
//
// Scrapes happen on a grid of Resolution (metrics-server's
// --metric-resolution): a read at any time sees the last scrape, its
// timestamp the scrape's time and its window the scrape interval, so two
// reads between scrapes agree and nothing needs a timer. A pod shows once
// its containers have run for a whole window (metrics-server needs two
// scrapes to compute a rate). A node's usage is its pods' plus the system's
// (OS, kubelet, container runtime).
//
// What the usage is made of is the runtime's model (runtime/chain Usage):
// an image's idle figures, a busy loop or stress worker is a core, a
// served request costs its server CPU; capped at the container's CPU limit
// by the kubelet.
//
// It must not: read the wall clock or keep state between reads; it is a
// pure function of the kubelets' reports and the time it is given.
package metrics
