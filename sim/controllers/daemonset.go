package controllers

import (
	"fmt"
	"sort"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"kubesim/sim/store"
)

const (
	templateGenerationLabel = "pod-template-generation"
	revisionHashLabel       = appsv1.DefaultDaemonSetUniqueLabelKey // "controller-revision-hash"
)

// daemonSetController runs one pod per eligible node (upstream
// pkg/controller/daemon). Pods carry the DaemonSet's automatic tolerations
// and a required node affinity on metadata.name; the scheduler binds them.
// Rolling updates replace pods whose controller-revision-hash is not the
// template's, within maxUnavailable (maxSurge is not simulated). The hash is
// the one upstream stores in the ControllerRevision; ControllerRevision
// objects themselves are not kept.
type daemonSetController struct {
	controller[*appsv1.DaemonSet]
	// hashes memoises each DaemonSet's template hash: the spew dump behind
	// it is the costliest part of a sync, and the template only changes
	// with the generation.
	hashes map[types.UID]dsHash
}

type dsHash struct {
	generation int64
	collisions int32
	hash       string
}

func (c *daemonSetController) templateHash(ds *appsv1.DaemonSet) string {
	var cc int32
	if ds.Status.CollisionCount != nil {
		cc = *ds.Status.CollisionCount
	}
	if h, ok := c.hashes[ds.UID]; ok && h.generation == ds.Generation && h.collisions == cc {
		return h.hash
	}
	h := ComputeHash(&ds.Spec.Template, ds.Status.CollisionCount)
	c.hashes[ds.UID] = dsHash{generation: ds.Generation, collisions: cc, hash: h}
	return h
}

func newDaemonSet(b *base) *daemonSetController {
	c := &daemonSetController{hashes: map[types.UID]dsHash{}}
	c.controller = newController[*appsv1.DaemonSet](b, "daemonset", b.daemonsets, c.syncDS)
	c.owns = map[string]string{"pods": "DaemonSet"}
	c.onEventFor = resources("nodes")
	c.onEvent = func(ev store.Event, res, _, _ string) {
		if res != "nodes" {
			return
		}
		if n, ok := objOf(ev).(*corev1.Node); ok && ev.Type == store.Put {
			if prev, ok := prevOf(ev).(*corev1.Node); ok && equality.Semantic.DeepEqual(prev.Labels, n.Labels) &&
				equality.Semantic.DeepEqual(prev.Spec.Taints, n.Spec.Taints) {
				return // heartbeats and status changes do not change eligibility
			}
		}
		c.relistNS("")
	}
	return c
}

// daemonTolerations are AddOrUpdateDaemonPodTolerations' tolerations, in its order.
func addDaemonTolerations(spec *corev1.PodSpec) {
	add := func(key string, effect corev1.TaintEffect) {
		t := corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: effect}
		for i := range spec.Tolerations {
			if spec.Tolerations[i].MatchToleration(&t) {
				spec.Tolerations[i] = t
				return
			}
		}
		spec.Tolerations = append(spec.Tolerations, t)
	}
	add(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	if spec.HostNetwork {
		add(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)
	}
}

// shouldRun is nodeShouldRunDaemonPod: whether a new pod should be placed
// on node, and whether an existing one may stay.
func shouldRun(ds *appsv1.DaemonSet, node *corev1.Node) (run, keep bool) {
	pod := &corev1.Pod{Spec: *ds.Spec.Template.Spec.DeepCopy()}
	pod.Spec.NodeName = node.Name
	addDaemonTolerations(&pod.Spec)
	if ds.Spec.Template.Spec.NodeName != "" && ds.Spec.Template.Spec.NodeName != node.Name {
		return false, false
	}
	if ok, err := nodeaffinity.GetRequiredNodeAffinity(pod).Match(node); err != nil || !ok {
		return false, false
	}
	log := logr.Discard()
	if _, bad := corev1helpers.FindMatchingUntoleratedTaint(log, node.Spec.Taints, pod.Spec.Tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute || t.Effect == corev1.TaintEffectNoSchedule
	}, false); !bad {
		return true, true
	}
	_, bad := corev1helpers.FindMatchingUntoleratedTaint(log, node.Spec.Taints, pod.Spec.Tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute
	}, false)
	return false, !bad
}

// targetNode is util.GetTargetNodeName: spec.nodeName or the node of the
// metadata.name affinity.
func targetNode(p *corev1.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range t.MatchFields {
			if f.Key == metav1.ObjectNameField && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

// nodeNameAffinity is ReplaceDaemonSetPodNodeNameNodeAffinity.
func nodeNameAffinity(a *corev1.Affinity, node string) *corev1.Affinity {
	req := corev1.NodeSelectorRequirement{Key: metav1.ObjectNameField, Operator: corev1.NodeSelectorOpIn, Values: []string{node}}
	sel := &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{req}}}}
	if a == nil {
		return &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: sel}}
	}
	if a.NodeAffinity == nil {
		a.NodeAffinity = &corev1.NodeAffinity{}
	}
	a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = sel
	return a
}

func (c *daemonSetController) syncDS(key string, now time.Time) bool {
	ds, ok := c.get(key)
	if !ok {
		return false
	}
	if selectsAll(ds.Spec.Selector) {
		c.record(ds, corev1.EventTypeWarning, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.")
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return false
	}
	wrote := false
	owned := c.claimPods(ds, c.primary.GVK(), sel, c.podsIn(ds.Namespace), &wrote)
	hash := c.templateHash(ds)
	nodes := list[*corev1.Node](c.base, c.nodes, "")
	byNode := map[string][]*corev1.Pod{}
	for _, p := range owned {
		byNode[targetNode(p)] = append(byNode[targetNode(p)], p)
	}
	for _, ps := range byNode {
		sort.SliceStable(ps, func(i, j int) bool {
			if ps[i].CreationTimestamp.Equal(&ps[j].CreationTimestamp) {
				return ps[i].Name < ps[j].Name
			}
			return ps[i].CreationTimestamp.Before(&ps[j].CreationTimestamp)
		})
	}
	if ds.DeletionTimestamp == nil {
		if c.manage(ds, nodes, byNode, hash) {
			return true // status follows once the pod events arrive
		}
		if ds.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType && c.rollingUpdate(ds, nodes, byNode, hash, now) {
			return true
		}
	}
	if c.updateStatus(ds, nodes, byNode, hash, now) {
		wrote = true
	}
	return wrote
}

// manage creates missing daemon pods and deletes surplus, failed and
// misplaced ones.
func (c *daemonSetController) manage(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode map[string][]*corev1.Pod, hash string) bool {
	var create []string
	var del []*corev1.Pod
	exists := map[string]bool{}
	for _, n := range nodes {
		exists[n.Name] = true
		run, keep := shouldRun(ds, n)
		pods := byNode[n.Name]
		switch {
		case run && len(pods) == 0:
			create = append(create, n.Name)
		case keep:
			var running []*corev1.Pod
			for _, p := range pods {
				if p.DeletionTimestamp != nil {
					continue
				}
				if p.Status.Phase == corev1.PodFailed {
					c.record(ds, corev1.EventTypeWarning, "FailedDaemonPod",
						fmt.Sprintf("Found failed daemon pod %s/%s on node %s, will try to kill it", p.Namespace, p.Name, n.Name))
					del = append(del, p)
					continue
				}
				running = append(running, p)
			}
			if len(running) > 1 {
				del = append(del, running[1:]...)
			}
		default:
			for _, p := range pods {
				if p.DeletionTimestamp == nil {
					del = append(del, p)
				}
			}
		}
	}
	for node, pods := range byNode {
		if exists[node] {
			continue
		}
		for _, p := range pods {
			if p.Spec.NodeName == "" && p.DeletionTimestamp == nil {
				del = append(del, p)
			}
		}
	}
	sort.Slice(del, func(i, j int) bool { return del[i].Name < del[j].Name })
	wrote := false
	gen := ds.Generation
	tmpl := ds.Spec.Template.DeepCopy()
	addDaemonTolerations(&tmpl.Spec)
	if tmpl.Labels == nil {
		tmpl.Labels = map[string]string{}
	}
	tmpl.Labels[templateGenerationLabel] = fmt.Sprint(gen)
	tmpl.Labels[revisionHashLabel] = hash
	ref := c.controllerRef(ds)
	for _, node := range create {
		t := tmpl.DeepCopy()
		t.Spec.Affinity = nodeNameAffinity(t.Spec.Affinity, node)
		p := podFromTemplate(t, ds, ref)
		out, err := c.Registry.Create(c.pods, ds.Namespace, p, false)
		if err != nil {
			c.record(ds, corev1.EventTypeWarning, "FailedCreate", fmt.Sprintf("Error creating: %v", err))
			continue
		}
		wrote = true
		c.record(ds, corev1.EventTypeNormal, "SuccessfulCreate", fmt.Sprintf("Created pod: %s", out.(*corev1.Pod).Name))
	}
	for _, p := range del {
		if c.deletePod(ds, p) {
			wrote = true
		}
	}
	return wrote
}

func (c *daemonSetController) deletePod(ds *appsv1.DaemonSet, p *corev1.Pod) bool {
	if _, err := c.Registry.Delete(c.pods, p.Namespace, p.Name, nil); err != nil {
		if !isGone(err) {
			c.record(ds, corev1.EventTypeWarning, "FailedDelete", fmt.Sprintf("Error deleting: %v", err))
		}
		return false
	}
	c.record(ds, corev1.EventTypeNormal, "SuccessfulDelete", fmt.Sprintf("Deleted pod: %s", p.Name))
	return true
}

func podUpdated(p *corev1.Pod, hash string, gen int64) bool {
	return p.Labels[revisionHashLabel] == hash || p.Labels[templateGenerationLabel] == fmt.Sprint(gen)
}

// rollingUpdate deletes old pods while the number of unavailable daemon
// pods stays within maxUnavailable; manage then recreates them.
func (c *daemonSetController) rollingUpdate(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode map[string][]*corev1.Pod, hash string, now time.Time) bool {
	desired := 0
	unavailable := 0
	var oldAvailable, oldUnavailable []*corev1.Pod
	for _, n := range nodes {
		run, _ := shouldRun(ds, n)
		if !run {
			continue
		}
		desired++
		pods := activePods(byNode[n.Name])
		if len(pods) == 0 {
			unavailable++
			continue
		}
		p := pods[0]
		avail := isPodAvailable(p, ds.Spec.MinReadySeconds, now)
		if !avail {
			unavailable++
		}
		if podUpdated(p, hash, ds.Generation) {
			continue
		}
		if avail {
			oldAvailable = append(oldAvailable, p)
		} else {
			oldUnavailable = append(oldUnavailable, p)
		}
	}
	maxU := 1
	if ru := ds.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil {
		v, err := intstr.GetScaledValueFromIntOrPercent(ru.MaxUnavailable, desired, true)
		if err == nil {
			maxU = v
		}
	}
	var del []*corev1.Pod
	del = append(del, oldUnavailable...)
	for _, p := range oldAvailable {
		if unavailable >= maxU {
			break
		}
		del = append(del, p)
		unavailable++
	}
	wrote := false
	for _, p := range del {
		if c.deletePod(ds, p) {
			wrote = true
		}
	}
	return wrote
}

func (c *daemonSetController) updateStatus(ds *appsv1.DaemonSet, nodes []*corev1.Node, byNode map[string][]*corev1.Pod, hash string, now time.Time) bool {
	var desired, current, mis, updated int32
	var av availability
	for _, n := range nodes {
		run, _ := shouldRun(ds, n)
		pods := activePods(byNode[n.Name])
		if !run {
			if len(pods) > 0 {
				mis++
			}
			continue
		}
		desired++
		if len(pods) == 0 {
			continue
		}
		current++
		p := pods[0]
		av.add(p, ds.Spec.MinReadySeconds, now)
		if podUpdated(p, hash, ds.Generation) {
			updated++
		}
	}
	key := nsKey(ds.Namespace, ds.Name)
	if !av.next.IsZero() && av.next.After(c.Clock.Now()) {
		c.requeueAt(key, av.next)
	}
	st := *ds.Status.DeepCopy()
	st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberMisscheduled = desired, current, mis
	st.NumberReady, st.NumberAvailable, st.UpdatedNumberScheduled = av.ready, av.available, updated
	st.NumberUnavailable = desired - av.available
	st.ObservedGeneration = ds.Generation
	if equality.Semantic.DeepEqual(st, ds.Status) {
		return false
	}
	cp := ds.DeepCopy()
	cp.Status = st
	return c.update(c.daemonsets, cp, "status")
}
