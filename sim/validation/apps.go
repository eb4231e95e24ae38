package validation

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The rules of pkg/apis/apps/validation and the apps registry strategies.

// ValidateDeployment is ValidateDeployment.
func ValidateDeployment(d *appsv1.Deployment) field.ErrorList {
	errs := validateObjectMeta(&d.ObjectMeta, true, subdomainName)
	return append(errs, validateDeploymentSpec(&d.Spec)...)
}

// ValidateDeploymentUpdate is ValidateDeploymentUpdate plus the strategy's
// selector immutability (apps/v1).
func ValidateDeploymentUpdate(d, old *appsv1.Deployment) field.ErrorList {
	errs := validateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateDeploymentSpec(&d.Spec)...)
	return append(errs, validateImmutableGo(d.Spec.Selector, old.Spec.Selector, "", specPath.Child("selector"))...)
}

func validateDeploymentSpec(s *appsv1.DeploymentSpec) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	replicas := int32(1)
	if s.Replicas != nil {
		replicas = *s.Replicas
		errs = append(errs, validateNonnegative(int64(replicas), p.Child("replicas"))...)
	}
	serr, ok := validateSelectorAndTemplate(s.Selector, s.Template.Labels, "deployment", "invalid label selector", p)
	errs = append(errs, serr...)
	if ok {
		errs = append(errs, validateTemplateForReplicaSet(&s.Template, "ReplicaSet", p.Child("template"))...)
	}
	errs = append(errs, validateDeploymentStrategy(&s.Strategy, p.Child("strategy"))...)
	errs = append(errs, validateNonnegative(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, validateNonnegative(int64(*s.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	if pds := s.ProgressDeadlineSeconds; pds != nil {
		errs = append(errs, validateNonnegative(int64(*pds), p.Child("progressDeadlineSeconds"))...)
		if *pds <= s.MinReadySeconds {
			errs = append(errs, field.Invalid(p.Child("progressDeadlineSeconds"), *pds, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// validateTemplateForReplicaSet is ValidatePodTemplateSpecForReplicaSet
// after the selector check: the pod template, restartPolicy Always, no
// activeDeadlineSeconds. kind names the controller in the message.
func validateTemplateForReplicaSet(t *corev1.PodTemplateSpec, kind string, p *field.Path) field.ErrorList {
	errs := validatePodTemplateSpec(t, p)
	if t.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(p.Child("spec", "restartPolicy"), t.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if t.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(p.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in "+kind+" is not Supported"))
	}
	return errs
}

func validateDeploymentStrategy(s *appsv1.DeploymentStrategy, p *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			return field.ErrorList{field.Forbidden(p.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'")}
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		ru := s.RollingUpdate
		if ru == nil {
			return field.ErrorList{field.Required(p.Child("rollingUpdate"), "this should be defaulted and never be nil")}
		}
		rp := p.Child("rollingUpdate")
		maxUnavailable, maxSurge := orDefault(ru.MaxUnavailable), orDefault(ru.MaxSurge)
		var errs field.ErrorList
		errs = append(errs, validatePositiveIntOrPercent(maxUnavailable, rp.Child("maxUnavailable"))...)
		errs = append(errs, validatePositiveIntOrPercent(maxSurge, rp.Child("maxSurge"))...)
		if intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0 {
			errs = append(errs, field.Invalid(rp.Child("maxUnavailable"), bad(maxUnavailable, ""), "may not be 0 when `maxSurge` is 0"))
		}
		return append(errs, notMoreThan100Percent(maxUnavailable, rp.Child("maxUnavailable"))...)
	default:
		return field.ErrorList{field.NotSupported(p, bad(s, "apps"), []string{string(appsv1.RecreateDeploymentStrategyType), string(appsv1.RollingUpdateDeploymentStrategyType)})}
	}
	return nil
}

// orDefault is the defaulted value of a rolling update bound (25%).
func orDefault(v *intstr.IntOrString) intstr.IntOrString {
	if v == nil {
		return intstr.FromString("25%")
	}
	return *v
}

// validatePositiveIntOrPercent is ValidatePositiveIntOrPercent.
func validatePositiveIntOrPercent(v intstr.IntOrString, p *field.Path) field.ErrorList {
	switch v.Type {
	case intstr.String:
		var errs field.ErrorList
		for _, msg := range validation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(p, bad(v, ""), msg))
		}
		return errs
	case intstr.Int:
		return validateNonnegative(int64(v.IntValue()), p)
	}
	return field.ErrorList{field.Invalid(p, bad(v, ""), "must be an integer or percentage (e.g '5%%')")}
}

func percentValue(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(validation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

func intOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percentValue(v); ok {
		return n
	}
	return v.IntValue()
}

// notMoreThan100Percent is IsNotMoreThan100Percent.
func notMoreThan100Percent(v intstr.IntOrString, p *field.Path) field.ErrorList {
	if n, ok := percentValue(v); ok && n > 100 {
		return field.ErrorList{field.Invalid(p, bad(v, ""), "must not be greater than 100%")}
	}
	return nil
}

// ValidateReplicaSet is ValidateReplicaSet.
func ValidateReplicaSet(rs *appsv1.ReplicaSet) field.ErrorList {
	errs := validateObjectMeta(&rs.ObjectMeta, true, subdomainName)
	return append(errs, validateReplicaSetSpec(&rs.Spec)...)
}

// ValidateReplicaSetUpdate is the strategy's ValidateUpdate.
func ValidateReplicaSetUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	return validateSelectorOwnerUpdate(ValidateReplicaSet(rs), &rs.ObjectMeta, &old.ObjectMeta, validateReplicaSetSpec(&rs.Spec), rs.Spec.Selector, old.Spec.Selector)
}

// validateSelectorOwnerUpdate is the ValidateUpdate of the ReplicaSet and
// DaemonSet strategies: the whole object again (upstream validates the spec
// twice; NewInvalid's message shows each error once), the metadata update,
// the spec, then selector immutability.
func validateSelectorOwnerUpdate(whole field.ErrorList, m, oldm *metav1.ObjectMeta, spec field.ErrorList, sel, oldSel *metav1.LabelSelector) field.ErrorList {
	errs := append(whole, validateObjectMetaUpdate(m, oldm)...)
	errs = append(errs, spec...)
	return append(errs, validateImmutableGo(sel, oldSel, "", specPath.Child("selector"))...)
}

func validateReplicaSetSpec(s *appsv1.ReplicaSetSpec) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	if s.Replicas != nil {
		errs = append(errs, validateNonnegative(int64(*s.Replicas), p.Child("replicas"))...)
	}
	errs = append(errs, validateNonnegative(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	serr, ok := validateSelectorAndTemplate(s.Selector, s.Template.Labels, "deployment", "invalid label selector", p)
	errs = append(errs, serr...)
	if ok {
		errs = append(errs, validateTemplateForReplicaSet(&s.Template, "ReplicaSet", p.Child("template"))...)
	}
	return errs
}

// ValidateDaemonSet is ValidateDaemonSet.
func ValidateDaemonSet(ds *appsv1.DaemonSet) field.ErrorList {
	errs := validateObjectMeta(&ds.ObjectMeta, true, subdomainName)
	return append(errs, validateDaemonSetSpec(&ds.Spec)...)
}

// ValidateDaemonSetUpdate is the strategy's ValidateUpdate.
func ValidateDaemonSetUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	return validateSelectorOwnerUpdate(ValidateDaemonSet(ds), &ds.ObjectMeta, &old.ObjectMeta, validateDaemonSetSpec(&ds.Spec), ds.Spec.Selector, old.Spec.Selector)
}

func validateDaemonSetSpec(s *appsv1.DaemonSetSpec) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	errs = append(errs, validateLabelSelector(s.Selector, p.Child("selector"))...)
	if sel, err := metav1.LabelSelectorAsSelector(s.Selector); err == nil && !sel.Matches(labels.Set(s.Template.Labels)) {
		errs = append(errs, field.Invalid(p.Child("template", "metadata", "labels"), bad(s.Template.Labels, ""), "`selector` does not match template `labels`"))
	}
	if s.Selector != nil && len(s.Selector.MatchLabels)+len(s.Selector.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(p.Child("selector"), bad(s.Selector, ""), "empty selector is invalid for daemonset"))
	}
	errs = append(errs, validatePodTemplateSpec(&s.Template, p.Child("template"))...)
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(p.Child("template", "spec", "restartPolicy"), s.Template.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(p.Child("template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in DaemonSet is not Supported"))
	}
	errs = append(errs, validateNonnegative(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	up := p.Child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
	case appsv1.RollingUpdateDaemonSetStrategyType:
		ru := s.UpdateStrategy.RollingUpdate
		if ru == nil {
			errs = append(errs, field.Required(up.Child("rollingUpdate"), ""))
			break
		}
		rp := up.Child("rollingUpdate")
		maxUnavailable := orInt(ru.MaxUnavailable, intstr.FromInt32(1))
		maxSurge := orInt(ru.MaxSurge, intstr.FromInt32(0))
		errs = append(errs, validatePositiveIntOrPercent(maxUnavailable, rp.Child("maxUnavailable"))...)
		errs = append(errs, validatePositiveIntOrPercent(maxSurge, rp.Child("maxSurge"))...)
		errs = append(errs, notMoreThan100Percent(maxUnavailable, rp.Child("maxUnavailable"))...)
		errs = append(errs, notMoreThan100Percent(maxSurge, rp.Child("maxSurge"))...)
		hasUnavailable, hasSurge := intOrPercentValue(maxUnavailable) != 0, intOrPercentValue(maxSurge) != 0
		switch {
		case hasUnavailable && hasSurge:
			errs = append(errs, field.Invalid(rp.Child("maxSurge"), bad(maxSurge, ""), "may not be set when maxUnavailable is non-zero"))
		case !hasUnavailable && !hasSurge:
			errs = append(errs, field.Required(rp.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
		}
	default:
		errs = append(errs, field.NotSupported(up, bad(s.UpdateStrategy, "apps"), []string{string(appsv1.RollingUpdateDaemonSetStrategyType), string(appsv1.OnDeleteDaemonSetStrategyType)}))
	}
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, validateNonnegative(int64(*s.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	return errs
}

func orInt(v *intstr.IntOrString, def intstr.IntOrString) intstr.IntOrString {
	if v == nil {
		return def
	}
	return *v
}

// ValidateStatefulSet is ValidateStatefulSet for the cluster version v.
// 1.27–1.33 do not validate a StatefulSet's pod template spec (upstream's
// TODO), only its labels and annotations.
func ValidateStatefulSet(s *appsv1.StatefulSet, v Version) field.ErrorList {
	errs := validateObjectMeta(&s.ObjectMeta, true, labelName)
	return append(errs, validateStatefulSetSpec(&s.Spec, v, true)...)
}

// ValidateStatefulSetUpdate is ValidateStatefulSetUpdate: only replicas,
// ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
// minReadySeconds (and from 1.33 revisionHistoryLimit) may change.
func ValidateStatefulSetUpdate(s, old *appsv1.StatefulSet, v Version) field.ErrorList {
	errs := validateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateStatefulSetSpec(&s.Spec, v, false)...)
	c := s.Spec.DeepCopy()
	c.Replicas = old.Spec.Replicas
	c.Template = old.Spec.Template
	c.UpdateStrategy = old.Spec.UpdateStrategy
	c.MinReadySeconds = old.Spec.MinReadySeconds
	c.Ordinals = old.Spec.Ordinals
	c.PersistentVolumeClaimRetentionPolicy = old.Spec.PersistentVolumeClaimRetentionPolicy
	msg := "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
	if v >= 33 {
		c.RevisionHistoryLimit = old.Spec.RevisionHistoryLimit
		msg = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
	}
	if !specEqualAny(c, &old.Spec) {
		errs = append(errs, field.Forbidden(specPath, msg))
	}
	return errs
}

var retentionPolicies = []string{string(appsv1.RetainPersistentVolumeClaimRetentionPolicyType), string(appsv1.DeletePersistentVolumeClaimRetentionPolicyType)}

func validateStatefulSetSpec(s *appsv1.StatefulSetSpec, v Version, create bool) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	switch s.PodManagementPolicy {
	case "":
		errs = append(errs, field.Required(p.Child("podManagementPolicy"), ""))
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	default:
		errs = append(errs, field.Invalid(p.Child("podManagementPolicy"), s.PodManagementPolicy, "must be 'OrderedReady' or 'Parallel'"))
	}
	switch s.UpdateStrategy.Type {
	case "":
		errs = append(errs, field.Required(p.Child("updateStrategy"), ""))
	case appsv1.OnDeleteStatefulSetStrategyType:
		if s.UpdateStrategy.RollingUpdate != nil {
			errs = append(errs, field.Invalid(p.Child("updateStrategy", "rollingUpdate"), bad(s.UpdateStrategy.RollingUpdate, "apps"), "only allowed for updateStrategy 'RollingUpdate'"))
		}
	case appsv1.RollingUpdateStatefulSetStrategyType:
		if ru := s.UpdateStrategy.RollingUpdate; ru != nil {
			rp := p.Child("updateStrategy", "rollingUpdate")
			if ru.Partition != nil {
				errs = append(errs, validateNonnegative(int64(*ru.Partition), rp.Child("partition"))...)
			}
			if ru.MaxUnavailable != nil {
				mp := rp.Child("maxUnavailable")
				errs = append(errs, validatePositiveIntOrPercent(*ru.MaxUnavailable, mp)...)
				if intOrPercentValue(*ru.MaxUnavailable) == 0 {
					errs = append(errs, field.Invalid(mp, bad(*ru.MaxUnavailable, ""), "cannot be 0"))
				}
				errs = append(errs, notMoreThan100Percent(*ru.MaxUnavailable, mp)...)
			}
		}
	default:
		errs = append(errs, field.Invalid(p.Child("updateStrategy"), bad(s.UpdateStrategy, "apps"), "must be 'RollingUpdate' or 'OnDelete'"))
	}
	if rp := s.PersistentVolumeClaimRetentionPolicy; rp != nil {
		for _, f := range []struct {
			name string
			v    appsv1.PersistentVolumeClaimRetentionPolicyType
		}{{"whenDeleted", rp.WhenDeleted}, {"whenScaled", rp.WhenScaled}} {
			if f.v != appsv1.RetainPersistentVolumeClaimRetentionPolicyType && f.v != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
				errs = append(errs, field.NotSupported(p.Child("persistentVolumeClaimRetentionPolicy", f.name), f.v, retentionPolicies))
			}
		}
	}
	if s.Replicas != nil {
		errs = append(errs, validateNonnegative(int64(*s.Replicas), p.Child("replicas"))...)
	}
	errs = append(errs, validateNonnegative(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	if s.Ordinals != nil {
		errs = append(errs, validateNonnegative(int64(s.Ordinals.Start), p.Child("ordinals.start"))...)
	}
	if v >= 33 && create && s.ServiceName != "" {
		errs = append(errs, validateDNS1123Label(s.ServiceName, p.Child("serviceName"))...)
	}
	serr, ok := validateSelectorAndTemplate(s.Selector, s.Template.Labels, "statefulset", "", p)
	errs = append(errs, serr...)
	if ok {
		tp := p.Child("template")
		if len(s.Template.Labels) > 0 {
			errs = append(errs, validateLabels(s.Template.Labels, tp.Child("labels"))...)
		}
		if len(s.Template.Annotations) > 0 {
			errs = append(errs, validateAnnotations(s.Template.Annotations, tp.Child("annotations"))...)
		}
	}
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(p.Child("template", "spec", "restartPolicy"), s.Template.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(p.Child("template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"))
	}
	return errs
}

// ValidateScale is autoscaling's ValidateScale, which the scale subresource
// of deployments, replica sets and stateful sets checks before the owner's
// own rules (errors are reported for kind Scale.autoscaling).
func ValidateScale(s *autoscalingv1.Scale) field.ErrorList {
	errs := validateObjectMeta(&s.ObjectMeta, true, subdomainName)
	if s.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(specPath.Child("replicas"), s.Spec.Replicas, isNegativeErrorMsg))
	}
	return errs
}
