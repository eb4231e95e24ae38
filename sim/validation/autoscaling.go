package validation

import (
	"fmt"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidateHorizontalPodAutoscaler is pkg/apis/autoscaling/validation's
// ValidateHorizontalPodAutoscaler for the stored autoscaling/v2 object:
// the target reference, the replica bounds (minReplicas at least 1, as
// without HPAScaleToZero), each metric's type and source, the targets, and
// the behaviour's rules.
func ValidateHorizontalPodAutoscaler(h *autoscalingv2.HorizontalPodAutoscaler) field.ErrorList {
	errs := validateObjectMeta(&h.ObjectMeta, true, subdomainName)
	spec := field.NewPath("spec")
	if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas < 1 {
		errs = append(errs, field.Invalid(spec.Child("minReplicas"), *h.Spec.MinReplicas, "must be greater than or equal to 1"))
	}
	if h.Spec.MaxReplicas < 1 {
		errs = append(errs, field.Invalid(spec.Child("maxReplicas"), h.Spec.MaxReplicas, "must be greater than 0"))
	}
	if h.Spec.MinReplicas != nil && h.Spec.MaxReplicas < *h.Spec.MinReplicas {
		errs = append(errs, field.Invalid(spec.Child("maxReplicas"), h.Spec.MaxReplicas, "must be greater than or equal to `minReplicas`"))
	}
	ref := spec.Child("scaleTargetRef")
	if h.Spec.ScaleTargetRef.Kind == "" {
		errs = append(errs, field.Required(ref.Child("kind"), ""))
	}
	if h.Spec.ScaleTargetRef.Name == "" {
		errs = append(errs, field.Required(ref.Child("name"), ""))
	}
	for i, m := range h.Spec.Metrics {
		errs = append(errs, validateMetricSpec(m, spec.Child("metrics").Index(i))...)
	}
	if b := h.Spec.Behavior; b != nil {
		errs = append(errs, validateScalingRules(b.ScaleUp, spec.Child("behavior", "scaleUp"))...)
		errs = append(errs, validateScalingRules(b.ScaleDown, spec.Child("behavior", "scaleDown"))...)
	}
	return errs
}

var metricSourceTypes = []string{"ContainerResource", "External", "Object", "Pods", "Resource"}

func validateMetricSpec(m autoscalingv2.MetricSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.Type == "" {
		errs = append(errs, field.Required(p.Child("type"), "must specify a metric source type"))
	}
	present := map[string]bool{"object": m.Object != nil, "pods": m.Pods != nil, "resource": m.Resource != nil, "external": m.External != nil, "containerResource": m.ContainerResource != nil}
	want := map[autoscalingv2.MetricSourceType]string{autoscalingv2.ObjectMetricSourceType: "object", autoscalingv2.PodsMetricSourceType: "pods",
		autoscalingv2.ResourceMetricSourceType: "resource", autoscalingv2.ExternalMetricSourceType: "external", autoscalingv2.ContainerResourceMetricSourceType: "containerResource"}
	name, known := want[m.Type]
	if !known {
		errs = append(errs, field.NotSupported(p.Child("type"), m.Type, metricSourceTypes))
	} else if !present[name] {
		errs = append(errs, field.Required(p.Child(name), "must populate information for the given metric source"))
	}
	for _, typ := range []string{"object", "external", "pods", "resource", "containerResource"} {
		if present[typ] && known && typ != name {
			errs = append(errs, field.Forbidden(p.Child(typ), "must populate the given metric source only"))
		}
	}
	if m.Resource != nil && name == "resource" {
		r := p.Child("resource")
		if m.Resource.Name == "" {
			errs = append(errs, field.Required(r.Child("name"), "must specify a resource name"))
		}
		errs = append(errs, validateMetricTarget(m.Resource.Target, r.Child("target"))...)
		if m.Resource.Target.AverageUtilization == nil && m.Resource.Target.AverageValue == nil {
			errs = append(errs, field.Required(r.Child("target", "averageUtilization"), "must set either a target raw value or a target utilization"))
		}
		if m.Resource.Target.AverageUtilization != nil && m.Resource.Target.AverageValue != nil {
			errs = append(errs, field.Forbidden(r.Child("target", "averageValue"), "may not set both a target raw value and a target utilization"))
		}
	}
	return errs
}

func validateMetricTarget(t autoscalingv2.MetricTarget, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if t.Type == "" {
		errs = append(errs, field.Required(p.Child("type"), "must specify a metric target type"))
	}
	if t.Type != autoscalingv2.UtilizationMetricType && t.Type != autoscalingv2.ValueMetricType && t.Type != autoscalingv2.AverageValueMetricType {
		errs = append(errs, field.Invalid(p.Child("type"), t.Type, "must be either Utilization, Value, or AverageValue"))
	}
	if t.Value != nil && t.Value.Sign() != 1 {
		errs = append(errs, field.Invalid(p.Child("value"), t.Value, "must be positive"))
	}
	if t.AverageValue != nil && t.AverageValue.Sign() != 1 {
		errs = append(errs, field.Invalid(p.Child("averageValue"), t.AverageValue, "must be positive"))
	}
	if t.AverageUtilization != nil && *t.AverageUtilization < 1 {
		errs = append(errs, field.Invalid(p.Child("averageUtilization"), t.AverageUtilization, "must be greater than 0"))
	}
	return errs
}

// maxStabilizationWindow is MaxStabilizationWindowSeconds (one hour);
// maxPolicyPeriod is MaxPeriodSeconds (30 minutes).
const (
	maxStabilizationWindow = 3600
	maxPolicyPeriod        = 1800
)

func validateScalingRules(r *autoscalingv2.HPAScalingRules, p *field.Path) field.ErrorList {
	if r == nil {
		return nil
	}
	var errs field.ErrorList
	if w := r.StabilizationWindowSeconds; w != nil {
		if *w < 0 {
			errs = append(errs, field.Invalid(p.Child("stabilizationWindowSeconds"), r.StabilizationWindowSeconds, "must be greater than or equal to zero"))
		} else if *w > maxStabilizationWindow {
			errs = append(errs, field.Invalid(p.Child("stabilizationWindowSeconds"), r.StabilizationWindowSeconds, fmt.Sprintf("must be less than or equal to %v", maxStabilizationWindow)))
		}
	}
	if s := r.SelectPolicy; s != nil && *s != autoscalingv2.MaxChangePolicySelect && *s != autoscalingv2.MinChangePolicySelect && *s != autoscalingv2.DisabledPolicySelect {
		errs = append(errs, field.NotSupported(p.Child("selectPolicy"), r.SelectPolicy, []string{"Disabled", "Max", "Min"}))
	}
	pp := p.Child("policies")
	if len(r.Policies) == 0 {
		errs = append(errs, field.Required(pp, "must specify at least one Policy"))
	}
	for i, pol := range r.Policies {
		ip := pp.Index(i)
		if pol.Type != autoscalingv2.PodsScalingPolicy && pol.Type != autoscalingv2.PercentScalingPolicy {
			errs = append(errs, field.NotSupported(ip.Child("type"), pol.Type, []string{"Percent", "Pods"}))
		}
		if pol.Value <= 0 {
			errs = append(errs, field.Invalid(ip.Child("value"), pol.Value, "must be greater than zero"))
		}
		if pol.PeriodSeconds <= 0 {
			errs = append(errs, field.Invalid(ip.Child("periodSeconds"), pol.PeriodSeconds, "must be greater than zero"))
		} else if pol.PeriodSeconds > maxPolicyPeriod {
			errs = append(errs, field.Invalid(ip.Child("periodSeconds"), pol.PeriodSeconds, fmt.Sprintf("must be less than or equal to %v", maxPolicyPeriod)))
		}
	}
	return errs
}
