package validation

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidatePodEphemeralContainersUpdate is what the pods/ephemeralcontainers
// strategy checks (upstream's ValidatePodEphemeralContainersUpdate, a
// subset): the metadata update, no ephemeral containers on a static pod,
// existing ones neither removed nor changed, names unique among all the
// pod's containers, the fields an ephemeral container may not set, and a
// target container that exists. [Not ported: the full container spec
// validation of the new entries (image, env, mounts).]
func ValidatePodEphemeralContainersUpdate(p, old *corev1.Pod) field.ErrorList {
	errs := validateObjectMetaUpdate(&p.ObjectMeta, &old.ObjectMeta)
	if _, ok := old.Annotations["kubernetes.io/config.mirror"]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
	}
	specPath := field.NewPath("spec", "ephemeralContainers")
	names := map[string]bool{}
	for _, c := range p.Spec.InitContainers {
		names[c.Name] = true
	}
	for _, c := range p.Spec.Containers {
		names[c.Name] = true
	}
	for i, c := range p.Spec.EphemeralContainers {
		idx := specPath.Index(i)
		switch {
		case c.Name == "":
			errs = append(errs, field.Required(idx.Child("name"), ""))
		case names[c.Name]:
			errs = append(errs, field.Duplicate(idx.Child("name"), c.Name))
		}
		names[c.Name] = true
		if c.Image == "" {
			errs = append(errs, field.Required(idx.Child("image"), ""))
		}
		forbid := func(set bool, name string) {
			if set {
				errs = append(errs, field.Forbidden(idx.Child(name), "cannot be set for an Ephemeral Container"))
			}
		}
		forbid(c.Lifecycle != nil, "lifecycle")
		forbid(c.LivenessProbe != nil, "livenessProbe")
		forbid(c.ReadinessProbe != nil, "readinessProbe")
		forbid(len(c.Ports) > 0, "ports")
		forbid(len(c.Resources.Limits) > 0 || len(c.Resources.Requests) > 0, "resources")
		forbid(c.StartupProbe != nil, "startupProbe")
		if t := c.TargetContainerName; t != "" {
			named := func(x corev1.Container) bool { return x.Name == t }
			if !slices.ContainsFunc(p.Spec.Containers, named) && !slices.ContainsFunc(p.Spec.InitContainers, named) {
				errs = append(errs, field.NotFound(idx.Child("targetContainerName"), t))
			}
		}
	}
	byName := map[string]*corev1.EphemeralContainer{}
	for i := range p.Spec.EphemeralContainers {
		byName[p.Spec.EphemeralContainers[i].Name] = &p.Spec.EphemeralContainers[i]
	}
	for _, o := range old.Spec.EphemeralContainers {
		n, ok := byName[o.Name]
		switch {
		case !ok:
			errs = append(errs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", o.Name)))
		case !equality.Semantic.DeepEqual(o, *n):
			errs = append(errs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be changed\n", o.Name)))
		}
	}
	return errs
}
