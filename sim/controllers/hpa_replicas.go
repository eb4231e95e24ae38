package controllers

import (
	"errors"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/podutil"
)

// The replica calculator of pkg/controller/podautoscaler
// (replica_calculator.go GetResourceReplicas, groupPods,
// GetResourceUtilizationRatio) for Resource utilization targets, with
// kube-controller-manager's defaults.
const (
	hpaTolerance             = 0.1              // --horizontal-pod-autoscaler-tolerance
	hpaSyncPeriod            = 15 * time.Second // --horizontal-pod-autoscaler-sync-period
	hpaDownscaleWindow       = 5 * time.Minute  // --horizontal-pod-autoscaler-downscale-stabilization
	hpaCPUInitPeriod         = 5 * time.Minute  // --horizontal-pod-autoscaler-cpu-initialization-period
	hpaInitialReadinessDelay = 30 * time.Second // --horizontal-pod-autoscaler-initial-readiness-delay
)

type podMetric struct {
	milli     int64
	timestamp time.Time
	window    time.Duration
}

// resourceReplicas is GetResourceReplicas: the replica count that brings the
// pods' average utilization of resource (percent of request) to target,
// the utilization now and the raw average usage (millis).
func resourceReplicas(current int32, target int32, res corev1.ResourceName, pods []*corev1.Pod, ms []metricsv1beta1.PodMetrics, now time.Time) (int32, int32, int64, error) {
	if len(ms) == 0 {
		return 0, 0, 0, fmt.Errorf("unable to get metrics for resource %s: no metrics returned from resource metrics API", res)
	}
	metrics := map[string]podMetric{}
	for i := range ms {
		var sum int64
		for _, c := range ms[i].Containers {
			q := c.Usage[res]
			sum += q.MilliValue()
		}
		metrics[ms[i].Name] = podMetric{milli: sum, timestamp: ms[i].Timestamp.Time, window: ms[i].Window.Duration}
	}
	if len(pods) == 0 {
		return 0, 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	ready, unready, missing, ignored := groupPods(pods, metrics, res, now)
	for n := range ignored {
		delete(metrics, n)
	}
	for n := range unready {
		delete(metrics, n)
	}
	if len(metrics) == 0 {
		return 0, 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	requests := map[string]int64{}
	for _, p := range pods {
		var sum int64
		for _, c := range p.Spec.Containers {
			q, ok := c.Resources.Requests[res]
			if !ok {
				return 0, 0, 0, fmt.Errorf("missing request for %s in container %s of Pod %s", res, c.Name, p.Name)
			}
			sum += q.MilliValue()
		}
		requests[p.Name] = sum
	}
	ratio, util, raw, err := utilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, 0, 0, err
	}
	scaleUpWithUnready := len(unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(missing) == 0 {
		if math.Abs(1.0-ratio) <= hpaTolerance {
			return current, util, raw, nil
		}
		return int32(math.Ceil(ratio * float64(ready))), util, raw, nil
	}
	if len(missing) > 0 {
		if ratio < 1.0 {
			fallback := int64(max(100, target))
			for n := range missing {
				metrics[n] = podMetric{milli: requests[n] * fallback / 100}
			}
		} else if ratio > 1.0 {
			for n := range missing {
				metrics[n] = podMetric{}
			}
		}
	}
	if scaleUpWithUnready {
		for n := range unready {
			metrics[n] = podMetric{}
		}
	}
	newRatio, _, _, err := utilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, 0, 0, err
	}
	if math.Abs(1.0-newRatio) <= hpaTolerance || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0) {
		return current, util, raw, nil
	}
	n := int32(math.Ceil(newRatio * float64(len(metrics))))
	if (newRatio < 1.0 && n > current) || (newRatio > 1.0 && n < current) {
		return current, util, raw, nil
	}
	return n, util, raw, nil
}

// utilizationRatio is metricsclient.GetResourceUtilizationRatio.
func utilizationRatio(metrics map[string]podMetric, requests map[string]int64, target int32) (float64, int32, int64, error) {
	var total, reqTotal int64
	n := 0
	for name, m := range metrics {
		req, ok := requests[name]
		if !ok {
			continue
		}
		total += m.milli
		reqTotal += req
		n++
	}
	if reqTotal == 0 {
		return 0, 0, 0, errors.New("no metrics returned matched known pods")
	}
	util := int32(total * 100 / reqTotal)
	return float64(util) / float64(target), util, total / int64(n), nil
}

type nameSet map[string]bool

// groupPods sorts the target's pods: ready with a metric, unready (CPU in
// its initialization period, or never ready), missing a metric, ignored
// (deleted, failed or pending).
func groupPods(pods []*corev1.Pod, metrics map[string]podMetric, res corev1.ResourceName, now time.Time) (ready int, unready, missing, ignored nameSet) {
	unready, missing, ignored = nameSet{}, nameSet{}, nameSet{}
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodPending {
			ignored[p.Name] = true
			continue
		}
		m, ok := metrics[p.Name]
		if !ok {
			missing[p.Name] = true
			continue
		}
		if res == corev1.ResourceCPU {
			_, cond := podutil.GetPodCondition(&p.Status, corev1.PodReady)
			var bad bool
			switch {
			case cond == nil || p.Status.StartTime == nil:
				bad = true
			case p.Status.StartTime.Add(hpaCPUInitPeriod).After(now):
				bad = cond.Status == corev1.ConditionFalse || m.timestamp.Before(cond.LastTransitionTime.Add(m.window))
			default:
				bad = cond.Status == corev1.ConditionFalse && p.Status.StartTime.Add(hpaInitialReadinessDelay).After(cond.LastTransitionTime.Time)
			}
			if bad {
				unready[p.Name] = true
				continue
			}
		}
		ready++
	}
	return ready, unready, missing, ignored
}
