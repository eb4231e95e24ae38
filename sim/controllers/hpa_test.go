package controllers

import (
	"strings"
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

var hpaNow = time.Date(2023, 4, 20, 12, 0, 0, 0, time.UTC)

// hpaPod is a running pod requesting 200m CPU, started and ready long ago
// (or at started, ready since readySince).
func hpaPod(name string, started, readySince time.Time, phase corev1.PodPhase) *corev1.Pod {
	st := metav1.NewTime(started)
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}}}}},
		Status: corev1.PodStatus{Phase: phase, StartTime: &st, Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(readySince)}}}}
}

func cpuMetric(name, cpu string) metricsv1beta1.PodMetrics {
	return metricsv1beta1.PodMetrics{ObjectMeta: metav1.ObjectMeta{Name: name}, Timestamp: metav1.NewTime(hpaNow.Add(-5 * time.Second)), Window: metav1.Duration{Duration: 15 * time.Second},
		Containers: []metricsv1beta1.ContainerMetrics{{Name: "c", Usage: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}
}

func TestResourceReplicas(t *testing.T) {
	old := hpaNow.Add(-time.Hour)
	running := func(names ...string) []*corev1.Pod {
		var out []*corev1.Pod
		for _, n := range names {
			out = append(out, hpaPod(n, old, old, corev1.PodRunning))
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		current int32
		pods    []*corev1.Pod
		metrics []metricsv1beta1.PodMetrics
		want    int32
		util    int32
		err     string
	}{
		{name: "the walkthrough: one pod at its 500m limit", current: 1, pods: running("a"), metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "500m")}, want: 5, util: 250},
		{name: "within the tolerance", current: 2, pods: running("a", "b"), metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "105m"), cpuMetric("b", "105m")}, want: 2, util: 52},
		{name: "idle scales down", current: 4, pods: running("a", "b", "c", "d"), metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "1m"), cpuMetric("b", "1m"), cpuMetric("c", "1m"), cpuMetric("d", "1m")}, want: 0, util: 0}, // min replicas apply later
		// A pod without metrics counts as using its request when the others
		// would scale down, so the scale-down is damped: (2m + 200m)/400m.
		{name: "missing pod damps a scale-down", current: 2, pods: running("a", "b"), metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "2m")}, want: 2, util: 1},
		// An unready pod counts as idle when the others would scale up.
		{name: "unready pod on scale-up", current: 2, pods: append(running("a"), hpaPod("b", hpaNow.Add(-10*time.Second), hpaNow, corev1.PodRunning)),
			metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "400m"), cpuMetric("b", "400m")}, want: 4, util: 200},
		{name: "pending pods are ignored", current: 2, pods: append(running("a"), hpaPod("b", old, old, corev1.PodPending)), metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "300m")}, want: 3, util: 150},
		{name: "no metrics", current: 1, pods: running("a"), err: "unable to get metrics for resource cpu: no metrics returned from resource metrics API"},
		{name: "only unready pods", current: 1, pods: []*corev1.Pod{hpaPod("a", hpaNow.Add(-time.Minute), hpaNow, corev1.PodRunning)}, metrics: []metricsv1beta1.PodMetrics{cpuMetric("a", "1")},
			err: "did not receive metrics for targeted pods (pods might be unready)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, util, _, err := resourceReplicas(tt.current, 50, corev1.ResourceCPU, tt.pods, tt.metrics, hpaNow)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil || n != tt.want || util != tt.util {
				t.Errorf("got %d replicas at %d%% (%v), want %d at %d%%", n, util, err, tt.want, tt.util)
			}
		})
	}
}

func TestHPANormalize(t *testing.T) {
	c := &hpaController{recommendations: map[string][]timedRecommendation{}, scaleUpEvents: map[string][]scaleEvent{}, scaleDownEvents: map[string][]scaleEvent{}}
	h := &autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 10}}
	mnow := metav1.NewTime(hpaNow)
	cond := func(typ autoscalingv2.HorizontalPodAutoscalerConditionType) string {
		for _, c := range h.Status.Conditions {
			if c.Type == typ {
				return string(c.Status) + " " + c.Reason
			}
		}
		return ""
	}
	steps := []struct {
		at              time.Duration
		current, wanted int32
		want            int32
		able, limited   string
	}{
		{0, 1, 9, 4, "True ReadyForNewScale", "True ScaleUpLimit"}, // at most max(2×1, 4)
		// The highest recommendation of the last 5 minutes wins, whichever
		// way the replicas go (upstream's stabilizeRecommendation).
		{15 * time.Second, 4, 7, 8, "True ScaleDownStabilized", "True ScaleUpLimit"},
		{30 * time.Second, 8, 2, 9, "True ScaleDownStabilized", "False DesiredWithinRange"},
		{5*time.Minute + 16*time.Second, 9, 2, 2, "True ReadyForNewScale", "False DesiredWithinRange"},
		{5*time.Minute + 31*time.Second, 2, 0, 2, "True ScaleDownStabilized", "False DesiredWithinRange"},
		{11 * time.Minute, 2, 0, 1, "True ReadyForNewScale", "True TooFewReplicas"},
		{12 * time.Minute, 1, 20, 4, "True ReadyForNewScale", "True ScaleUpLimit"},
		{12*time.Minute + 15*time.Second, 4, 20, 8, "True ReadyForNewScale", "True ScaleUpLimit"},
		{12*time.Minute + 30*time.Second, 8, 20, 10, "True ReadyForNewScale", "True TooManyReplicas"},
	}
	for _, s := range steps {
		got := c.normalize(h, "k", s.current, s.wanted, 1, hpaNow.Add(s.at), mnow)
		if got != s.want || cond(autoscalingv2.AbleToScale) != s.able || cond(autoscalingv2.ScalingLimited) != s.limited {
			t.Errorf("at %v, %d wanting %d: got %d (%s; %s), want %d (%s; %s)", s.at, s.current, s.wanted, got,
				cond(autoscalingv2.AbleToScale), cond(autoscalingv2.ScalingLimited), s.want, s.able, s.limited)
		}
	}
}

func TestHPABehavior(t *testing.T) {
	c := &hpaController{recommendations: map[string][]timedRecommendation{}, scaleUpEvents: map[string][]scaleEvent{}, scaleDownEvents: map[string][]scaleEvent{}}
	one := int32(60)
	max := autoscalingv2.MaxChangePolicySelect
	h := &autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 100, Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: new(int32), SelectPolicy: &max, Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 15}, {Type: autoscalingv2.PercentScalingPolicy, Value: 100, PeriodSeconds: 15}}},
		ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: &one, SelectPolicy: &max, Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 60}}},
	}}}
	mnow := metav1.NewTime(hpaNow)
	run := func(at time.Duration, current, wanted int32) (int32, string) {
		got := c.normalizeWithBehaviors(h, "k", current, wanted, 1, hpaNow.Add(at), mnow)
		if got != current {
			c.storeScaleEvent(h.Spec.Behavior, "k", current, got, hpaNow.Add(at))
		}
		var limited string
		for _, cd := range h.Status.Conditions {
			if cd.Type == autoscalingv2.ScalingLimited {
				limited = cd.Reason
			}
		}
		return got, limited
	}
	for _, s := range []struct {
		at              time.Duration
		current, wanted int32
		want            int32
		reason          string
	}{
		{0, 2, 30, 6, "ScaleUpLimit"},                  // max(2+4, 2×2)
		{5 * time.Second, 6, 30, 6, "ScaleUpLimit"},    // the period's events: it started at 2
		{16 * time.Second, 6, 30, 12, "ScaleUpLimit"},  // a new period: 100%
		{2 * time.Minute, 12, 3, 11, "ScaleDownLimit"}, // one pod a minute
		{2*time.Minute + 30*time.Second, 11, 3, 11, "ScaleDownLimit"},
		{3*time.Minute + 1*time.Second, 11, 3, 10, "ScaleDownLimit"},
	} {
		got, reason := run(s.at, s.current, s.wanted)
		if got != s.want || reason != s.reason {
			t.Errorf("at %v, %d wanting %d: got %d (%s), want %d (%s)", s.at, s.current, s.wanted, got, reason, s.want, s.reason)
		}
	}
}

func TestHPAConditionMessages(t *testing.T) {
	h := &autoscalingv2.HorizontalPodAutoscaler{}
	t0, t1 := metav1.NewTime(hpaNow), metav1.NewTime(hpaNow.Add(time.Minute))
	setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale", "m1", t0)
	setCondition(h, autoscalingv2.ScalingActive, corev1.ConditionFalse, "FailedGetResourceMetric", "m2", t0)
	setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale", "m3", t1)
	setCondition(h, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound", "m4", t1)
	var got []string
	for _, c := range h.Status.Conditions {
		got = append(got, strings.Join([]string{string(c.Type), c.Reason, c.LastTransitionTime.Format(time.TimeOnly)}, " "))
	}
	want := []string{"AbleToScale ReadyForNewScale 12:00:00", "ScalingActive ValidMetricFound 12:01:00"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("conditions %v, want %v", got, want)
	}
}
