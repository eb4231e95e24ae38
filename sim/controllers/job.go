package controllers

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// jobController runs a Job's pods to completion (upstream pkg/controller/job,
// NonIndexed completion mode): at most parallelism pods at once until
// completions pods succeeded, replacing failed pods after an exponential
// back-off, giving up after backoffLimit failures (BackoffLimitExceeded)
// or activeDeadlineSeconds (DeadlineExceeded).
type jobController struct {
	controller[*batchv1.Job]
}

func newJob(b *base) *jobController {
	c := &jobController{}
	c.controller = newController[*batchv1.Job](b, "job", b.jobs, c.syncJob)
	c.owns = map[string]string{"pods": "Job"}
	return c
}

func (c *jobController) syncJob(key string, now time.Time) bool {
	j, ok := c.live(key)
	if !ok {
		return false
	}
	ns := j.Namespace
	if finished(j) {
		return false
	}
	var active, succeeded, failed int32
	pods := owned(c.podsIn(ns), j)
	for _, p := range pods {
		switch {
		case p.Status.Phase == corev1.PodSucceeded:
			succeeded++
		case p.Status.Phase == corev1.PodFailed:
			failed++
		case p.DeletionTimestamp == nil:
			active++
		}
	}
	completions := int32(1)
	if j.Spec.Completions != nil {
		completions = *j.Spec.Completions
	}
	parallelism := int32(1)
	if j.Spec.Parallelism != nil {
		parallelism = *j.Spec.Parallelism
	}
	backoff := int32(6)
	if j.Spec.BackoffLimit != nil {
		backoff = *j.Spec.BackoffLimit
	}
	// A pod restarted in place (OnFailure) counts its restarts as failures
	// against the backoff limit (upstream pastBackoffLimitOnFailure).
	failedPods := failed
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			failed += cs.RestartCount
		}
	}
	st := *j.Status.DeepCopy()
	wrote := false
	nowT := metav1.NewTime(now.UTC().Truncate(time.Second))
	if st.StartTime == nil && !*j.Spec.Suspend {
		st.StartTime = &nowT
	}
	// The failure reason, if the Job is to fail now (upstream syncJob:
	// the backoff limit first, then the active deadline).
	var reason, message string
	var wake time.Time // when the Job must be synced again, if at all
	target := failureTarget(j)
	switch {
	case target != nil:
		reason, message = target.Reason, target.Message
	case failed > backoff:
		reason, message = batchv1.JobReasonBackoffLimitExceeded, "Job has reached the specified backoff limit"
	case pastActiveDeadline(j, st.StartTime, now):
		reason, message = batchv1.JobReasonDeadlineExceeded, "Job was active longer than specified deadline"
	case j.Spec.ActiveDeadlineSeconds != nil && !*j.Spec.Suspend && succeeded < completions:
		wake = st.StartTime.Add(time.Duration(*j.Spec.ActiveDeadlineSeconds) * time.Second)
	}
	switch {
	case reason != "":
		// The Job's active pods are deleted and count as failed. From 1.31
		// the FailureTarget condition comes first and Failed follows once
		// no pod of the Job is left running or terminating.
		if target == nil && c.minor >= 31 {
			st.Conditions = append(st.Conditions, jobCondition(batchv1.JobFailureTarget, reason, message, nowT))
		}
		for _, p := range pods {
			if isPodActive(p) {
				if _, err := c.Registry.Delete(c.pods, ns, p.Name, nil); err == nil {
					failed++
					wrote = true
				}
			}
		}
		active = 0
		if c.minor < 31 || !anyTerminating(pods) {
			st.Conditions = append(st.Conditions, jobCondition(batchv1.JobFailed, reason, message, nowT))
			c.record(j, corev1.EventTypeWarning, reason, message)
		}
	case succeeded >= completions:
		st.CompletionTime = &nowT
		st.Conditions = append(st.Conditions, jobCondition(batchv1.JobComplete, "", "", nowT))
		if c.minor >= 31 {
			st.Conditions = append([]batchv1.JobCondition{jobCondition(batchv1.JobSuccessCriteriaMet, "CompletionsReached", "Reached expected number of succeeded pods", nowT)}, st.Conditions...)
			st.Conditions[1].Reason, st.Conditions[1].Message = "CompletionsReached", "Reached expected number of succeeded pods"
		}
		c.record(j, corev1.EventTypeNormal, "Completed", "Job completed")
	case !*j.Spec.Suspend:
		want := min(parallelism, completions-succeeded) - active
		if want > 0 {
			// Failed pods hold back their replacements: 10s after the
			// last failure, doubling with each failure since the last
			// success (upstream backoffRecord.getRemainingTime).
			if wait := c.jobBackoff(j, pods, failedPods, now); wait > 0 {
				if wake.IsZero() || now.Add(wait).Before(wake) {
					wake = now.Add(wait)
				}
				want = 0
			}
		}
		ref := c.controllerRef(j)
		for i := int32(0); i < want; i++ {
			p := podFromTemplate(&j.Spec.Template, j, ref)
			out, err := c.Registry.Create(c.pods, ns, p, false)
			if err != nil {
				c.record(j, corev1.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
				break
			}
			active++
			wrote = true
			c.record(j, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("Created pod: %s", out.(*corev1.Pod).Name))
		}
	}
	if !wake.IsZero() {
		c.requeueAt(key, wake)
	}
	// Counts never go down: a pod the controller deleted as failed is gone
	// from the store but stays counted (upstream tracks it by finalizer).
	failed = max(failed, j.Status.Failed)
	st.Active, st.Succeeded, st.Failed = active, succeeded, failed
	ready := int32(0)
	for _, p := range pods {
		if isPodActive(p) && isPodReady(p) {
			ready++
		}
	}
	st.Ready = &ready
	if c.minor >= 29 {
		terminating := int32(0)
		for _, p := range pods {
			if p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
				terminating++
			}
		}
		st.Terminating = &terminating
	}
	if st.UncountedTerminatedPods == nil {
		st.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	if equality.Semantic.DeepEqual(st, j.Status) {
		return wrote
	}
	cp := j.DeepCopy()
	cp.Status = st
	return c.update(c.primary, cp, "status") || wrote
}

// failureTarget returns the Job's FailureTarget condition, if it has one.
func failureTarget(j *batchv1.Job) *batchv1.JobCondition {
	for i, c := range j.Status.Conditions {
		if c.Type == batchv1.JobFailureTarget && c.Status == corev1.ConditionTrue {
			return &j.Status.Conditions[i]
		}
	}
	return nil
}

// pastActiveDeadline reports whether a running Job has been active for
// activeDeadlineSeconds (a suspended Job's clock is stopped).
func pastActiveDeadline(j *batchv1.Job, start *metav1.Time, now time.Time) bool {
	if j.Spec.ActiveDeadlineSeconds == nil || start == nil || *j.Spec.Suspend {
		return false
	}
	return now.Sub(start.Time) >= time.Duration(*j.Spec.ActiveDeadlineSeconds)*time.Second
}

func anyTerminating(pods []*corev1.Pod) bool {
	for _, p := range pods {
		if p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			return true
		}
	}
	return false
}

// jobBackoff is how long the Job must still wait before it replaces failed
// pods: 10s doubled for each failure after the last success, at most
// 10 minutes (6 before 1.27), counted from the last failure.
func (c *jobController) jobBackoff(j *batchv1.Job, pods []*corev1.Pod, failedPods int32, now time.Time) time.Duration {
	if failedPods == 0 {
		return 0
	}
	var lastSuccess, lastFailure time.Time
	for _, p := range pods {
		switch p.Status.Phase {
		case corev1.PodSucceeded:
			if t := podFinishTime(p, now); t.After(lastSuccess) {
				lastSuccess = t
			}
		case corev1.PodFailed:
			if t := podFinishTime(p, now); t.After(lastFailure) {
				lastFailure = t
			}
		}
	}
	failures := 0
	for _, p := range pods {
		if p.Status.Phase == corev1.PodFailed && podFinishTime(p, now).After(lastSuccess) {
			failures++
		}
	}
	if failures == 0 {
		return 0
	}
	limit := 10 * time.Minute
	if c.minor < 27 {
		limit = 6 * time.Minute
	}
	d := 10 * time.Second
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - now.Sub(lastFailure)
}

// podFinishTime is when a pod finished (upstream getFinishedTime): its
// containers' latest finishedAt, else its deletion, else now.
func podFinishTime(p *corev1.Pod, now time.Time) time.Time {
	var t time.Time
	for _, cs := range p.Status.ContainerStatuses {
		if term := cs.State.Terminated; term != nil && term.FinishedAt.After(t) {
			t = term.FinishedAt.Time
		}
	}
	if t.IsZero() && p.DeletionTimestamp != nil {
		t = p.DeletionTimestamp.Time
	}
	if t.IsZero() {
		t = now
	}
	return t
}

func finished(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func jobCondition(t batchv1.JobConditionType, reason, msg string, now metav1.Time) batchv1.JobCondition {
	return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: msg, LastProbeTime: now, LastTransitionTime: now}
}
