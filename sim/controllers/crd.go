package controllers

import (
	"fmt"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// crdController is apiextensions-apiserver's controllers for a
// CustomResourceDefinition, run as one loop component: naming (the
// accepted names and NamesAccepted: a name another CRD of the group has
// accepted is a conflict), establishing (Established once the names are
// accepted, at once, as a single apiserver does) and finalizing (a CRD
// being deleted loses its custom objects, then its cleanup finalizer).
// The registry serves a CRD's resources once it is Established.
type crdController struct {
	controller[*apiextensionsv1.CustomResourceDefinition]
}

func newCRD(b *base) *crdController {
	c := &crdController{}
	c.controller = newController[*apiextensionsv1.CustomResourceDefinition](b, "crd", registry.CRDResource(), c.sync)
	c.onEventFor = func(res string) bool { return res == "customresourcedefinitions" || isCustomResource(res) }
	c.onEvent = func(ev store.Event, res, _, _ string) {
		switch {
		case res == "customresourcedefinitions":
			// A CRD's names free or take names of the others in its group.
			c.relistNS("")
		case ev.Type == store.Delete && isCustomResource(res):
			// A terminating CRD waits for its objects.
			c.relistNS("")
		}
	}
	return c
}

// isCustomResource reports whether a key's resource (splitKey) is a
// custom resource's ("<group>/<resource>").
func isCustomResource(res string) bool {
	for i := 0; i < len(res); i++ {
		if res[i] == '/' {
			return true
		}
	}
	return false
}

func crdCondition(crd *apiextensionsv1.CustomResourceDefinition, t apiextensionsv1.CustomResourceDefinitionConditionType) *apiextensionsv1.CustomResourceDefinitionCondition {
	for i := range crd.Status.Conditions {
		if crd.Status.Conditions[i].Type == t {
			return &crd.Status.Conditions[i]
		}
	}
	return nil
}

// setCRDCondition is apihelpers.SetCRDCondition: the transition time
// changes only with the status.
func setCRDCondition(crd *apiextensionsv1.CustomResourceDefinition, c apiextensionsv1.CustomResourceDefinitionCondition) {
	if old := crdCondition(crd, c.Type); old != nil {
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		*old = c
		return
	}
	crd.Status.Conditions = append(crd.Status.Conditions, c)
}

func (c *crdController) sync(key string, _ time.Time) bool {
	crd, ok := c.get(key)
	if !ok {
		return false
	}
	if crd.DeletionTimestamp != nil {
		return c.finalize(crd)
	}
	cp := crd.DeepCopy()
	now := c.metaNow()
	names, cond := c.names(crd)
	cond.LastTransitionTime = now
	cp.Status.AcceptedNames = names
	setCRDCondition(cp, cond)
	if cond.Status == apiextensionsv1.ConditionTrue {
		if e := crdCondition(cp, apiextensionsv1.Established); e == nil || e.Status != apiextensionsv1.ConditionTrue {
			setCRDCondition(cp, apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue,
				Reason: "InitialNamesAccepted", Message: "the initial names have been accepted", LastTransitionTime: now})
		}
	}
	if equalStatus(cp, crd) {
		return false
	}
	return c.update(c.primary, cp, "status")
}

func equalStatus(a, b *apiextensionsv1.CustomResourceDefinition) bool {
	ab, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(&a.Status)
	bb, _ := runtime.DefaultUnstructuredConverter.ToUnstructured(&b.Status)
	return fmt.Sprint(ab) == fmt.Sprint(bb)
}

// names is the naming controller's calculateNamesAndConditions: the names
// the CRD asks for are accepted unless another CRD of its group has
// accepted one of them; on a conflict the previously accepted name stays.
func (c *crdController) names(crd *apiextensionsv1.CustomResourceDefinition) (apiextensionsv1.CustomResourceDefinitionNames, apiextensionsv1.CustomResourceDefinitionCondition) {
	taken, kinds := map[string]bool{}, map[string]bool{}
	for _, o := range list[*apiextensionsv1.CustomResourceDefinition](c.base, c.primary, "") {
		if o.Name == crd.Name || o.Spec.Group != crd.Spec.Group {
			continue
		}
		n := o.Status.AcceptedNames
		taken[n.Plural], taken[n.Singular] = true, true
		for _, s := range n.ShortNames {
			taken[s] = true
		}
		kinds[n.Kind], kinds[n.ListKind] = true, true
	}
	want, accepted := crd.Spec.Names, crd.Status.AcceptedNames
	out := accepted
	conflict := func(reason, name string) apiextensionsv1.CustomResourceDefinitionCondition {
		return apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.NamesAccepted, Status: apiextensionsv1.ConditionFalse,
			Reason: reason, Message: fmt.Sprintf("%q is already in use", name)}
	}
	var cond *apiextensionsv1.CustomResourceDefinitionCondition
	note := func(cd apiextensionsv1.CustomResourceDefinitionCondition) {
		cond = &cd // each check overwrites the condition: the last conflict shows
	}
	if taken[want.Plural] {
		note(conflict("PluralConflict", want.Plural))
	} else {
		out.Plural = want.Plural
	}
	if taken[want.Singular] {
		note(conflict("SingularConflict", want.Singular))
	} else {
		out.Singular = want.Singular
	}
	shortOK := true
	var shortMsgs []string
	for _, s := range want.ShortNames {
		if taken[s] {
			shortMsgs = append(shortMsgs, fmt.Sprintf("%q is already in use", s))
			shortOK = false
		}
	}
	if !shortOK {
		c := conflict("ShortNamesConflict", "")
		c.Message = strings.Join(shortMsgs, ", ")
		if len(shortMsgs) > 1 {
			c.Message = "[" + c.Message + "]"
		}
		note(c)
	}
	if shortOK {
		out.ShortNames = want.ShortNames
	}
	if kinds[want.Kind] {
		note(conflict("KindConflict", want.Kind))
	} else {
		out.Kind = want.Kind
	}
	if kinds[want.ListKind] {
		note(conflict("ListKindConflict", want.ListKind))
	} else {
		out.ListKind = want.ListKind
	}
	out.Categories = want.Categories
	if cond != nil {
		return out, *cond
	}
	return out, apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.NamesAccepted, Status: apiextensionsv1.ConditionTrue,
		Reason: "NoConflicts", Message: "no conflicts found"}
}

// finalize is the finalizing controller: with the cleanup finalizer, the
// CRD's objects are deleted (Terminating: InstanceDeletionInProgress), and
// once none is left the finalizer goes and with it the CRD.
func (c *crdController) finalize(crd *apiextensionsv1.CustomResourceDefinition) bool {
	has := false
	for _, f := range crd.Finalizers {
		has = has || f == registry.CRDCleanupFinalizer
	}
	if !has {
		return false
	}
	wrote, remaining := false, 0
	for _, res := range c.Registry.CustomResources() {
		if res.Custom.CRD.Name != crd.Name {
			continue
		}
		objs, _, _ := c.Registry.List(res, "", registry.ListOptions{})
		for _, o := range objs {
			remaining++
			m := metaOf(o)
			if m.GetDeletionTimestamp() != nil {
				continue
			}
			if _, err := c.Registry.Delete(res, m.GetNamespace(), m.GetName(), &metav1.DeleteOptions{}); err == nil {
				wrote = true
			}
		}
		break // every version lists the same objects
	}
	if remaining == 0 {
		// Re-listed: objects without finalizers went at once.
		for _, res := range c.Registry.CustomResources() {
			if res.Custom.CRD.Name == crd.Name {
				objs, _, _ := c.Registry.List(res, "", registry.ListOptions{})
				remaining = len(objs)
				break
			}
		}
	}
	cp := crd.DeepCopy()
	if remaining > 0 {
		setCRDCondition(cp, apiextensionsv1.CustomResourceDefinitionCondition{Type: apiextensionsv1.Terminating, Status: apiextensionsv1.ConditionTrue,
			Reason: "InstanceDeletionInProgress", Message: "CustomResource deletion is in progress", LastTransitionTime: c.metaNow()})
		if !equalStatus(cp, crd) && c.update(c.primary, cp, "status") {
			wrote = true
		}
		return wrote
	}
	var fins []string
	for _, f := range cp.Finalizers {
		if f != registry.CRDCleanupFinalizer {
			fins = append(fins, f)
		}
	}
	cp.Finalizers = fins
	return c.update(c.primary, cp, "") || wrote
}
