package registry

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// gcPolicy is a resource's default garbage-collection policy for a delete
// that names none (upstream rest.GarbageCollectionDeleteStrategy).
type gcPolicy int

const (
	deleteDependents gcPolicy = iota // the dependents go, in the background
	orphanDependents                 // batch/v1 Jobs and v1 ReplicationControllers, for backward compatibility
	gcUnsupported                    // Events: no finalizers are added
)

func defaultGCPolicy(res *Resource) gcPolicy {
	switch res.GVR.Resource {
	case "events":
		return gcUnsupported
	case "jobs":
		if res.GVR.Group == "batch" && res.GVR.Version == "v1" {
			return orphanDependents
		}
	case "replicationcontrollers":
		if res.GVR.Group == "" {
			return orphanDependents
		}
	}
	return deleteDependents
}

// gcFinalizers returns the finalizers an object is to have once a delete
// with opts is applied, and whether they differ from its current ones
// (upstream genericregistry deletionFinalizersForGarbageCollection): an
// explicit orphanDependents or propagationPolicy wins, then a finalizer the
// object already has, then the resource's default. Orphan adds
// "orphan", Foreground adds "foregroundDeletion", Background removes both.
func gcFinalizers(res *Resource, m metav1.Object, opts *metav1.DeleteOptions) ([]string, bool) {
	def := defaultGCPolicy(res)
	cur := m.GetFinalizers()
	if def == gcUnsupported {
		return cur, false
	}
	orphan, foreground := def == orphanDependents, false
	explicit := false
	switch {
	case opts != nil && opts.OrphanDependents != nil:
		orphan, explicit = *opts.OrphanDependents, true
	case opts != nil && opts.PropagationPolicy != nil:
		switch *opts.PropagationPolicy {
		case metav1.DeletePropagationOrphan:
			orphan, explicit = true, true
		case metav1.DeletePropagationForeground:
			orphan, foreground, explicit = false, true, true
		case metav1.DeletePropagationBackground:
			orphan, explicit = false, true
		}
	}
	if !explicit {
		switch {
		case slices.Contains(cur, metav1.FinalizerOrphanDependents):
			orphan = true
		case slices.Contains(cur, metav1.FinalizerDeleteDependents):
			orphan, foreground = false, true
		}
	}
	var out []string
	for _, f := range cur {
		if f != metav1.FinalizerOrphanDependents && f != metav1.FinalizerDeleteDependents {
			out = append(out, f)
		}
	}
	switch {
	case orphan:
		out = append(out, metav1.FinalizerOrphanDependents)
	case foreground:
		out = append(out, metav1.FinalizerDeleteDependents)
	}
	if sameSet(out, cur) {
		return cur, false
	}
	return out, true
}

func sameSet(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}
