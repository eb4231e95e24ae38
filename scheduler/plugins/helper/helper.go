package helper

import (
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

// DefaultNormalizer gives a plugin that embeds it NormalizeScore and
// NormalizeScoreValues (NormalizeScorePlugin, BatchNormalizeScorePlugin)
// that scale its scores with DefaultNormalizeScore to [0, MaxNodeScore];
// Reverse: the lowest raw score gets the most.
type DefaultNormalizer struct{ Reverse bool }

// NormalizeScore scales scores to [0, MaxNodeScore].
func (n DefaultNormalizer) NormalizeScore(_ *framework.CycleState, _ *v1.Pod, scores []framework.NodeScore) *framework.Status {
	DefaultNormalizeScore(framework.MaxNodeScore, n.Reverse, scores)
	return nil
}

// NormalizeScoreValues is NormalizeScore over bare scores.
func (n DefaultNormalizer) NormalizeScoreValues(_ *framework.CycleState, _ *v1.Pod, scores []int64) *framework.Status {
	DefaultNormalizeScoreValues(framework.MaxNodeScore, n.Reverse, scores)
	return nil
}

// DefaultNormalizeScore scales scores so the highest becomes maxPriority
// (all stay 0 when the maximum is 0); reverse flips them (max - score).
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores []framework.NodeScore) {
	var maxCount int64
	for i := range scores {
		if scores[i].Score > maxCount {
			maxCount = scores[i].Score
		}
	}
	if maxCount == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return
	}
	for i := range scores {
		s := maxPriority * scores[i].Score / maxCount
		if reverse {
			s = maxPriority - s
		}
		scores[i].Score = s
	}
}

// DefaultNormalizeScoreValues is DefaultNormalizeScore over bare scores.
func DefaultNormalizeScoreValues(maxPriority int64, reverse bool, scores []int64) {
	// Four running maxima: one would chain every comparison on the last.
	var m0, m1, m2, m3 int64
	i := 0
	for ; i+4 <= len(scores); i += 4 {
		q := scores[i : i+4 : i+4]
		m0, m1, m2, m3 = max(m0, q[0]), max(m1, q[1]), max(m2, q[2]), max(m3, q[3])
	}
	for ; i < len(scores); i++ {
		m0 = max(m0, scores[i])
	}
	maxCount := max(m0, m1, m2, m3)
	if maxCount == 0 {
		if reverse {
			for i := range scores {
				scores[i] = maxPriority
			}
		}
		return
	}
	for i := range scores {
		s := maxPriority * scores[i] / maxCount
		if reverse {
			s = maxPriority - s
		}
		scores[i] = s
	}
}

// DefaultSelector merges the selectors of the services, ReplicationController,
// ReplicaSet or StatefulSet selecting pod, as upstream's helper.DefaultSelector.
func DefaultSelector(pod *v1.Pod, objs framework.ObjectLister) labels.Selector {
	set := labels.Set{}
	for _, s := range objs.ServicesSelecting(pod) {
		set = labels.Merge(set, s)
	}
	selector := set.AsSelector()
	owner := metav1.GetControllerOfNoCopy(pod)
	if owner == nil {
		return selector
	}
	gv := owner.APIVersion
	switch {
	case owner.Kind == "ReplicationController" && gv == "v1":
		if rc := objs.ReplicationController(pod.Namespace, owner.Name); rc != nil {
			set = labels.Merge(set, rc.Spec.Selector)
			selector = set.AsSelector()
		}
	case owner.Kind == "ReplicaSet" && gv == "apps/v1":
		if rs := objs.ReplicaSet(pod.Namespace, owner.Name); rs != nil {
			selector = addSelector(selector, rs.Spec.Selector)
		}
	case owner.Kind == "StatefulSet" && gv == "apps/v1":
		if ss := objs.StatefulSet(pod.Namespace, owner.Name); ss != nil {
			selector = addSelector(selector, ss.Spec.Selector)
		}
	}
	return selector
}

func addSelector(selector labels.Selector, ls *metav1.LabelSelector) labels.Selector {
	other, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return selector
	}
	if r, ok := other.Requirements(); ok {
		return selector.Add(r...)
	}
	return selector
}
