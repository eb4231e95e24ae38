package controllers

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/go-logr/logr"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/clock"
	"kubesim/sim/podutil"
	"kubesim/sim/store"
)

var nodeKind = corev1.SchemeGroupVersion.WithKind("Node")

const (
	nodeComponent = "node-controller"
	// nodeStartupGracePeriod: how long a node that never posted status is given.
	nodeStartupGracePeriod = 60 * time.Second
)

// nodeLifecycleController watches node Leases and Ready conditions
// (upstream pkg/controller/nodelifecycle) and does taint-based eviction
// (the taint manager, a separate taint-eviction-controller from v1.29):
//
//   - A node whose lease and heartbeats are older than the node monitor
//     grace period (40 s, 50 s from v1.32) gets its MemoryPressure,
//     DiskPressure, PIDPressure and Ready conditions set to Unknown /
//     NodeStatusUnknown / "Kubelet stopped posting node status.", the event
//     NodeNotReady, and its pods' Ready condition set to False.
//   - Ready Unknown taints the node node.kubernetes.io/unreachable
//     (NoExecute and NoSchedule), Ready False with not-ready; Ready True
//     removes them.
//   - Pods on a node with NoExecute taints are deleted at once when they do
//     not tolerate them, or after their smallest tolerationSeconds (300 s by
//     default admission) otherwise, with the TaintManagerEviction event.
//
// Staleness is found with one virtual-clock timer per node at
// (last renewal + grace), re-armed when it finds the lease renewed: lease
// renewals never drive polling.
type nodeLifecycleController struct {
	controller[*corev1.Node] // keys: node names
	grace                    time.Duration
	podQueue                 queue                // ns/name of pods to check against their node's taints
	evictions                map[string]*eviction // pod key -> scheduled eviction
	known                    map[string]bool      // nodes registered (RegisteredNode sent)
	// noExec holds the nodes with a NoExecute taint, as of their last
	// event or sync: only a pod bound to one of them, or with an eviction
	// pending, is queued for checkPod (on any other node checkPod has
	// nothing to do). A node whose taints change is synced, and its sync
	// checks every pod on it, so a pod event seen before the taint is not
	// lost.
	noExec map[string]bool
}

type eviction struct {
	timer *clock.Timer
	uid   string
	// start is when the countdown began (upstream's scheduled eviction's
	// CreatedAt): a later check of the same pod counts from it, so a
	// taint without TimeAdded does not restart the countdown.
	start time.Time
}

func newNodeLifecycle(b *base) *nodeLifecycleController {
	grace := 40 * time.Second
	if b.minor >= 32 {
		grace = 50 * time.Second
	}
	c := &nodeLifecycleController{grace: grace, podQueue: queue{}, evictions: map[string]*eviction{}, known: map[string]bool{}, noExec: map[string]bool{}}
	c.controller = newController[*corev1.Node](b, "nodelifecycle", b.nodes, c.syncNode)
	c.component = nodeComponent
	c.onEventFor = resources("nodes", "leases", "pods")
	c.onEvent = func(ev store.Event, res, ns, name string) {
		switch res {
		case "nodes":
			n, _ := objOf(ev).(*corev1.Node)
			c.noteTaints(name, n, ev.Type == store.Put)
		case "leases":
			if ns == corev1.NamespaceNodeLease {
				c.queue.add(name)
			}
		case "pods":
			if p, ok := objOf(ev).(*corev1.Pod); ok && ev.Type == store.Put && p.Spec.NodeName != "" &&
				(c.noExec[p.Spec.NodeName] || len(c.evictions) > 0 && c.evictions[nsKey(ns, name)] != nil) {
				c.podQueue.add(nsKey(ns, name))
			}
		}
	}
	return c
}

// noteTaints records whether node name (n, nil if unknown) has a NoExecute taint.
func (c *nodeLifecycleController) noteTaints(name string, n *corev1.Node, exists bool) {
	if exists && n != nil && hasNoExecute(n) {
		c.noExec[name] = true
	} else {
		delete(c.noExec, name)
	}
}

func hasNoExecute(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}

// MemberChanged implements MembershipAware: re-check the node.
func (c *nodeLifecycleController) MemberChanged(node string) { c.queue.add(node) }

func (c *nodeLifecycleController) taintComponent() string {
	if c.minor >= 29 {
		return "taint-eviction-controller"
	}
	return "taint-controller"
}

// Run syncs the queued nodes, then checks the queued pods against their
// node's taints.
func (c *nodeLifecycleController) Run(now time.Time) bool {
	wrote := c.controller.Run(now)
	return c.podQueue.each(func(k string) bool { return c.checkPod(k, now) }) || wrote
}

func nodeCondition(n *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	_, c := podutil.GetNodeCondition(&n.Status, t)
	return c
}

func (c *nodeLifecycleController) syncNode(name string, now time.Time) bool {
	n, ok := c.get(name)
	c.noteTaints(name, n, ok)
	if !ok {
		if c.known[name] {
			delete(c.known, name)
			gone := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
			gone.SetGroupVersionKind(nodeKind)
			c.event(gone, nodeComponent, corev1.EventTypeNormal, "RemovingNode", fmt.Sprintf("Node %s event: Removing Node %s from Controller", name, name))
		}
		return false
	}
	wrote := false
	if !c.known[name] {
		c.known[name] = true
		c.record(n, corev1.EventTypeNormal, "RegisteredNode", fmt.Sprintf("Node %s event: Registered Node %s in Controller", name, name))
	}
	// Health.
	probe := n.CreationTimestamp.Time
	grace := nodeStartupGracePeriod
	if rc := nodeCondition(n, corev1.NodeReady); rc != nil && !rc.LastHeartbeatTime.IsZero() {
		probe, grace = rc.LastHeartbeatTime.Time, c.grace
	}
	if l, ok := get[*coordinationv1.Lease](c.base, c.leases, corev1.NamespaceNodeLease, name); ok && l.Spec.RenewTime != nil && l.Spec.RenewTime.After(probe) {
		probe, grace = l.Spec.RenewTime.Time, c.grace
	}
	deadline := probe.Add(grace)
	if now.After(deadline) {
		if c.markUnknown(n) {
			return true // the node event re-queues the taint pass
		}
	} else if c.Alive != nil && c.Alive(name) {
		c.forget(name)
	} else {
		c.requeueAt(name, deadline.Add(time.Millisecond))
	}
	if c.syncTaints(n) {
		return true
	}
	// Taint eviction for the node's pods: only a node with NoExecute taints
	// (or pods with a pending eviction) needs a look at its pods.
	if hasNoExecute(n) {
		for _, p := range c.podsOnNode(name) {
			if c.checkPod(nsKey(p.Namespace, p.Name), now) {
				wrote = true
			}
		}
	} else if len(c.evictions) > 0 {
		keys := slices.Sorted(maps.Keys(c.evictions))
		for _, k := range keys {
			if c.checkPod(k, now) {
				wrote = true
			}
		}
	}
	return wrote
}

var monitoredConditions = []corev1.NodeConditionType{corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure}

// markUnknown is tryUpdateNodeHealth's "kubelet stopped posting" branch.
func (c *nodeLifecycleController) markUnknown(n *corev1.Node) bool {
	now := c.metaNow()
	cp := n.DeepCopy()
	changed := false
	for _, t := range monitoredConditions {
		cond := nodeCondition(cp, t)
		if cond == nil {
			cp.Status.Conditions = append(cp.Status.Conditions, corev1.NodeCondition{
				Type: t, Status: corev1.ConditionUnknown, Reason: "NodeStatusNeverUpdated", Message: "Kubelet never posted node status.",
				LastHeartbeatTime: n.CreationTimestamp, LastTransitionTime: now,
			})
			changed = true
			continue
		}
		if cond.Status == corev1.ConditionUnknown {
			continue
		}
		cond.Status, cond.Reason, cond.Message, cond.LastTransitionTime = corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", now
		changed = true
	}
	if !changed {
		return false
	}
	wasReady := false
	if rc := nodeCondition(n, corev1.NodeReady); rc != nil && rc.Status == corev1.ConditionTrue {
		wasReady = true
	}
	cp.ResourceVersion = ""
	if _, err := c.Registry.Update(c.nodes, "", cp, "status"); err != nil {
		return false
	}
	if wasReady {
		c.record(n, corev1.EventTypeNormal, "NodeNotReady", fmt.Sprintf("Node %s status is now: NodeNotReady", n.Name))
		c.markPodsNotReady(n.Name)
	}
	return true
}

// markPodsNotReady is MarkPodsNotReady: the Ready condition of every pod on
// the node goes False, with a NodeNotReady event per pod.
func (c *nodeLifecycleController) markPodsNotReady(node string) {
	now := c.metaNow()
	for _, p := range c.podsOnNode(node) {
		cp := p.DeepCopy()
		_, ready := podutil.GetPodCondition(&cp.Status, corev1.PodReady)
		if ready == nil {
			continue
		}
		cond := *ready
		cond.Status, cond.LastTransitionTime = corev1.ConditionFalse, now
		if !podutil.UpdatePodCondition(&cp.Status, &cond) {
			continue
		}
		cp.ResourceVersion = ""
		if _, err := c.Registry.Update(c.pods, cp.Namespace, cp, "status"); err == nil {
			c.event(withGVK(p, corev1.SchemeGroupVersion.WithKind("Pod")), nodeComponent, corev1.EventTypeWarning, "NodeNotReady", "Node is not ready")
		}
	}
}

func (c *nodeLifecycleController) podsOnNode(node string) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range list[*corev1.Pod](c.base, c.pods, "") {
		if p.Spec.NodeName == node {
			out = append(out, p)
		}
	}
	return out
}

// syncTaints keeps the not-ready / unreachable taints in step with the
// Ready condition and the memory-, disk- and pid-pressure NoSchedule taints
// with the pressure conditions (taint nodes by condition and the NoExecute
// pass).
func (c *nodeLifecycleController) syncTaints(n *corev1.Node) bool {
	want := ""
	if rc := nodeCondition(n, corev1.NodeReady); rc != nil {
		switch rc.Status {
		case corev1.ConditionFalse:
			want = corev1.TaintNodeNotReady
		case corev1.ConditionUnknown:
			want = corev1.TaintNodeUnreachable
		}
	}
	// A pressure condition that is True gives its NoSchedule taint
	// (doNoScheduleTaintingPass's nodeConditionToTaintKeyStatusMap).
	pressure := map[string]bool{}
	var pressureKeys []string
	for _, pc := range []struct {
		cond corev1.NodeConditionType
		key  string
	}{{corev1.NodeMemoryPressure, corev1.TaintNodeMemoryPressure}, {corev1.NodeDiskPressure, corev1.TaintNodeDiskPressure}, {corev1.NodePIDPressure, corev1.TaintNodePIDPressure}} {
		if cc := nodeCondition(n, pc.cond); cc != nil && cc.Status == corev1.ConditionTrue {
			pressure[pc.key] = true
			pressureKeys = append(pressureKeys, pc.key)
		}
	}
	isPressure := func(k string) bool {
		return k == corev1.TaintNodeMemoryPressure || k == corev1.TaintNodeDiskPressure || k == corev1.TaintNodePIDPressure
	}
	managed := func(k string) bool { return k == corev1.TaintNodeNotReady || k == corev1.TaintNodeUnreachable }
	var taints []corev1.Taint
	has := map[corev1.TaintEffect]bool{}
	hasPressure := map[string]bool{}
	for _, t := range n.Spec.Taints {
		if managed(t.Key) && t.Key != want || isPressure(t.Key) && !pressure[t.Key] {
			continue
		}
		if t.Key == want {
			has[t.Effect] = true
		}
		if pressure[t.Key] && t.Effect == corev1.TaintEffectNoSchedule {
			hasPressure[t.Key] = true
		}
		taints = append(taints, t)
	}
	for _, key := range pressureKeys {
		if !hasPressure[key] {
			taints = append(taints, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule})
		}
	}
	if want != "" {
		now := c.metaNow()
		if !has[corev1.TaintEffectNoExecute] {
			taints = append(taints, corev1.Taint{Key: want, Effect: corev1.TaintEffectNoExecute, TimeAdded: &now})
		}
		if !has[corev1.TaintEffectNoSchedule] {
			taints = append(taints, corev1.Taint{Key: want, Effect: corev1.TaintEffectNoSchedule})
		}
	}
	if equality.Semantic.DeepEqual(taints, n.Spec.Taints) || (len(taints) == 0 && len(n.Spec.Taints) == 0) {
		return false
	}
	cp := n.DeepCopy()
	cp.Spec.Taints = taints
	return c.update(c.nodes, cp, "")
}

// checkPod is the taint manager's processPodOnNode.
func (c *nodeLifecycleController) checkPod(key string, now time.Time) bool {
	ns, name := splitNS(key)
	p, ok := get[*corev1.Pod](c.base, c.pods, ns, name)
	if !ok || p.Spec.NodeName == "" || p.DeletionTimestamp != nil {
		c.cancelEviction(key, nil)
		return false
	}
	n, ok := get[*corev1.Node](c.base, c.nodes, "", p.Spec.NodeName)
	if !ok {
		return false
	}
	var noExec []corev1.Taint
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			noExec = append(noExec, t)
		}
	}
	if len(noExec) == 0 {
		c.cancelEviction(key, p)
		return false
	}
	log := logr.Discard()
	var minSeconds *int64
	forever := true
	start := now
	if e := c.evictions[key]; e != nil && e.uid == string(p.UID) {
		start = e.start
	}
	for _, t := range noExec {
		tolerated := false
		for i := range p.Spec.Tolerations {
			tol := &p.Spec.Tolerations[i]
			if !tol.ToleratesTaint(log, &t, false) {
				continue
			}
			tolerated = true
			if tol.TolerationSeconds != nil {
				forever = false
				if minSeconds == nil || *tol.TolerationSeconds < *minSeconds {
					minSeconds = ptrTo(*tol.TolerationSeconds)
				}
			}
			if t.TimeAdded != nil && t.TimeAdded.Time.Before(start) {
				start = t.TimeAdded.Time
			}
		}
		if !tolerated {
			return c.evict(p)
		}
	}
	if forever {
		c.cancelEviction(key, p)
		return false
	}
	secs := *minSeconds
	if secs <= 0 {
		return c.evict(p)
	}
	at := start.Add(time.Duration(secs) * time.Second)
	if !at.After(now) {
		return c.evict(p)
	}
	if e := c.evictions[key]; e != nil && e.uid == string(p.UID) && e.timer.When().After(now) && !e.timer.When().After(at) {
		return false // already due no later, and still pending
	}
	if e := c.evictions[key]; e != nil {
		c.Clock.Stop(e.timer)
	}
	// The entry outlives its timer: the check the timer queues counts
	// from the same start and finds the pod due.
	c.evictions[key] = &eviction{uid: string(p.UID), start: start, timer: c.Clock.At(at, func() {
		c.podQueue.add(key)
	})}
	return false
}

func (c *nodeLifecycleController) cancelEviction(key string, p *corev1.Pod) {
	e := c.evictions[key]
	if e == nil {
		return
	}
	c.Clock.Stop(e.timer)
	delete(c.evictions, key)
	if p != nil {
		c.event(withGVK(p, corev1.SchemeGroupVersion.WithKind("Pod")), c.taintComponent(), corev1.EventTypeNormal, "TaintManagerEviction",
			fmt.Sprintf("Cancelling deletion of Pod %s/%s", p.Namespace, p.Name))
	}
}

// evict adds the DisruptionTarget condition (v1.26+) and deletes the pod.
func (c *nodeLifecycleController) evict(p *corev1.Pod) bool {
	key := nsKey(p.Namespace, p.Name)
	if e := c.evictions[key]; e != nil {
		c.Clock.Stop(e.timer)
		delete(c.evictions, key)
	}
	c.event(withGVK(p, corev1.SchemeGroupVersion.WithKind("Pod")), c.taintComponent(), corev1.EventTypeNormal, "TaintManagerEviction",
		fmt.Sprintf("Marking for deletion Pod %s/%s", p.Namespace, p.Name))
	if c.minor >= 26 {
		cp := p.DeepCopy()
		cond := corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: "DeletionByTaintManager",
			Message: "Taint manager: deleting due to NoExecute taint", LastTransitionTime: c.metaNow()}
		podutil.UpdatePodCondition(&cp.Status, &cond)
		cp.ResourceVersion = ""
		_, _ = c.Registry.Update(c.pods, cp.Namespace, cp, "status")
	}
	_, err := c.Registry.Delete(c.pods, p.Namespace, p.Name, nil)
	return err == nil
}
