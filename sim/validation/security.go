package validation

import (
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Security contexts and environment sources (core validation's
// ValidatePodSecurityContext, ValidateSecurityContext and
// validateEnvVarValueFrom), for the fields a learner sets.

var idRangeMsg = validation.InclusiveRangeError(0, math.MaxInt32)

func validID(v int64) bool { return v >= 0 && v <= math.MaxInt32 }

// validatePodSecurityContext checks s.SecurityContext; sp is the spec's
// path (the registry defaults an empty context on every pod, so the valid
// path builds no field path).
func validatePodSecurityContext(sc *corev1.PodSecurityContext, s *corev1.PodSpec, sp *field.Path) field.ErrorList {
	var errs field.ErrorList
	p := lazyChild{parent: sp, name: "securityContext"}
	if g := sc.FSGroup; g != nil && !validID(*g) {
		errs = append(errs, field.Invalid(p.Child("fsGroup"), *g, idRangeMsg))
	}
	if u := sc.RunAsUser; u != nil && !validID(*u) {
		errs = append(errs, field.Invalid(p.Child("runAsUser"), *u, idRangeMsg))
	}
	if g := sc.RunAsGroup; g != nil && !validID(*g) {
		errs = append(errs, field.Invalid(p.Child("runAsGroup"), *g, idRangeMsg))
	}
	for i, g := range sc.SupplementalGroups {
		if !validID(g) {
			errs = append(errs, field.Invalid(p.Child("supplementalGroups").Index(i), g, idRangeMsg))
		}
	}
	if spn := s.ShareProcessNamespace; spn != nil && *spn && s.HostPID {
		errs = append(errs, field.Invalid(p.Child("shareProcessNamespace"), *spn, "ShareProcessNamespace and HostPID cannot both be enabled"))
	}
	return errs
}

func validateSecurityContext(sc *corev1.SecurityContext, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if u := sc.RunAsUser; u != nil && !validID(*u) {
		errs = append(errs, field.Invalid(p.Child("runAsUser"), *u, idRangeMsg))
	}
	if g := sc.RunAsGroup; g != nil && !validID(*g) {
		errs = append(errs, field.Invalid(p.Child("runAsGroup"), *g, idRangeMsg))
	}
	if ape := sc.AllowPrivilegeEscalation; ape != nil && !*ape {
		if sc.Privileged != nil && *sc.Privileged {
			errs = append(errs, field.Invalid(p, bad(sc, "core"), "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
		}
		if sc.Capabilities != nil {
			for _, c := range sc.Capabilities.Add {
				if c == "CAP_SYS_ADMIN" {
					errs = append(errs, field.Invalid(p, bad(sc, "core"), "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"))
				}
			}
		}
	}
	return errs
}

// validateEnvValueFrom is validateEnvVarValueFrom without the downward API
// field path expressions (fieldRef's apiVersion counts as defaulted).
func validateEnvValueFrom(ev *corev1.EnvVar, p *field.Path) field.ErrorList {
	vf := ev.ValueFrom
	var errs field.ErrorList
	n := 0
	if vf.FieldRef != nil {
		n++
		if vf.FieldRef.FieldPath == "" {
			errs = append(errs, field.Required(p.Child("fieldRef", "fieldPath"), ""))
		}
	}
	if vf.ResourceFieldRef != nil {
		n++
	}
	keyRef := func(name, key string, kp *field.Path) {
		for _, msg := range nameIsDNSSubdomain(name, false) {
			errs = append(errs, field.Invalid(kp.Child("name"), name, msg))
		}
		if key == "" {
			errs = append(errs, field.Required(kp.Child("key"), ""))
		} else {
			for _, msg := range validation.IsConfigMapKey(key) {
				errs = append(errs, field.Invalid(kp.Child("key"), key, msg))
			}
		}
	}
	if r := vf.ConfigMapKeyRef; r != nil {
		n++
		keyRef(r.Name, r.Key, p.Child("configMapKeyRef"))
	}
	if r := vf.SecretKeyRef; r != nil {
		n++
		keyRef(r.Name, r.Key, p.Child("secretKeyRef"))
	}
	switch {
	case n == 0:
		errs = append(errs, field.Invalid(p, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case ev.Value != "":
		errs = append(errs, field.Invalid(p, "", "may not be specified when `value` is not empty"))
	case n > 1:
		errs = append(errs, field.Invalid(p, "", "may not have more than one field specified at a time"))
	}
	return errs
}

// lazyChild builds parent.Child(name) on first use.
type lazyChild struct {
	parent *field.Path
	name   string
	path   *field.Path
}

func (l *lazyChild) Child(name string, more ...string) *field.Path {
	if l.path == nil {
		l.path = l.parent.Child(l.name)
	}
	return l.path.Child(name, more...)
}
