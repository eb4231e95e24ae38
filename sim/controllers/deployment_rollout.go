package controllers

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// rolloutRolling is upstream rolling.go: scale the new ReplicaSet up within
// maxSurge, then old ones down within maxUnavailable.
func (s *deploySync) rolloutRolling() {
	newRS, old := s.allRSs(true)
	all := func() []*appsv1.ReplicaSet {
		return append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	}
	if newRS != nil && s.reconcileNew(all(), newRS) {
		newRS, old = s.allRSs(false)
		s.syncRolloutStatus(all(), newRS)
		return
	}
	if s.reconcileOld(all(), activeRSs(old), newRS) {
		newRS, old = s.allRSs(false)
		s.syncRolloutStatus(all(), newRS)
		return
	}
	if deploymentComplete(s.d, &s.d.Status) {
		s.cleanup(old)
		newRS, old = s.allRSs(false)
	}
	s.syncRolloutStatus(all(), newRS)
}

func (s *deploySync) reconcileNew(all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) bool {
	want := replicasOf(s.d.Spec.Replicas)
	cur := replicasOf(newRS.Spec.Replicas)
	if cur == want {
		return false
	}
	if cur > want {
		_, scaled := s.scaleAndRecord(newRS, want)
		return scaled
	}
	_, scaled := s.scaleAndRecord(newRS, newRSNewReplicas(s.d, all, newRS))
	return scaled
}

func (s *deploySync) reconcileOld(all, old []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) bool {
	if sumSpec(old) == 0 {
		return false
	}
	d := s.d
	minAvailable := replicasOf(d.Spec.Replicas) - maxUnavailable(d)
	newUnavailable := int32(0)
	if newRS != nil {
		newUnavailable = replicasOf(newRS.Spec.Replicas) - newRS.Status.AvailableReplicas
	}
	maxScaledDown := sumSpec(all) - minAvailable - newUnavailable
	if maxScaledDown <= 0 {
		return false
	}
	old, cleaned := s.cleanupUnhealthy(old, maxScaledDown)
	all = append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	scaled := s.scaleDownOldForRolling(all, old)
	return cleaned+scaled > 0
}

// cleanupUnhealthy scales down old ReplicaSets' unavailable replicas first.
func (s *deploySync) cleanupUnhealthy(old []*appsv1.ReplicaSet, maxCleanup int32) ([]*appsv1.ReplicaSet, int32) {
	sorted := append([]*appsv1.ReplicaSet(nil), old...)
	sortByCreation(sorted)
	var total int32
	for i, rs := range sorted {
		if total >= maxCleanup {
			break
		}
		cur := replicasOf(rs.Spec.Replicas)
		if cur == 0 || cur == rs.Status.AvailableReplicas {
			continue
		}
		n := min(maxCleanup-total, cur-rs.Status.AvailableReplicas)
		out, _ := s.scaleAndRecord(rs, cur-n)
		sorted[i] = out
		total += n
	}
	return sorted, total
}

func (s *deploySync) scaleDownOldForRolling(all, old []*appsv1.ReplicaSet) int32 {
	d := s.d
	minAvailable := replicasOf(d.Spec.Replicas) - maxUnavailable(d)
	available := sumStatus(all, func(st *appsv1.ReplicaSetStatus) int32 { return st.AvailableReplicas })
	if available <= minAvailable {
		return 0
	}
	sorted := append([]*appsv1.ReplicaSet(nil), old...)
	sortByCreation(sorted)
	totalDown := available - minAvailable
	var done int32
	for _, rs := range sorted {
		if done >= totalDown {
			break
		}
		cur := replicasOf(rs.Spec.Replicas)
		if cur == 0 {
			continue
		}
		n := min(cur, totalDown-done)
		s.scaleAndRecord(rs, cur-n)
		done += n
	}
	return done
}

// rolloutRecreate is upstream recreate.go: old ReplicaSets to zero, wait for
// their pods to go, then the new ReplicaSet at full size.
func (s *deploySync) rolloutRecreate() {
	newRS, old := s.allRSs(false)
	all := func() []*appsv1.ReplicaSet {
		return append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	}
	scaled := false
	for _, rs := range activeRSs(old) {
		if _, ok := s.scaleAndRecord(rs, 0); ok {
			scaled = true
		}
	}
	if scaled {
		newRS, old = s.allRSs(false)
		s.syncRolloutStatus(all(), newRS)
		return
	}
	if s.oldPodsRunning(newRS, old) {
		s.syncRolloutStatus(all(), newRS)
		return
	}
	if newRS == nil {
		newRS, old = s.allRSs(true)
	}
	if newRS != nil {
		s.scaleAndRecord(newRS, replicasOf(s.d.Spec.Replicas))
		newRS, old = s.allRSs(false)
	}
	if deploymentComplete(s.d, &s.d.Status) {
		s.cleanup(old)
		newRS, old = s.allRSs(false)
	}
	s.syncRolloutStatus(all(), newRS)
}

func (s *deploySync) oldPodsRunning(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) bool {
	if sumStatus(old, func(st *appsv1.ReplicaSetStatus) int32 { return st.Replicas }) > 0 {
		return true
	}
	oldUIDs := map[string]bool{}
	for _, rs := range old {
		if newRS == nil || rs.UID != newRS.UID {
			oldUIDs[string(rs.UID)] = true
		}
	}
	for _, p := range s.c.podsIn(s.d.Namespace) {
		ref := metav1.GetControllerOfNoCopy(p)
		if ref == nil || !oldUIDs[string(ref.UID)] {
			continue
		}
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			continue
		}
		return true
	}
	return false
}

// calculateStatus is upstream's, conditions carried over and Available set.
func (s *deploySync) calculateStatus(all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) appsv1.DeploymentStatus {
	d := s.d
	available := sumStatus(all, func(st *appsv1.ReplicaSetStatus) int32 { return st.AvailableReplicas })
	unavailable := max(sumSpec(all)-available, 0)
	st := appsv1.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            sumStatus(all, func(st *appsv1.ReplicaSetStatus) int32 { return st.Replicas }),
		UpdatedReplicas:     sumStatus([]*appsv1.ReplicaSet{newRS}, func(st *appsv1.ReplicaSetStatus) int32 { return st.Replicas }),
		ReadyReplicas:       sumStatus(all, func(st *appsv1.ReplicaSetStatus) int32 { return st.ReadyReplicas }),
		AvailableReplicas:   available,
		UnavailableReplicas: unavailable,
		CollisionCount:      d.Status.CollisionCount,
	}
	st.Conditions = append(st.Conditions, d.Status.Conditions...)
	now := s.c.metaNow()
	if available >= replicasOf(d.Spec.Replicas)-maxUnavailable(d) {
		setCond(&st, newCond(appsv1.DeploymentAvailable, corev1.ConditionTrue, reasonMinimumAvailable, "Deployment has minimum availability.", now))
	} else {
		setCond(&st, newCond(appsv1.DeploymentAvailable, corev1.ConditionFalse, reasonMinimumUnavailable, "Deployment does not have minimum availability.", now))
	}
	return st
}

// syncRolloutStatus is upstream progress.go: the Progressing condition, the
// progress deadline, and the status write.
func (s *deploySync) syncRolloutStatus(all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) {
	d := s.d
	st := s.calculateStatus(all, newRS)
	if !hasProgressDeadline(d) {
		removeCond(&st, appsv1.DeploymentProgressing)
	}
	now := s.c.metaNow()
	cur := getCond(&d.Status, appsv1.DeploymentProgressing)
	complete := st.Replicas == st.UpdatedReplicas && cur != nil && cur.Reason == reasonNewRSAvailable
	if hasProgressDeadline(d) && !complete {
		subject := fmt.Sprintf("Deployment %q", d.Name)
		if newRS != nil {
			subject = fmt.Sprintf("ReplicaSet %q", newRS.Name)
		}
		switch {
		case deploymentComplete(d, &st):
			setCond(&st, newCond(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonNewRSAvailable, subject+" has successfully progressed.", now))
		case deploymentProgressing(d, &st):
			c := newCond(appsv1.DeploymentProgressing, corev1.ConditionTrue, reasonRSUpdated, subject+" is progressing.", now)
			if cur != nil {
				if cur.Status == corev1.ConditionTrue {
					c.LastTransitionTime = cur.LastTransitionTime
				}
				removeCond(&st, appsv1.DeploymentProgressing)
			}
			setCond(&st, c)
		case deploymentTimedOut(d, &st, s.now):
			setCond(&st, newCond(appsv1.DeploymentProgressing, corev1.ConditionFalse, reasonTimedOut, subject+" has timed out progressing.", now))
		}
	}
	removeCond(&st, appsv1.DeploymentReplicaFailure)
	for _, rs := range all {
		if rs == nil {
			continue
		}
		for _, c := range rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure {
				setCond(&st, appsv1.DeploymentCondition{Type: appsv1.DeploymentReplicaFailure, Status: c.Status, Reason: c.Reason, Message: c.Message, LastUpdateTime: c.LastTransitionTime, LastTransitionTime: c.LastTransitionTime})
			}
		}
	}
	if equality.Semantic.DeepEqual(d.Status, st) {
		s.requeueStuck(st)
		return
	}
	cp := d.DeepCopy()
	cp.Status = st
	s.updateStatus(cp)
}

// requeueStuck arms a timer at the progress deadline of a rollout that has
// not completed.
func (s *deploySync) requeueStuck(st appsv1.DeploymentStatus) {
	d, c := s.d, s.c
	key := nsKey(d.Namespace, d.Name)
	cur := getCond(&st, appsv1.DeploymentProgressing)
	if !hasProgressDeadline(d) || cur == nil || deploymentComplete(d, &st) || cur.Reason == reasonTimedOut {
		return
	}
	at := cur.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds)*time.Second + time.Second)
	if !at.After(s.now) {
		// The deadline has passed without the rollout timing out: arming
		// a timer in the past would fire at once, forever.
		return
	}
	c.requeueAt(key, at)
}
