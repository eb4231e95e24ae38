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
// completions pods succeeded, giving up after backoffLimit failures.
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
	// A pod restarted in place (OnFailure) counts its restarts as failures.
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
	switch {
	case succeeded >= completions:
		st.CompletionTime = &nowT
		st.Conditions = append(st.Conditions, jobCondition(batchv1.JobComplete, "", "", nowT))
		if c.minor >= 31 {
			st.Conditions = append([]batchv1.JobCondition{jobCondition(batchv1.JobSuccessCriteriaMet, "CompletionsReached", "Reached expected number of succeeded pods", nowT)}, st.Conditions...)
			st.Conditions[1].Reason, st.Conditions[1].Message = "CompletionsReached", "Reached expected number of succeeded pods"
		}
		c.record(j, corev1.EventTypeNormal, "Completed", "Job completed")
	case failed > backoff:
		st.Conditions = append(st.Conditions, jobCondition(batchv1.JobFailed, "BackoffLimitExceeded", "Job has reached the specified backoff limit", nowT))
		c.record(j, corev1.EventTypeWarning, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
		for _, p := range pods {
			if isPodActive(p) {
				c.Registry.Delete(c.pods, ns, p.Name, nil)
				wrote = true
			}
		}
		active = 0
	case !*j.Spec.Suspend:
		want := min(parallelism, completions-succeeded) - active
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
