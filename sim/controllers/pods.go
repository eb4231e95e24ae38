package controllers

import (
	"math"
	"strconv"
	"time"

	"kubesim/sim/podutil"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Helpers shared by the pod-creating controllers (upstream
// pkg/controller/controller_utils.go and pkg/api/v1/pod).

// podReadyCondition returns the pod's Ready condition, or nil.
func podReadyCondition(p *corev1.Pod) *corev1.PodCondition {
	_, c := podutil.GetPodCondition(&p.Status, corev1.PodReady)
	return c
}

var isPodReady = podutil.IsPodReady

// isPodAvailable: ready for at least minReadySeconds (strictly before now, as upstream).
func isPodAvailable(p *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	c := podReadyCondition(p)
	if c == nil || c.Status != corev1.ConditionTrue {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	d := time.Duration(minReadySeconds) * time.Second
	return !c.LastTransitionTime.IsZero() && c.LastTransitionTime.Add(d).Before(now)
}

// availableAt reports when a ready pod becomes available, if it is not yet.
func availableAt(p *corev1.Pod, minReadySeconds int32, now time.Time) (time.Time, bool) {
	c := podReadyCondition(p)
	if minReadySeconds == 0 || c == nil || c.Status != corev1.ConditionTrue || c.LastTransitionTime.IsZero() {
		return time.Time{}, false
	}
	at := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second)
	if at.Before(now) {
		return time.Time{}, false
	}
	// Available strictly after at; a millisecond later is the first check that sees it.
	return at.Add(time.Millisecond), true
}

// availability counts ready and available pods and finds when the next
// ready pod becomes available (the controller re-syncs then).
type availability struct {
	ready, available int32
	next             time.Time
}

func (a *availability) add(p *corev1.Pod, minReadySeconds int32, now time.Time) {
	if !isPodReady(p) {
		return
	}
	a.ready++
	if isPodAvailable(p, minReadySeconds, now) {
		a.available++
	} else if at, ok := availableAt(p, minReadySeconds, now); ok && (a.next.IsZero() || at.Before(a.next)) {
		a.next = at
	}
}

// selectsAll reports a nil or empty selector, which a Deployment or
// DaemonSet may not have (the SelectingAll warning).
func selectsAll(sel *metav1.LabelSelector) bool {
	return sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0)
}

// isPodActive: not terminal and not being deleted (controller.IsPodActive).
func isPodActive(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp == nil
}

// newControllerRef is metav1.NewControllerRef: controller and
// blockOwnerDeletion true.
func newControllerRef(owner metav1.Object, gvk schema.GroupVersionKind) metav1.OwnerReference {
	return *metav1.NewControllerRef(owner, gvk)
}

// podFromTemplate builds a pod as controller.GetPodFromTemplate does.
func podFromTemplate(t *corev1.PodTemplateSpec, owner metav1.Object, ref metav1.OwnerReference) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    owner.GetName() + "-",
			Namespace:       owner.GetNamespace(),
			Labels:          copyMap(t.Labels),
			Annotations:     copyMap(t.Annotations),
			Finalizers:      append([]string(nil), t.Finalizers...),
			OwnerReferences: []metav1.OwnerReference{ref},
		},
		Spec: *t.Spec.DeepCopy(),
	}
	return p
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// claimPods adopts matching orphans and releases owned pods that no longer
// match, as the ControllerRefManager does, and returns the owned pods. The
// writes it makes are reported through wrote.
func (b *base) claimPods(owner metav1.Object, gvk schema.GroupVersionKind, sel labels.Selector, pods []*corev1.Pod, wrote *bool) []*corev1.Pod {
	var out []*corev1.Pod
	deleting := owner.GetDeletionTimestamp() != nil
	for _, p := range pods {
		ref := metav1.GetControllerOfNoCopy(p)
		matches := sel.Matches(labels.Set(p.Labels))
		if ref != nil {
			if ref.UID != owner.GetUID() {
				continue
			}
			if matches {
				out = append(out, p)
				continue
			}
			if deleting || p.DeletionTimestamp != nil {
				continue
			}
			// Release.
			cp := p.DeepCopy()
			var refs []metav1.OwnerReference
			for _, r := range cp.OwnerReferences {
				if r.UID != owner.GetUID() {
					refs = append(refs, r)
				}
			}
			cp.OwnerReferences = refs
			cp.ResourceVersion = ""
			if _, err := b.Registry.Update(b.pods, cp.Namespace, cp, ""); err == nil {
				*wrote = true
			}
			continue
		}
		if !matches || deleting || p.DeletionTimestamp != nil {
			continue
		}
		// Adopt.
		cp := p.DeepCopy()
		cp.OwnerReferences = append(cp.OwnerReferences, newControllerRef(owner, gvk))
		cp.ResourceVersion = ""
		out2, err := b.Registry.Update(b.pods, cp.Namespace, cp, "")
		if err != nil {
			continue
		}
		*wrote = true
		out = append(out, out2.(*corev1.Pod))
	}
	return out
}

// podsIn lists the pods of a namespace.
func (b *base) podsIn(ns string) []*corev1.Pod { return list[*corev1.Pod](b, b.pods, ns) }

// activePods filters out terminal and terminating pods.
func activePods(pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if isPodActive(p) {
			out = append(out, p)
		}
	}
	return out
}

// rankedPods orders pods for scale-down as controller.ActivePodsWithRanks
// (LogarithmicScaleDown on, its default since v1.22): the first ones are
// deleted first.
type rankedPods struct {
	pods []*corev1.Pod
	rank []int
	now  time.Time
}

func (s rankedPods) Len() int { return len(s.pods) }
func (s rankedPods) Swap(i, j int) {
	s.pods[i], s.pods[j] = s.pods[j], s.pods[i]
	s.rank[i], s.rank[j] = s.rank[j], s.rank[i]
}

func (s rankedPods) Less(i, j int) bool {
	a, b := s.pods[i], s.pods[j]
	// 1. Unassigned < assigned.
	if a.Spec.NodeName != b.Spec.NodeName && (a.Spec.NodeName == "" || b.Spec.NodeName == "") {
		return a.Spec.NodeName == ""
	}
	// 2. Pending < Unknown < Running.
	if pa, pb := phaseOrdinal(a.Status.Phase), phaseOrdinal(b.Status.Phase); pa != pb {
		return pa < pb
	}
	// 3. Not ready < ready.
	if ra, rb := isPodReady(a), isPodReady(b); ra != rb {
		return !ra
	}
	// 4. Lower pod-deletion-cost first.
	if ca, cb := deletionCost(a), deletionCost(b); ca != cb {
		return ca < cb
	}
	// 5. Doubled up (more related pods on the same node) first.
	if s.rank[i] != s.rank[j] {
		return s.rank[i] > s.rank[j]
	}
	// 6. Ready for less time first, in logarithmic buckets.
	if isPodReady(a) && isPodReady(b) {
		if ta, tb := readyTime(a), readyTime(b); !ta.Equal(tb) {
			return s.newer(ta, tb, a, b)
		}
	}
	// 7. More restarts first.
	if ra, rb := maxRestarts(a), maxRestarts(b); ra != rb {
		return ra > rb
	}
	// 8. Newer first.
	if ta, tb := a.CreationTimestamp.Time, b.CreationTimestamp.Time; !ta.Equal(tb) {
		return s.newer(ta, tb, a, b)
	}
	return a.Name < b.Name
}

// newer orders two different times of pods a and b, the more recent first,
// in logarithmic buckets of their age when now is known (ties by UID).
func (s rankedPods) newer(ta, tb time.Time, a, b *corev1.Pod) bool {
	if s.now.IsZero() || ta.IsZero() || tb.IsZero() {
		return afterOrZero(ta, tb)
	}
	if d := logRankDiff(ta, tb, s.now); d != 0 {
		return d < 0
	}
	return a.UID < b.UID
}

func phaseOrdinal(p corev1.PodPhase) int {
	switch p {
	case corev1.PodPending:
		return 0
	case corev1.PodUnknown:
		return 1
	case corev1.PodRunning:
		return 2
	}
	return 3
}

func deletionCost(p *corev1.Pod) int64 {
	v, ok := p.Annotations["controller.kubernetes.io/pod-deletion-cost"]
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return n
}

func readyTime(p *corev1.Pod) time.Time {
	if c := podReadyCondition(p); c != nil && c.Status == corev1.ConditionTrue {
		return c.LastTransitionTime.Time
	}
	return time.Time{}
}

func afterOrZero(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return a.IsZero()
	}
	return a.After(b)
}

func logRankDiff(a, b, now time.Time) int64 {
	r := func(t time.Time) int64 {
		if d := now.Sub(t); d > 0 {
			return int64(math.Log2(float64(d)))
		}
		return -1
	}
	return r(a) - r(b)
}

func maxRestarts(p *corev1.Pod) int32 {
	var m int32
	for _, c := range p.Status.ContainerStatuses {
		m = max(m, c.RestartCount)
	}
	return m
}
