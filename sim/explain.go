package sim

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/scheduler"
	"kubesim/sim/store"
)

// decisionsKept is how many scheduling decisions the scheduler keeps for
// explain-schedule (scheduler.Config.Record): a few MB at most, however
// many pods the cluster schedules.
const decisionsKept = 1000

// ExplainSchedule says what the scheduler did with a pod, or would do:
//
//   - a static pod (its mirror pod carries kubernetes.io/config.mirror) was
//     never scheduled: the kubelet runs it from its manifest;
//   - a bound pod is explained by the decision recorded when the scheduler
//     placed it (each node's filter verdict and scores as they were then),
//     not by re-running the scheduler on today's state;
//   - a pending pod is explained by one dry cycle of the cluster's
//     configured scheduler profile over the current nodes and pods.
//
// Nothing is written.
func (c *Cluster) ExplainSchedule(ns, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	obj, err := c.Registry.Get(c.res("", "pods"), ns, name)
	if err != nil {
		return "", err
	}
	pod := obj.(*corev1.Pod)
	id := pod.Namespace + "/" + pod.Name
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return fmt.Sprintf("Pod %s: not scheduled: a static pod, run by the kubelet on %s from its manifest (%s is its mirror pod, annotation %s); the scheduler never placed it\n",
			id, pod.Spec.NodeName, id, corev1.MirrorPodAnnotationKey), nil
	}
	sched := c.scheduler()
	if pod.Spec.NodeName != "" {
		if sched != nil {
			if d, ok := sched.s.Decision(pod.UID); ok {
				return fmt.Sprintf("Bound to %s; the decision as %s recorded it at %s:\n\n%s",
					pod.Spec.NodeName, scheduler.DefaultSchedulerName, d.At.UTC().Format(time.RFC3339), d.String()), nil
			}
		}
		return fmt.Sprintf("Pod %s: bound to %s; no scheduling decision is recorded for it (the scheduler keeps its last %d decisions in memory, on clusters of more than %d nodes only with scheduler.recordDecisions; none survive a restart, and a pod created with spec.nodeName never had one)\n",
			id, pod.Spec.NodeName, decisionsKept, scheduler.RecordAllNodes), nil
	}
	if sn := pod.Spec.SchedulerName; sn != "" && sn != scheduler.DefaultSchedulerName {
		return fmt.Sprintf("Pod %s: pending; it asks for scheduler %q, not %s\n", id, sn, scheduler.DefaultSchedulerName), nil
	}
	return c.dryRunSchedule(pod)
}

// scheduler returns the cluster's scheduler component.
func (c *Cluster) scheduler() *schedulerComponent {
	for _, comp := range c.components {
		if sc, ok := comp.(*schedulerComponent); ok {
			return sc
		}
	}
	return nil
}

// dryRunSchedule runs one cycle for a pending pod on a fresh scheduler
// built from the ClusterSpec as the cluster's own is, fed every stored
// object as the cluster's scheduler is fed them, with explanations on.
func (c *Cluster) dryRunSchedule(pod *corev1.Pod) (string, error) {
	cfg, err := c.schedulerConfig(0x65787031)
	if err != nil {
		return "", err
	}
	cfg.Explain, cfg.Record = true, 0
	s, err := scheduler.New(cfg)
	if err != nil {
		return "", err
	}
	feed := &schedulerComponent{c: c, s: s}
	kvs, rev := c.Store.List("/registry/", nil)
	for _, kv := range kvs {
		if p, ok := kv.Obj.(*corev1.Pod); ok && p.UID == pod.UID {
			continue
		}
		feed.Handle(store.Event{Type: store.Put, Rev: rev, KV: kv})
	}
	res := s.Schedule(c.Clock.Now(), pod.DeepCopy())
	head := fmt.Sprintf("Pending; one cycle of the configured profile now, at %s:\n\n", c.Clock.Now().UTC().Format(time.RFC3339))
	if res.Explain == nil || res.Explain.Nodes == nil {
		return head + res.Message + "\n", nil
	}
	return head + res.Explain.String(), nil
}
