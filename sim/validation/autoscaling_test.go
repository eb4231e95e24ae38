package validation

import (
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidateHorizontalPodAutoscaler(t *testing.T) {
	zero, fifty := int32(0), int32(50)
	h := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}, Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
		ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{Kind: "Deployment"},
		MinReplicas:    &zero,
		Metrics: []autoscalingv2.MetricSpec{
			{Type: autoscalingv2.ResourceMetricSourceType},
			{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: "cpu", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &zero}},
				Pods: &autoscalingv2.PodsMetricSource{}},
			{Type: "Bogus"},
		},
		Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: &autoscalingv2.HPAScalingRules{}},
	}}
	var got []string
	for _, e := range ValidateHorizontalPodAutoscaler(h) {
		got = append(got, e.Error())
	}
	want := []string{
		"spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
		"spec.maxReplicas: Invalid value: 0: must be greater than 0",
		"spec.scaleTargetRef.name: Required value",
		"spec.metrics[0].resource: Required value: must populate information for the given metric source",
		"spec.metrics[1].pods: Forbidden: must populate the given metric source only",
		"spec.metrics[1].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
		`spec.metrics[2].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"`,
		"spec.behavior.scaleUp.policies: Required value: must specify at least one Policy",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h.Spec.MinReplicas, h.Spec.MaxReplicas, h.Spec.ScaleTargetRef.Name = nil, 3, "web"
	h.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{Name: "cpu", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: &fifty}}}}
	h.Spec.Behavior = nil
	if errs := ValidateHorizontalPodAutoscaler(h); len(errs) != 0 {
		t.Errorf("a valid HPA: %v", errs)
	}
}
