package printers

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
)

// Printers for endpointslices, leases, priorityclasses,
// poddisruptionbudgets, jobs and cronjobs.

func printEndpointSlice(es *discoveryv1.EndpointSlice, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{
		es.Name,
		string(es.AddressType),
		slicePorts(es.Ports),
		sliceEndpoints(es.Endpoints),
		c.since(es.CreationTimestamp),
	}}
}

// listWithMore joins up to three items; beyond that it appends
// " + N more...", and an empty list reads "<unset>".
func listWithMore(list []string, count int) string {
	const max = 3
	if count > max {
		return fmt.Sprintf("%s + %d more...", strings.Join(list[:max], ","), count-max)
	}
	if len(list) == 0 {
		return "<unset>"
	}
	return strings.Join(list, ",")
}

func slicePorts(ports []discoveryv1.EndpointPort) string {
	list := make([]string, 0, len(ports))
	for _, p := range ports {
		switch {
		case p.Port != nil:
			list = append(list, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			list = append(list, *p.Name)
		default:
			list = append(list, "*")
		}
	}
	return listWithMore(list, len(list))
}

func sliceEndpoints(eps []discoveryv1.Endpoint) string {
	var list []string
	for _, ep := range eps {
		list = append(list, ep.Addresses...)
	}
	return listWithMore(list, len(list))
}

func printLease(l *coordinationv1.Lease, c *printContext) metav1.TableRow {
	holder := ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	return metav1.TableRow{Cells: []interface{}{l.Name, holder, c.since(l.CreationTimestamp)}}
}

func printPriorityClass(pc *schedulingv1.PriorityClass, c *printContext) metav1.TableRow {
	policy := ""
	if pc.PreemptionPolicy != nil {
		policy = string(*pc.PreemptionPolicy)
	}
	return metav1.TableRow{Cells: []interface{}{
		pc.Name,
		int64(pc.Value),
		pc.GlobalDefault,
		c.since(pc.CreationTimestamp),
		policy,
	}}
}

func printPodDisruptionBudget(pdb *policyv1.PodDisruptionBudget, c *printContext) metav1.TableRow {
	minAvailable, maxUnavailable := "N/A", "N/A"
	if pdb.Spec.MinAvailable != nil {
		minAvailable = pdb.Spec.MinAvailable.String()
	}
	if pdb.Spec.MaxUnavailable != nil {
		maxUnavailable = pdb.Spec.MaxUnavailable.String()
	}
	return metav1.TableRow{Cells: []interface{}{
		pdb.Name,
		minAvailable,
		maxUnavailable,
		int64(pdb.Status.DisruptionsAllowed),
		c.since(pdb.CreationTimestamp),
	}}
}

// jobCondition reports whether the first condition of the type is True.
func jobCondition(conds []batchv1.JobCondition, typ batchv1.JobConditionType) bool {
	for _, cond := range conds {
		if cond.Type == typ {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// jobStatus is the STATUS cell (v1.30+); SuccessCriteriaMet joined in v1.34
// (kubernetes PR #132832).
func jobStatus(j *batchv1.Job, c *printContext) string {
	conds := j.Status.Conditions
	switch {
	case jobCondition(conds, batchv1.JobComplete):
		return "Complete"
	case jobCondition(conds, batchv1.JobFailed):
		return "Failed"
	case j.DeletionTimestamp != nil:
		return "Terminating"
	case jobCondition(conds, batchv1.JobSuspended):
		return "Suspended"
	case jobCondition(conds, batchv1.JobFailureTarget):
		return "FailureTarget"
	case c.atLeast(34) && jobCondition(conds, batchv1.JobSuccessCriteriaMet):
		return "SuccessCriteriaMet"
	}
	return "Running"
}

func printJob(j *batchv1.Job, c *printContext) metav1.TableRow {
	var completions string
	switch {
	case j.Spec.Completions != nil:
		completions = fmt.Sprintf("%d/%d", j.Status.Succeeded, *j.Spec.Completions)
	case deref32(j.Spec.Parallelism) > 1:
		completions = fmt.Sprintf("%d/1 of %d", j.Status.Succeeded, *j.Spec.Parallelism)
	default:
		completions = fmt.Sprintf("%d/1", j.Status.Succeeded)
	}
	var took string
	switch {
	case j.Status.StartTime == nil:
	case j.Status.CompletionTime == nil:
		took = duration.HumanDuration(c.now.Sub(j.Status.StartTime.Time))
	default:
		took = duration.HumanDuration(j.Status.CompletionTime.Sub(j.Status.StartTime.Time))
	}
	names, images := containerCells(j.Spec.Template.Spec.Containers)
	cells := []interface{}{j.Name}
	if c.atLeast(30) {
		cells = append(cells, jobStatus(j, c))
	}
	cells = append(cells, completions, took, c.since(j.CreationTimestamp),
		names, images, metav1.FormatLabelSelector(j.Spec.Selector))
	return metav1.TableRow{Cells: cells}
}

func printCronJob(cj *batchv1.CronJob, c *printContext) metav1.TableRow {
	last := "<none>"
	if cj.Status.LastScheduleTime != nil {
		last = c.since(*cj.Status.LastScheduleTime)
	}
	suspend := "<unset>"
	if cj.Spec.Suspend != nil {
		suspend = "False"
		if *cj.Spec.Suspend {
			suspend = "True"
		}
	}
	cells := []interface{}{cj.Name, cj.Spec.Schedule}
	if c.atLeast(30) {
		tz := "<none>"
		if cj.Spec.TimeZone != nil {
			tz = *cj.Spec.TimeZone
		}
		cells = append(cells, tz)
	}
	tmpl := cj.Spec.JobTemplate.Spec
	names, images := containerCells(tmpl.Template.Spec.Containers)
	cells = append(cells, suspend, int64(len(cj.Status.Active)), last, c.since(cj.CreationTimestamp),
		names, images, metav1.FormatLabelSelector(tmpl.Selector))
	return metav1.TableRow{Cells: cells}
}
