package validation

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	jobKind     = schema.GroupKind{Group: "batch", Kind: "Job"}
	cronJobKind = schema.GroupKind{Group: "batch", Kind: "CronJob"}
)

// job is `kubectl create job pi --image=perl` after defaulting and selector
// generation.
func job() *batchv1.Job {
	j := &batchv1.Job{ObjectMeta: objMeta("pi"), Spec: batchv1.JobSpec{
		Parallelism: ptr(int32(1)), Completions: ptr(int32(1)), BackoffLimit: ptr(int32(6)),
		CompletionMode: ptr(batchv1.NonIndexedCompletion), Suspend: ptr(false),
		Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": "u1"}},
	}}
	j.Spec.Template.Labels = map[string]string{"batch.kubernetes.io/controller-uid": "u1", "batch.kubernetes.io/job-name": "pi", "controller-uid": "u1", "job-name": "pi"}
	j.Spec.Template.Spec = podSpec()
	j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
	return j
}

func TestValidateJob(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*batchv1.Job)
		update bool
		want   string
	}{
		{"valid", func(*batchv1.Job) {}, false, ""},
		{"negative parallelism and completions", func(j *batchv1.Job) { j.Spec.Parallelism = ptr(int32(-1)); j.Spec.Completions = ptr(int32(-2)) }, false,
			`Job.batch "pi" is invalid: [spec.parallelism: Invalid value: -1: must be greater than or equal to 0, spec.completions: Invalid value: -2: must be greater than or equal to 0]`},
		{"negative backoffLimit", func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr(int32(-1)) }, false,
			`Job.batch "pi" is invalid: spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0`},
		{"negative activeDeadlineSeconds", func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr(int64(-5)) }, false,
			`Job.batch "pi" is invalid: spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0`},
		{"restartPolicy Always", func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways }, false,
			`Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`},
		{"parallelism may change", func(j *batchv1.Job) { j.Spec.Parallelism = ptr(int32(3)) }, true, ""},
		{"completions immutable", func(j *batchv1.Job) { j.Spec.Completions = ptr(int32(3)) }, true,
			`Job.batch "pi" is invalid: spec.completions: Invalid value: 3: field is immutable`},
		{"selector immutable", func(j *batchv1.Job) {
			j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"job-name": "pi"}}
		}, true, `Job.batch "pi" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"job-name":"pi"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := job()
			j := old.DeepCopy()
			tt.mutate(j)
			errs := ValidateJob(j)
			if tt.update {
				errs = ValidateJobUpdate(j, old)
			}
			check(t, tt.want, invalid(jobKind, j.Name, errs))
		})
	}
}

func TestValidateJobTemplateImmutable(t *testing.T) {
	old := job()
	j := old.DeepCopy()
	j.Spec.Template.Spec.Containers[0].Image = "perl:5.34"
	errs := ValidateJobUpdate(j, old)
	if len(errs) != 1 || errs[0].Field != "spec.template" || errs[0].Detail != "field is immutable" {
		t.Fatalf("errors = %v, want spec.template: field is immutable", errs)
	}
	// A suspended job that never ran may change its scheduling directives.
	old.Spec.Suspend = ptr(true)
	j = old.DeepCopy()
	j.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	if errs := ValidateJobUpdate(j, old); len(errs) != 0 {
		t.Fatalf("suspended job: %v", errs)
	}
}

func cronJob() *batchv1.CronJob {
	c := &batchv1.CronJob{ObjectMeta: objMeta("hello"), Spec: batchv1.CronJobSpec{
		Schedule: "*/1 * * * *", ConcurrencyPolicy: batchv1.AllowConcurrent, Suspend: ptr(false),
		SuccessfulJobsHistoryLimit: ptr(int32(3)), FailedJobsHistoryLimit: ptr(int32(1)),
	}}
	c.Spec.JobTemplate.Spec.Template.Spec = podSpec()
	c.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	return c
}

func TestValidateCronJob(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*batchv1.CronJob)
		update bool
		want   string
	}{
		{"valid", func(*batchv1.CronJob) {}, false, ""},
		{"negative history limits", func(c *batchv1.CronJob) {
			c.Spec.SuccessfulJobsHistoryLimit = ptr(int32(-1))
			c.Spec.FailedJobsHistoryLimit = ptr(int32(-1))
		}, false, `CronJob.batch "hello" is invalid: [spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0, spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0]`},
		{"schedule does not parse", func(c *batchv1.CronJob) { c.Spec.Schedule = "every minute" }, false,
			`CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]`},
		{"schedule field out of range", func(c *batchv1.CronJob) { c.Spec.Schedule = "61 * * * *" }, false,
			`CronJob.batch "hello" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61`},
		{"name over 52 characters", func(c *batchv1.CronJob) { c.Name = "a123456789b123456789c123456789d123456789e123456789f12" }, false,
			`CronJob.batch "a123456789b123456789c123456789d123456789e123456789f12" is invalid: metadata.name: Invalid value: "a123456789b123456789c123456789d123456789e123456789f12": must be no more than 52 characters`},
		{"concurrencyPolicy", func(c *batchv1.CronJob) { c.Spec.ConcurrencyPolicy = "Sometimes" }, false,
			`CronJob.batch "hello" is invalid: spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"`},
		{"negative history limit on update", func(c *batchv1.CronJob) { c.Spec.SuccessfulJobsHistoryLimit = ptr(int32(-1)) }, true,
			`CronJob.batch "hello" is invalid: spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := cronJob()
			c := old.DeepCopy()
			tt.mutate(c)
			errs := ValidateCronJob(c)
			if tt.update {
				errs = ValidateCronJobUpdate(c, old)
			}
			check(t, tt.want, invalid(cronJobKind, c.Name, errs))
		})
	}
}
