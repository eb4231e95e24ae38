package controllers

import (
	"fmt"
	"math"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"kubesim/sim/registry"
)

// hpaController is the horizontal-pod-autoscaler controller (upstream
// pkg/controller/podautoscaler/horizontal.go): every 15 s each
// HorizontalPodAutoscaler reads its target's scale, computes the replicas
// its metrics ask for (the replica calculator, hpa_replicas.go: tolerance
// 0.1, unready and missing pods), stabilizes the recommendation (the
// highest of the last 5 minutes for scale-down; with spec.behavior its
// windows and rate policies), clamps it to min/max and the scale-up limit,
// writes the target's scale, and records SuccessfulRescale events and the
// AbleToScale, ScalingActive and ScalingLimited conditions with upstream's
// reasons and messages.
//
// Metrics come from the cluster's metrics-server (Context.PodMetrics).
// Resource metrics (cpu, memory) with Utilization or AverageValue targets
// are computed; Pods, Object, External and ContainerResource metrics are
// reported invalid (no custom or external metrics API is served).
type hpaController struct {
	controller[*autoscalingv2.HorizontalPodAutoscaler]
	hpas            *registry.Resource
	recommendations map[string][]timedRecommendation
	scaleUpEvents   map[string][]scaleEvent
	scaleDownEvents map[string][]scaleEvent
}

type timedRecommendation struct {
	replicas int32
	at       time.Time
}

type scaleEvent struct {
	change   int32
	at       time.Time
	outdated bool
}

const hpaComponent = "horizontal-pod-autoscaler"

func newHorizontalPodAutoscaler(b *base) *hpaController {
	c := &hpaController{hpas: mustLookup(autoscalingv2.SchemeGroupVersion.WithResource("horizontalpodautoscalers")),
		recommendations: map[string][]timedRecommendation{}, scaleUpEvents: map[string][]scaleEvent{}, scaleDownEvents: map[string][]scaleEvent{}}
	c.controller = newController[*autoscalingv2.HorizontalPodAutoscaler](b, "horizontalpodautoscaling", c.hpas, c.syncHPA)
	c.component = hpaComponent
	return c
}

// setCondition is setConditionInList: the transition time moves only when
// the status changes; a new condition goes last.
func setCondition(h *autoscalingv2.HorizontalPodAutoscaler, typ autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus, reason, msg string, now metav1.Time) {
	var cond *autoscalingv2.HorizontalPodAutoscalerCondition
	for i := range h.Status.Conditions {
		if h.Status.Conditions[i].Type == typ {
			cond = &h.Status.Conditions[i]
			break
		}
	}
	if cond == nil {
		h.Status.Conditions = append(h.Status.Conditions, autoscalingv2.HorizontalPodAutoscalerCondition{Type: typ})
		cond = &h.Status.Conditions[len(h.Status.Conditions)-1]
	}
	if cond.Status != status {
		cond.LastTransitionTime = now
	}
	cond.Status, cond.Reason, cond.Message = status, reason, msg
}

func (c *hpaController) syncHPA(key string, now time.Time) bool {
	stored, ok := c.live(key)
	if !ok {
		delete(c.recommendations, key)
		delete(c.scaleUpEvents, key)
		delete(c.scaleDownEvents, key)
		return false
	}
	c.requeueAt(key, now.Add(hpaSyncPeriod))
	h := stored.DeepCopy()
	mnow := c.metaNow()
	wrote := false
	ref := h.Spec.ScaleTargetRef
	gv, _ := schema.ParseGroupVersion(ref.APIVersion)
	target, found := registry.LookupKind(schema.GroupKind{Group: gv.Group, Kind: ref.Kind})
	var scale struct {
		replicas int32
		selector string
	}
	var err error
	if !found {
		err = fmt.Errorf("no matches for kind %q in group %q", ref.Kind, gv.Group)
	} else if sc, e := c.Registry.GetScale(target, h.Namespace, ref.Name); e != nil {
		err = e
	} else {
		scale.replicas, scale.selector = sc.Spec.Replicas, sc.Status.Selector
	}
	if err != nil {
		c.record(h, corev1.EventTypeWarning, "FailedGetScale", err.Error())
		setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale", fmt.Sprintf("the HPA controller was unable to get the target's current scale: %v", err), mnow)
		return c.writeStatus(stored, h) || true
	}
	setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale", "the HPA controller was able to get the target's current scale", mnow)
	current := scale.replicas
	minReplicas := int32(1)
	if h.Spec.MinReplicas != nil {
		minReplicas = *h.Spec.MinReplicas
	}
	var desired int32
	var reason string
	var statuses []autoscalingv2.MetricStatus
	rescale := true
	switch {
	case current == 0 && minReplicas != 0:
		desired, rescale = 0, false
		setCondition(h, autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero", mnow)
	case current > h.Spec.MaxReplicas:
		reason, desired = "Current number of replicas above Spec.MaxReplicas", h.Spec.MaxReplicas
	case current < minReplicas:
		reason, desired = "Current number of replicas below Spec.MinReplicas", minReplicas
	default:
		proposal, metricName, sts, cerr := c.replicasForMetrics(h, current, scale.selector, now, mnow)
		statuses = sts
		if cerr != nil && proposal == -1 {
			h.Status.CurrentReplicas, h.Status.CurrentMetrics = current, statuses
			if c.writeStatus(stored, h) {
				wrote = true
			}
			c.record(h, corev1.EventTypeWarning, "FailedComputeMetricsReplicas", cerr.Error())
			return true
		}
		if proposal > desired {
			desired = proposal
		}
		if desired > current {
			reason = metricName + " above target"
		}
		if desired < current {
			reason = "All metrics below target"
		}
		if h.Spec.Behavior == nil {
			desired = c.normalize(h, key, current, desired, minReplicas, now, mnow)
		} else {
			desired = c.normalizeWithBehaviors(h, key, current, desired, minReplicas, now, mnow)
		}
		rescale = desired != current
	}
	if rescale {
		if _, err := c.Registry.SetScale(target, h.Namespace, ref.Name, desired, false); err != nil {
			c.record(h, corev1.EventTypeWarning, "FailedRescale", fmt.Sprintf("New size: %d; reason: %s; error: %v", desired, reason, err))
			setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedUpdateScale", fmt.Sprintf("the HPA controller was unable to update the target scale: %v", err), mnow)
			h.Status.CurrentReplicas, h.Status.CurrentMetrics = current, statuses
			c.writeStatus(stored, h)
			return true
		}
		wrote = true
		setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale", fmt.Sprintf("the HPA controller was able to update the target scale to %d", desired), mnow)
		c.record(h, corev1.EventTypeNormal, "SuccessfulRescale", fmt.Sprintf("New size: %d; reason: %s", desired, reason))
		c.storeScaleEvent(h.Spec.Behavior, key, current, desired, now)
	} else {
		desired = current
	}
	h.Status.ObservedGeneration = ptrTo(h.Generation)
	h.Status.CurrentReplicas, h.Status.DesiredReplicas, h.Status.CurrentMetrics = current, desired, statuses
	if rescale {
		t := mnow
		h.Status.LastScaleTime = &t
	}
	if c.writeStatus(stored, h) {
		wrote = true
	}
	return wrote
}

// writeStatus writes h's status when it differs from the stored one.
func (c *hpaController) writeStatus(stored, h *autoscalingv2.HorizontalPodAutoscaler) bool {
	if equality.Semantic.DeepEqual(stored.Status, h.Status) {
		return false
	}
	return c.update(c.hpas, h, "status")
}

// replicasForMetrics is computeReplicasForMetrics: the largest proposal of
// the valid metrics; -1 and an error when every metric is invalid, or some
// are and the others would scale down.
func (c *hpaController) replicasForMetrics(h *autoscalingv2.HorizontalPodAutoscaler, current int32, selector string, now time.Time, mnow metav1.Time) (int32, string, []autoscalingv2.MetricStatus, error) {
	statuses := make([]autoscalingv2.MetricStatus, len(h.Spec.Metrics))
	var replicas int32
	var metric string
	invalid := 0
	var firstErr error
	var firstCond *autoscalingv2.HorizontalPodAutoscalerCondition
	for i, spec := range h.Spec.Metrics {
		n, name, cond, err := c.replicasForMetric(h, spec, current, selector, &statuses[i], now)
		if err != nil {
			if invalid == 0 {
				firstErr, firstCond = err, cond
			}
			invalid++
			continue
		}
		if replicas == 0 || n > replicas {
			replicas, metric = n, name
		}
	}
	if invalid >= len(h.Spec.Metrics) || (invalid > 0 && replicas < current) {
		if firstCond != nil {
			setCondition(h, firstCond.Type, firstCond.Status, firstCond.Reason, firstCond.Message, mnow)
		}
		return -1, "", statuses, fmt.Errorf("invalid metrics (%v invalid out of %v), first error is: %v", invalid, len(h.Spec.Metrics), firstErr)
	}
	setCondition(h, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from "+metric, mnow)
	return replicas, metric, statuses, nil
}

// replicasForMetric is computeReplicasForMetric for one metric spec.
func (c *hpaController) replicasForMetric(h *autoscalingv2.HorizontalPodAutoscaler, spec autoscalingv2.MetricSpec, current int32, selector string, st *autoscalingv2.MetricStatus, now time.Time) (int32, string, *autoscalingv2.HorizontalPodAutoscalerCondition, error) {
	unable := func(reason string, err error) *autoscalingv2.HorizontalPodAutoscalerCondition {
		c.record(h, corev1.EventTypeWarning, reason, err.Error())
		return &autoscalingv2.HorizontalPodAutoscalerCondition{Type: autoscalingv2.ScalingActive, Status: corev1.ConditionFalse, Reason: reason,
			Message: fmt.Sprintf("the HPA was unable to compute the replica count: %v", err)}
	}
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType:
		if spec.Resource == nil {
			err := fmt.Errorf("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
			return 0, "", unable("FailedGetResourceMetric", err), fmt.Errorf("failed to get %s resource metric value: %v", "", err)
		}
		n, name, err := c.resourceMetric(h, spec.Resource, current, selector, st, now)
		if err != nil {
			return 0, "", unable("FailedGetResourceMetric", err), fmt.Errorf("failed to get %s resource metric value: %v", spec.Resource.Name, err)
		}
		return n, name, nil, nil
	case autoscalingv2.PodsMetricSourceType:
		err := fmt.Errorf("unable to get metric %s: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered", spec.Pods.Metric.Name)
		return 0, "", unable("FailedGetPodsMetric", err), fmt.Errorf("failed to get pods metric value: %v", err)
	case autoscalingv2.ObjectMetricSourceType:
		err := fmt.Errorf("unable to get metric %s: %s on %s %s/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered", spec.Object.Metric.Name, spec.Object.DescribedObject.Kind, h.Namespace, spec.Object.DescribedObject.Name)
		return 0, "", unable("FailedGetObjectMetric", err), fmt.Errorf("failed to get object metric value: %v", err)
	case autoscalingv2.ExternalMetricSourceType:
		err := fmt.Errorf("unable to get external metric %s/%s/%v: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered", h.Namespace, spec.External.Metric.Name, spec.External.Metric.Selector)
		return 0, "", unable("FailedGetExternalMetric", err), fmt.Errorf("failed to get external metric value: %v", err)
	case autoscalingv2.ContainerResourceMetricSourceType:
		err := fmt.Errorf("failed to get %s utilization: container resource metrics are not modelled", spec.ContainerResource.Name)
		return 0, "", unable("FailedGetContainerResourceMetric", err), fmt.Errorf("failed to get %s container metric value: %v", spec.ContainerResource.Name, err)
	}
	err := fmt.Errorf("unknown metric source type %q", string(spec.Type))
	return 0, "", unable("InvalidMetricSourceType", err), err
}

// resourceMetric is computeStatusForResourceMetricGeneric for a pod
// resource metric (Utilization or AverageValue).
func (c *hpaController) resourceMetric(h *autoscalingv2.HorizontalPodAutoscaler, src *autoscalingv2.ResourceMetricSource, current int32, selector string, st *autoscalingv2.MetricStatus, now time.Time) (int32, string, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return 0, "", err
	}
	var pods []*corev1.Pod
	for _, p := range c.podsIn(h.Namespace) {
		if sel.Matches(labels.Set(p.Labels)) {
			pods = append(pods, p)
		}
	}
	var ms = c.podMetrics(h.Namespace, sel)
	if src.Target.AverageValue != nil {
		n, usage, err := averageValueReplicas(current, src.Target.AverageValue.MilliValue(), src.Name, pods, ms, now)
		if err != nil {
			return 0, "", fmt.Errorf("failed to get %s usage: %v", src.Name, err)
		}
		*st = autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
			Name: src.Name, Current: autoscalingv2.MetricValueStatus{AverageValue: resource.NewMilliQuantity(usage, resource.DecimalSI)}}}
		return n, fmt.Sprintf("%s resource", src.Name), nil
	}
	if src.Target.AverageUtilization == nil {
		return 0, "", fmt.Errorf("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
	}
	n, util, raw, err := resourceReplicas(current, *src.Target.AverageUtilization, src.Name, pods, ms, now)
	if err != nil {
		return 0, "", fmt.Errorf("failed to get %s utilization: %v", src.Name, err)
	}
	*st = autoscalingv2.MetricStatus{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
		Name: src.Name, Current: autoscalingv2.MetricValueStatus{AverageUtilization: &util, AverageValue: resource.NewMilliQuantity(raw, resource.DecimalSI)}}}
	return n, fmt.Sprintf("%s resource utilization (percentage of request)", src.Name), nil
}

// averageValueReplicas is GetRawResourceReplicas: the usage per pod against
// an average value target.
func averageValueReplicas(current int32, target int64, res corev1.ResourceName, pods []*corev1.Pod, ms []metricsv1beta1.PodMetrics, now time.Time) (int32, int64, error) {
	if len(ms) == 0 {
		return 0, 0, fmt.Errorf("unable to get metrics for resource %s: no metrics returned from resource metrics API", res)
	}
	var total int64
	for i := range ms {
		for _, ct := range ms[i].Containers {
			q := ct.Usage[res]
			total += q.MilliValue()
		}
	}
	usage := total / int64(len(ms))
	ratio := float64(usage) / float64(target)
	if math.Abs(1.0-ratio) <= hpaTolerance {
		return current, usage, nil
	}
	return int32(math.Ceil(float64(total) / float64(target))), usage, nil
}

// normalize is normalizeDesiredReplicas (no spec.behavior): the highest
// recommendation of the downscale stabilization window, then the min/max
// and scale-up limits.
func (c *hpaController) normalize(h *autoscalingv2.HorizontalPodAutoscaler, key string, current, desired, minReplicas int32, now time.Time, mnow metav1.Time) int32 {
	stabilized := desired
	cutoff := now.Add(-hpaDownscaleWindow)
	old := -1
	for i, rec := range c.recommendations[key] {
		if rec.at.Before(cutoff) {
			old = i
		} else if rec.replicas > stabilized {
			stabilized = rec.replicas
		}
	}
	if old >= 0 {
		c.recommendations[key][old] = timedRecommendation{desired, now}
	} else {
		c.recommendations[key] = append(c.recommendations[key], timedRecommendation{desired, now})
	}
	if stabilized != desired {
		setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation", mnow)
	} else {
		setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale", "recommended size matches current size", mnow)
	}
	out, reason, msg := convertWithRules(current, stabilized, minReplicas, h.Spec.MaxReplicas)
	status := corev1.ConditionTrue
	if out == stabilized {
		status = corev1.ConditionFalse
	}
	setCondition(h, autoscalingv2.ScalingLimited, status, reason, msg, mnow)
	return out
}

// convertWithRules is convertDesiredReplicasWithRules: at most twice the
// current replicas (4 at least) per sync, within min and max.
func convertWithRules(current, desired, minReplicas, maxReplicas int32) (int32, string, string) {
	scaleUpLimit := int32(math.Max(2*float64(current), 4))
	maxAllowed, reason, msg := maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
	if maxReplicas > scaleUpLimit {
		maxAllowed, reason, msg = scaleUpLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
	}
	if desired < minReplicas {
		return minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
	}
	if desired > maxAllowed {
		return maxAllowed, reason, msg
	}
	return desired, "DesiredWithinRange", "the desired count is within the acceptable range"
}

// podMetrics returns the namespace's pod metrics matching sel.
func (c *hpaController) podMetrics(ns string, sel labels.Selector) []metricsv1beta1.PodMetrics {
	if c.PodMetrics == nil {
		return nil
	}
	var out []metricsv1beta1.PodMetrics
	for _, m := range c.PodMetrics(ns) {
		if sel.Matches(labels.Set(m.Labels)) {
			out = append(out, m)
		}
	}
	return out
}
