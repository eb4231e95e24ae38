package controllers

import (
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
)

// TestScaleLimitSelect: the select policy keeps the largest change (Max),
// the smallest (Min) or none (Disabled), in both directions, as
// upstream's calculateScaleUpLimitWithScalingRules and
// calculateScaleDownLimitWithBehaviors.
func TestScaleLimitSelect(t *testing.T) {
	c := &hpaController{scaleUpEvents: map[string][]scaleEvent{}, scaleDownEvents: map[string][]scaleEvent{}}
	now := time.Unix(1e9, 0)
	rules := func(sel autoscalingv2.ScalingPolicySelect, pct int32) *autoscalingv2.HPAScalingRules {
		return &autoscalingv2.HPAScalingRules{SelectPolicy: &sel, Policies: []autoscalingv2.HPAScalingPolicy{
			{Type: autoscalingv2.PodsScalingPolicy, Value: 4, PeriodSeconds: 60},
			{Type: autoscalingv2.PercentScalingPolicy, Value: pct, PeriodSeconds: 60}}}
	}
	for _, tc := range []struct {
		name string
		sel  autoscalingv2.ScalingPolicySelect
		pct  int32
		up   bool
		want int32
	}{
		{"up Max", autoscalingv2.MaxChangePolicySelect, 100, true, 20},
		{"up Min", autoscalingv2.MinChangePolicySelect, 100, true, 14},
		{"up Disabled", autoscalingv2.DisabledPolicySelect, 100, true, 10},
		{"down Max", autoscalingv2.MaxChangePolicySelect, 50, false, 5},
		{"down Min", autoscalingv2.MinChangePolicySelect, 50, false, 6},
		{"down Disabled", autoscalingv2.DisabledPolicySelect, 50, false, 10},
	} {
		if got := c.scaleLimit("ns/h", 10, rules(tc.sel, tc.pct), now, tc.up); got != tc.want {
			t.Errorf("%s: limit %d, want %d", tc.name, got, tc.want)
		}
	}
}
