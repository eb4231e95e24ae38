package registry

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/robfig/cron/v3"
)

// dns1123LabelKinds are the kinds whose names must be RFC 1123 labels; all
// others must be RFC 1123 subdomains (k8s.io/kubernetes pkg/apis/core/validation).
var dns1123LabelKinds = map[string]bool{"Namespace": true, "Service": true}

// validate returns the field errors kube-apiserver reports for obj; old is
// nil on create.
func validate(res *Resource, obj, old runtime.Object) field.ErrorList {
	m := ObjectMeta(obj)
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	switch name := m.GetName(); {
	case name == "":
		errs = append(errs, field.Required(meta.Child("name"), "name or generateName is required"))
	case dns1123LabelKinds[res.Kind]:
		for _, msg := range validation.IsDNS1123Label(name) {
			errs = append(errs, field.Invalid(meta.Child("name"), name, msg))
		}
	default:
		for _, msg := range validation.IsDNS1123Subdomain(name) {
			errs = append(errs, field.Invalid(meta.Child("name"), name, msg))
		}
	}
	errs = append(errs, metav1validation.ValidateLabels(m.GetLabels(), meta.Child("labels"))...)
	switch o := obj.(type) {
	case *corev1.Pod:
		errs = append(errs, validatePodSpec(&o.Spec, field.NewPath("spec"))...)
		if op, ok := old.(*corev1.Pod); ok {
			errs = append(errs, validatePodUpdate(o, op)...)
		}
	case *appsv1.Deployment:
		errs = append(errs, validatePodSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		errs = append(errs, validateSelector(o.Spec.Selector, o.Spec.Template.Labels, old == nil)...)
		if od, ok := old.(*appsv1.Deployment); ok && !equality.Semantic.DeepEqual(o.Spec.Selector, od.Spec.Selector) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "selector"), o.Spec.Selector, "field is immutable"))
		}
	case *appsv1.ReplicaSet:
		errs = append(errs, validatePodSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		errs = append(errs, validateSelector(o.Spec.Selector, o.Spec.Template.Labels, old == nil)...)
	case *appsv1.DaemonSet:
		errs = append(errs, validatePodSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		errs = append(errs, validateSelector(o.Spec.Selector, o.Spec.Template.Labels, old == nil)...)
	case *appsv1.StatefulSet:
		errs = append(errs, validatePodSpec(&o.Spec.Template.Spec, field.NewPath("spec", "template", "spec"))...)
		errs = append(errs, validateSelector(o.Spec.Selector, o.Spec.Template.Labels, old == nil)...)
	case *batchv1.Job:
		tp := field.NewPath("spec", "template", "spec")
		errs = append(errs, validatePodSpec(&o.Spec.Template.Spec, tp)...)
		if rp := o.Spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyOnFailure && rp != corev1.RestartPolicyNever {
			errs = append(errs, field.NotSupported(tp.Child("restartPolicy"), rp, []string{string(corev1.RestartPolicyOnFailure), string(corev1.RestartPolicyNever)}))
		}
	case *batchv1.CronJob:
		if _, err := cron.ParseStandard(o.Spec.Schedule); err != nil {
			errs = append(errs, field.Invalid(field.NewPath("spec", "schedule"), o.Spec.Schedule, err.Error()))
		}
		errs = append(errs, validatePodSpec(&o.Spec.JobTemplate.Spec.Template.Spec, field.NewPath("spec", "jobTemplate", "spec", "template", "spec"))...)
	case *corev1.Service:
		if os, ok := old.(*corev1.Service); ok && os.Spec.ClusterIP != "" && o.Spec.ClusterIP != os.Spec.ClusterIP {
			errs = append(errs, field.Invalid(field.NewPath("spec", "clusterIPs").Index(0), o.Spec.ClusterIP, "may not change once set"))
		}
		if o.Spec.Type != corev1.ServiceTypeExternalName && len(o.Spec.Ports) == 0 && o.Spec.ClusterIP != corev1.ClusterIPNone {
			errs = append(errs, field.Required(field.NewPath("spec", "ports"), ""))
		}
	}
	return errs
}

func validateSelector(sel *metav1.LabelSelector, tmplLabels map[string]string, create bool) field.ErrorList {
	path := field.NewPath("spec", "selector")
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return field.ErrorList{field.Invalid(path, sel, "empty selector is invalid for deployment")}
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return field.ErrorList{field.Invalid(path, sel, err.Error())}
	}
	if !s.Matches(labels.Set(tmplLabels)) {
		return field.ErrorList{field.Invalid(field.NewPath("spec", "template", "metadata", "labels"), tmplLabels, "`selector` does not match template `labels`")}
	}
	return nil
}

func validatePodSpec(s *corev1.PodSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(path.Child("containers"), ""))
	}
	names := map[string]bool{}
	check := func(cs []corev1.Container, p *field.Path) {
		for i, c := range cs {
			cp := p.Index(i)
			if c.Name == "" {
				errs = append(errs, field.Required(cp.Child("name"), ""))
			} else {
				for _, msg := range validation.IsDNS1123Label(c.Name) {
					errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
				}
				if names[c.Name] {
					errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
				}
				names[c.Name] = true
			}
			if c.Image == "" {
				errs = append(errs, field.Required(cp.Child("image"), ""))
			}
		}
	}
	check(s.InitContainers, path.Child("initContainers"))
	check(s.Containers, path.Child("containers"))
	return errs
}

// validatePodUpdate enforces pod spec immutability: only container images,
// activeDeadlineSeconds, tolerations (additions) and a few more may change.
func validatePodUpdate(p, old *corev1.Pod) field.ErrorList {
	a, b := p.Spec.DeepCopy(), old.Spec.DeepCopy()
	for i := range a.Containers {
		if i < len(b.Containers) {
			a.Containers[i].Image = b.Containers[i].Image
		}
	}
	for i := range a.InitContainers {
		if i < len(b.InitContainers) {
			a.InitContainers[i].Image = b.InitContainers[i].Image
		}
	}
	a.ActiveDeadlineSeconds = b.ActiveDeadlineSeconds
	a.Tolerations = b.Tolerations
	a.TerminationGracePeriodSeconds = b.TerminationGracePeriodSeconds
	if b.NodeName == "" {
		// Binding sets nodeName through the binding subresource.
		a.NodeName = b.NodeName
	}
	if equality.Semantic.DeepEqual(a, b) {
		return nil
	}
	return field.ErrorList{field.Forbidden(field.NewPath("spec"), "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")}
}
