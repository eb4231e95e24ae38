package controllers

import (
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cronJobController creates a Job at each scheduled time (upstream
// pkg/controller/cronjob, the v2 controller): Job names are
// <cronjob>-<scheduled time in minutes>, one virtual-clock timer per
// CronJob at its next schedule, concurrencyPolicy and history limits
// honoured. A missed window (the clock jumped past several schedules) runs
// only the latest one, as the controller does.
type cronJobController struct {
	controller[*batchv1.CronJob]
}

func newCronJob(b *base) *cronJobController {
	c := &cronJobController{}
	c.controller = newController[*batchv1.CronJob](b, "cronjob", b.cronjobs, c.syncCronJob)
	c.owns = map[string]string{"jobs": "CronJob"}
	return c
}

func (c *cronJobController) syncCronJob(key string, now time.Time) bool {
	cj, ok := c.live(key)
	if !ok {
		return false
	}
	ns := cj.Namespace
	sched, err := cron.ParseStandard(cj.Spec.Schedule)
	if err != nil {
		return false
	}
	jobs := owned(list[*batchv1.Job](c.base, c.jobs, ns), cj)
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].CreationTimestamp.Before(&jobs[k].CreationTimestamp) })
	wrote := false
	st := *cj.Status.DeepCopy()
	st.Active = nil
	var active []*batchv1.Job
	var done, failedJobs []*batchv1.Job
	for _, j := range jobs {
		switch {
		case jobFinishedAs(j, batchv1.JobComplete):
			done = append(done, j)
			if j.Status.CompletionTime != nil && (st.LastSuccessfulTime == nil || st.LastSuccessfulTime.Before(j.Status.CompletionTime)) {
				t := *j.Status.CompletionTime
				st.LastSuccessfulTime = &t
			}
		case jobFinishedAs(j, batchv1.JobFailed):
			failedJobs = append(failedJobs, j)
		default:
			active = append(active, j)
			st.Active = append(st.Active, corev1.ObjectReference{Kind: "Job", Namespace: ns, Name: j.Name, UID: j.UID, APIVersion: "batch/v1", ResourceVersion: j.ResourceVersion})
		}
	}
	// History limits: the oldest finished Jobs go.
	for _, group := range []struct {
		jobs  []*batchv1.Job
		limit *int32
	}{{done, cj.Spec.SuccessfulJobsHistoryLimit}, {failedJobs, cj.Spec.FailedJobsHistoryLimit}} {
		if group.limit == nil {
			continue
		}
		for i := 0; i < len(group.jobs)-int(*group.limit); i++ {
			bg := metav1.DeletePropagationBackground
			if _, err := c.Registry.Delete(c.jobs, ns, group.jobs[i].Name, &metav1.DeleteOptions{PropagationPolicy: &bg}); err == nil {
				c.record(cj, corev1.EventTypeNormal, "SuccessfulDelete", fmt.Sprintf("Deleted job %s", group.jobs[i].Name))
				wrote = true
			}
		}
	}
	// The most recent schedule time not after now, later than the last run.
	last := cj.CreationTimestamp.Time
	if st.LastScheduleTime != nil {
		last = st.LastScheduleTime.Time
	}
	var due time.Time
	for t := sched.Next(last); !t.After(now); t = sched.Next(t) {
		due = t
	}
	if !due.IsZero() && !*cj.Spec.Suspend {
		run := true
		if len(active) > 0 {
			switch cj.Spec.ConcurrencyPolicy {
			case batchv1.ForbidConcurrent:
				run = false
			case batchv1.ReplaceConcurrent:
				for _, j := range active {
					bg := metav1.DeletePropagationBackground
					c.Registry.Delete(c.jobs, ns, j.Name, &metav1.DeleteOptions{PropagationPolicy: &bg})
					c.record(cj, corev1.EventTypeNormal, "SuccessfulDelete", fmt.Sprintf("Deleted job %s", j.Name))
				}
				st.Active = nil
			}
		}
		if run {
			job := &batchv1.Job{
				ObjectMeta: metav1.ObjectMeta{
					Name: fmt.Sprintf("%s-%d", cj.Name, due.Unix()/60), Namespace: ns,
					Labels:          copyMap(cj.Spec.JobTemplate.Labels),
					Annotations:     map[string]string{"batch.kubernetes.io/cronjob-scheduled-timestamp": due.UTC().Format(time.RFC3339)},
					OwnerReferences: []metav1.OwnerReference{c.controllerRef(cj)},
				},
				Spec: *cj.Spec.JobTemplate.Spec.DeepCopy(),
			}
			for k, v := range cj.Spec.JobTemplate.Annotations {
				job.Annotations[k] = v
			}
			if out, err := c.Registry.Create(c.jobs, ns, job, false); err == nil {
				c.record(cj, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("Created job %s", job.Name))
				j := out.(*batchv1.Job)
				st.Active = append(st.Active, corev1.ObjectReference{Kind: "Job", Namespace: ns, Name: j.Name, UID: j.UID, APIVersion: "batch/v1", ResourceVersion: j.ResourceVersion})
				wrote = true
			}
		}
		t := metav1.NewTime(due.UTC())
		st.LastScheduleTime = &t
	}
	// One timer at the next schedule.
	next := sched.Next(now)
	c.requeueAt(key, next)
	if equality.Semantic.DeepEqual(st, cj.Status) {
		return wrote
	}
	cp := cj.DeepCopy()
	cp.Status = st
	return c.update(c.primary, cp, "status") || wrote
}

func jobFinishedAs(j *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range j.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}
