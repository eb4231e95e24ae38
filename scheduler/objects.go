package scheduler

import (
	"maps"
	"slices"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/labels"

	"kubesim/scheduler/framework"
)

// Built-in PriorityClasses (pkg/apis/scheduling/types.go).
const (
	SystemClusterCritical         = "system-cluster-critical"
	SystemNodeCritical            = "system-node-critical"
	SystemCriticalPriority  int32 = 2000000000
	systemNodeCriticalValue int32 = SystemCriticalPriority + 1000
)

func nsName(ns, name string) string { return ns + "/" + name }

// objects holds the non-node, non-pod objects plugins consult.
type objects struct {
	services     map[string]*v1.Service
	replicaSets  map[string]*appsv1.ReplicaSet
	statefulSets map[string]*appsv1.StatefulSet
	rcs          map[string]*v1.ReplicationController
	namespaces   map[string]*v1.Namespace
	pdbs         map[string]*policyv1.PodDisruptionBudget
	pdbList      []*policyv1.PodDisruptionBudget
	priority     map[string]*schedulingv1.PriorityClass
	pvcs         map[string]*v1.PersistentVolumeClaim
	pvs          map[string]*v1.PersistentVolume
	pvList       []*v1.PersistentVolume // pvs by name; nil when stale
	classes      map[string]*storagev1.StorageClass
}

var _ framework.ObjectLister = &objects{}

func newObjects() *objects {
	o := &objects{services: map[string]*v1.Service{}, replicaSets: map[string]*appsv1.ReplicaSet{},
		statefulSets: map[string]*appsv1.StatefulSet{}, rcs: map[string]*v1.ReplicationController{},
		namespaces: map[string]*v1.Namespace{}, pdbs: map[string]*policyv1.PodDisruptionBudget{},
		priority: map[string]*schedulingv1.PriorityClass{}, pvcs: map[string]*v1.PersistentVolumeClaim{},
		pvs: map[string]*v1.PersistentVolume{}, classes: map[string]*storagev1.StorageClass{}}
	o.priority[SystemClusterCritical] = &schedulingv1.PriorityClass{Value: SystemCriticalPriority}
	o.priority[SystemClusterCritical].Name = SystemClusterCritical
	o.priority[SystemNodeCritical] = &schedulingv1.PriorityClass{Value: systemNodeCriticalValue}
	o.priority[SystemNodeCritical].Name = SystemNodeCritical
	return o
}

func (o *objects) ServicesSelecting(pod *v1.Pod) []map[string]string {
	var out []map[string]string
	keys := make([]string, 0)
	for k, s := range o.services {
		if s.Namespace == pod.Namespace && s.Spec.Selector != nil {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		sel := o.services[k].Spec.Selector
		if labels.SelectorFromSet(sel).Matches(labels.Set(pod.Labels)) {
			out = append(out, sel)
		}
	}
	return out
}

func (o *objects) ReplicaSet(ns, name string) *appsv1.ReplicaSet {
	return o.replicaSets[nsName(ns, name)]
}
func (o *objects) StatefulSet(ns, name string) *appsv1.StatefulSet {
	return o.statefulSets[nsName(ns, name)]
}
func (o *objects) ReplicationController(ns, name string) *v1.ReplicationController {
	return o.rcs[nsName(ns, name)]
}
func (o *objects) NamespaceLabels(ns string) labels.Set {
	if n := o.namespaces[ns]; n != nil {
		return n.Labels
	}
	return nil
}
func (o *objects) PodDisruptionBudgets() []*policyv1.PodDisruptionBudget { return o.pdbList }

func (o *objects) PersistentVolumeClaim(ns, name string) *v1.PersistentVolumeClaim {
	return o.pvcs[nsName(ns, name)]
}
func (o *objects) PersistentVolume(name string) *v1.PersistentVolume { return o.pvs[name] }
func (o *objects) StorageClass(name string) *storagev1.StorageClass  { return o.classes[name] }
func (o *objects) PersistentVolumes() []*v1.PersistentVolume {
	if o.pvList == nil && len(o.pvs) > 0 {
		for _, k := range slices.Sorted(maps.Keys(o.pvs)) {
			o.pvList = append(o.pvList, o.pvs[k])
		}
	}
	return o.pvList
}

func (o *objects) rebuildPDBs() {
	keys := slices.Sorted(maps.Keys(o.pdbs))
	o.pdbList = o.pdbList[:0]
	for _, k := range keys {
		o.pdbList = append(o.pdbList, o.pdbs[k])
	}
}

// resolvePriority fills PodInfo.Priority from the PriorityClass when the pod
// carries no spec.priority (normally the apiserver's Priority admission does it).
func (o *objects) resolvePriority(pi *framework.PodInfo) {
	if pi.Pod.Spec.Priority != nil {
		return
	}
	if name := pi.Pod.Spec.PriorityClassName; name != "" {
		if pc := o.priority[name]; pc != nil {
			pi.Priority = pc.Value
		}
		return
	}
	names := slices.Sorted(maps.Keys(o.priority))
	for _, n := range names {
		if o.priority[n].GlobalDefault {
			pi.Priority = o.priority[n].Value
			return
		}
	}
}
