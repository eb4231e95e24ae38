package registry

import (
	"errors"
	"fmt"
	"time"

	"kubesim/sim/podutil"
	"kubesim/sim/store"
	"kubesim/sim/validation"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Bind sets a pod's node, as the pods/binding storage does: the pod must not
// be bound yet, and it gets the PodScheduled=True condition.
func (r *Registry) Bind(ns, name, node string) error { return r.bind(ns, name, node, false) }

// DryRunBind checks a binding as Bind does and writes nothing (dryRun=All).
func (r *Registry) DryRunBind(ns, name, node string) error { return r.bind(ns, name, node, true) }

func (r *Registry) bind(ns, name, node string, dryRun bool) error {
	podRes := byGVR[coreV1.WithResource("pods")]
	key := Key(podRes, ns, name)
	kv, err := r.store.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(podRes, name)
	} else if err != nil {
		return apierrors.NewInternalError(err)
	}
	pod := kv.Obj.(*corev1.Pod)
	if pod.DeletionTimestamp != nil {
		return apierrors.NewConflict(podRes.GR(), name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", name))
	}
	if pod.Spec.NodeName != "" {
		return apierrors.NewConflict(podRes.GR(), name, fmt.Errorf("pod %s is already assigned to node %q", name, pod.Spec.NodeName))
	}
	// Stored objects are never modified, so the bound pod shares every part
	// of the pending one but the conditions it changes; a pod that had
	// none gets the conditions every pod bound in this second gets.
	cp := *pod
	cp.Spec.NodeName = node
	sec := r.clock.Now().Unix()
	if len(pod.Status.Conditions) == 0 {
		cp.Status.Conditions = r.scheduledConditions(sec)
	} else {
		cp.Status.Conditions = append(make([]corev1.PodCondition, 0, len(pod.Status.Conditions)+1), pod.Status.Conditions...)
		podutil.UpdatePodCondition(&cp.Status, &corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(time.Unix(sec, 0).UTC())})
	}
	if dryRun {
		return nil
	}
	_, err = r.putKey(podRes, key, &cp, 0, false)
	return err
}

// scheduledConditions is a bound pod's conditions when it had none before:
// PodScheduled=True since second sec, one list for every pod bound in that
// second (capacity its length, so an append copies it).
func (r *Registry) scheduledConditions(sec int64) []corev1.PodCondition {
	if r.scheduled == nil || r.scheduled[0].LastTransitionTime.Unix() != sec {
		r.scheduled = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(time.Unix(sec, 0).UTC())}}
	}
	return r.scheduled
}

// scalable returns the parts of a Deployment, ReplicaSet or StatefulSet the
// scale subresource reads and writes.
func scalable(obj runtime.Object) (meta *metav1.ObjectMeta, replicas **int32, current int32, sel *metav1.LabelSelector, ok bool) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	case *appsv1.ReplicaSet:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	case *appsv1.StatefulSet:
		return &o.ObjectMeta, &o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector, true
	}
	return nil, nil, 0, nil, false
}

func scaleMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp}
}

// GetScale returns the scale subresource of a Deployment, ReplicaSet or
// StatefulSet.
func (r *Registry) GetScale(res *Resource, ns, name string) (*autoscalingv1.Scale, error) {
	obj, err := r.Get(res, ns, name)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(*unstructured.Unstructured); ok && res.Custom != nil {
		return customScaleOf(res, u)
	}
	return scaleOf(res, obj)
}

func scaleOf(res *Resource, obj runtime.Object) (*autoscalingv1.Scale, error) {
	m, replicas, current, sel, ok := scalable(obj)
	if !ok {
		return nil, notFound(res, ObjectMeta(obj).GetName())
	}
	sc := &autoscalingv1.Scale{TypeMeta: metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"}, ObjectMeta: scaleMeta(*m)}
	sc.Spec.Replicas = **replicas
	sc.Status.Replicas = current
	if sl, err := metav1.LabelSelectorAsSelector(sel); err == nil {
		sc.Status.Selector = sl.String()
	}
	return sc, nil
}

// SetScale sets spec.replicas through the scale subresource and returns
// the new scale; with dryRun nothing is written and the scale returned is
// the one the write would have given.
func (r *Registry) SetScale(res *Resource, ns, name string, n int32, dryRun bool) (*autoscalingv1.Scale, error) {
	if res.Custom != nil {
		return r.customSetScale(res, ns, name, n, dryRun)
	}
	obj, err := r.Get(res, ns, name)
	if err != nil {
		return nil, err
	}
	cp := obj.DeepCopyObject()
	m, replicas, _, _, ok := scalable(cp)
	if !ok {
		return nil, notFound(res, name)
	}
	scale := &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace}, Spec: autoscalingv1.ScaleSpec{Replicas: n}}
	if errs := validation.ValidateScale(scale); len(errs) > 0 {
		return nil, apierrors.NewInvalid(schema.GroupKind{Group: "autoscaling", Kind: "Scale"}, name, errs)
	}
	before, err := scaleOf(res, obj)
	if err != nil {
		return nil, err
	}
	*replicas = &n
	m.ResourceVersion = ""
	r.trackScale(res, m, before, n)
	r.tracked = true
	defer func() { r.tracked = false }()
	out, err := r.update(res, ns, cp, "", dryRun)
	if err != nil {
		return nil, err
	}
	return scaleOf(res, out)
}
