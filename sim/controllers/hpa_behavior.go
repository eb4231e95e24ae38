package controllers

import (
	"math"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// spec.behavior (horizontal.go normalizeDesiredReplicasWithBehaviors,
// stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate):
// the recommendation is held between the lowest of the scale-up window and
// the highest of the scale-down window, then limited by the rate policies
// over the scale events of each policy's period.

func (c *hpaController) normalizeWithBehaviors(h *autoscalingv2.HorizontalPodAutoscaler, key string, current, desired, minReplicas int32, now time.Time, mnow metav1.Time) int32 {
	b := h.Spec.Behavior
	up, down := b.ScaleUp, b.ScaleDown
	if up == nil {
		up = &autoscalingv2.HPAScalingRules{}
	}
	if down == nil {
		down = &autoscalingv2.HPAScalingRules{}
	}
	downWindow := int32(hpaDownscaleWindow / time.Second)
	if down.StabilizationWindowSeconds != nil {
		downWindow = *down.StabilizationWindowSeconds
	}
	var upWindow int32
	if up.StabilizationWindowSeconds != nil {
		upWindow = *up.StabilizationWindowSeconds
	}
	upCut, downCut := now.Add(-time.Duration(upWindow)*time.Second), now.Add(-time.Duration(downWindow)*time.Second)
	upRec, downRec := desired, desired
	old := -1
	for i, rec := range c.recommendations[key] {
		if rec.at.After(upCut) {
			upRec = min(rec.replicas, upRec)
		}
		if rec.at.After(downCut) {
			downRec = max(rec.replicas, downRec)
		}
		if rec.at.Before(upCut) && rec.at.Before(downCut) {
			old = i
		}
	}
	stabilized := current
	if stabilized < upRec {
		stabilized = upRec
	}
	if stabilized > downRec {
		stabilized = downRec
	}
	if old >= 0 {
		c.recommendations[key][old] = timedRecommendation{desired, now}
	} else {
		c.recommendations[key] = append(c.recommendations[key], timedRecommendation{desired, now})
	}
	if stabilized != desired {
		if desired >= current {
			setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation", mnow)
		} else {
			setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation", mnow)
		}
	} else {
		setCondition(h, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale", "recommended size matches current size", mnow)
	}
	out, reason, msg := stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
	switch {
	case stabilized > current:
		limit := max(c.scaleLimit(key, current, up, now, true), current)
		maxAllowed, r, m := h.Spec.MaxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
		if maxAllowed > limit {
			maxAllowed, r, m = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
		}
		if stabilized > maxAllowed {
			out, reason, msg = maxAllowed, r, m
		}
	case stabilized < current:
		limit := min(c.scaleLimit(key, current, down, now, false), current)
		minAllowed, r, m := minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
		if minAllowed < limit {
			minAllowed, r, m = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
		}
		if stabilized < minAllowed {
			out, reason, msg = minAllowed, r, m
		}
	}
	status := corev1.ConditionTrue
	if out == stabilized {
		status = corev1.ConditionFalse
	}
	setCondition(h, autoscalingv2.ScalingLimited, status, reason, msg, mnow)
	return out
}

// changeInPeriod sums the scale events of the last periodSeconds.
func changeInPeriod(periodSeconds int32, events []scaleEvent, now time.Time) int32 {
	cut := now.Add(-time.Duration(periodSeconds) * time.Second)
	var n int32
	for _, e := range events {
		if e.at.After(cut) {
			n += e.change
		}
	}
	return n
}

// scaleLimit is calculateScaleUpLimitWithScalingRules (up) and
// calculateScaleDownLimitWithBehaviors (!up): each policy proposes a
// count from the replicas at the start of its period, and the select
// policy keeps the largest change (Max) or the smallest (Min).
func (c *hpaController) scaleLimit(key string, current int32, rules *autoscalingv2.HPAScalingRules, now time.Time, up bool) int32 {
	sel := autoscalingv2.MaxChangePolicySelect
	if rules.SelectPolicy != nil {
		sel = *rules.SelectPolicy
	}
	if sel == autoscalingv2.DisabledPolicySelect {
		return current
	}
	// The largest change is the highest count going up, the lowest going down.
	highest := up == (sel == autoscalingv2.MaxChangePolicySelect)
	result, pick := int32(math.MaxInt32), func(a, b int32) int32 { return min(a, b) }
	if highest {
		result, pick = math.MinInt32, func(a, b int32) int32 { return max(a, b) }
	}
	for _, p := range rules.Policies {
		start := current - changeInPeriod(p.PeriodSeconds, c.scaleUpEvents[key], now) + changeInPeriod(p.PeriodSeconds, c.scaleDownEvents[key], now)
		var proposed int32
		switch {
		case p.Type == autoscalingv2.PodsScalingPolicy && up:
			proposed = start + p.Value
		case p.Type == autoscalingv2.PodsScalingPolicy:
			proposed = start - p.Value
		case up:
			proposed = int32(math.Ceil(float64(start) * (1 + float64(p.Value)/100)))
		default:
			proposed = int32(float64(start) * (1 - float64(p.Value)/100))
		}
		result = pick(result, proposed)
	}
	return result
}

// storeScaleEvent is storeScaleEvent: with a behaviour, each rescale is
// kept (reusing an entry older than the longest policy period).
func (c *hpaController) storeScaleEvent(b *autoscalingv2.HorizontalPodAutoscalerBehavior, key string, prev, next int32, now time.Time) {
	if b == nil {
		return
	}
	events, rules, change := c.scaleUpEvents, b.ScaleUp, next-prev
	if next < prev {
		events, rules, change = c.scaleDownEvents, b.ScaleDown, prev-next
	}
	var longest int32
	if rules != nil {
		for _, p := range rules.Policies {
			longest = max(longest, p.PeriodSeconds)
		}
	}
	cut := now.Add(-time.Duration(longest) * time.Second)
	list := events[key]
	for i := range list {
		if list[i].at.Before(cut) {
			list[i].outdated = true
		}
	}
	for i := range list {
		if list[i].outdated {
			list[i] = scaleEvent{change: change, at: now}
			return
		}
	}
	events[key] = append(list, scaleEvent{change: change, at: now})
}
