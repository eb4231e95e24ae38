package scheduler

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestSchedulingScenario follows killercoda's saltyrucula-04-scheduling:
// label controlplane disk=ssd, a nodeSelector pod, a taint with a tolerant
// pod, a required-affinity pod, and a PriorityClass.
func TestSchedulingScenario(t *testing.T) {
	s := newTestScheduler(t, nil)
	cp := testutil.MakeNode().Name("controlplane").Capacity("cpu", "2", "memory", "2Gi").Obj()
	worker := testutil.MakeNode().Name("node01").Capacity("cpu", "2", "memory", "2Gi").Obj()
	s.AddNode(cp)
	s.AddNode(worker)
	schedule := func(p *v1.Pod) *Result {
		t.Helper()
		s.AddPod(p)
		popped, ok := s.Pop(t0)
		if !ok {
			t.Fatalf("%s: nothing to pop", p.Name)
		}
		r := s.Schedule(t0, popped)
		if r.NodeName != "" {
			s.Bound(popped, r.NodeName)
			b := popped.DeepCopy()
			b.Spec.NodeName = r.NodeName
			s.UpdatePod(popped, b)
		}
		return r
	}
	// Step 1: kubectl label node controlplane disk=ssd.
	labelled := cp.DeepCopy()
	labelled.Labels["disk"] = "ssd"
	s.UpdateNode(cp, labelled)
	// Step 2: nodeSelector disk=ssd.
	if r := schedule(testutil.MakePod().Namespace("schedule").Name("ssd-pod").Image("nginx:1.27").NodeSelector("disk", "ssd").Obj()); r.NodeName != "controlplane" {
		t.Errorf("ssd-pod on %q: %s", r.NodeName, r.Message)
	}
	// Step 3: taint dedicated=cka:NoSchedule; a tolerant pod may use either node.
	tainted := labelled.DeepCopy()
	tainted.Spec.Taints = []v1.Taint{{Key: "dedicated", Value: "cka", Effect: v1.TaintEffectNoSchedule}}
	s.UpdateNode(labelled, tainted)
	if r := schedule(testutil.MakePod().Namespace("schedule").Name("tolerant").Image("nginx:1.27").Toleration("dedicated", "cka", v1.TaintEffectNoSchedule).Obj()); r.NodeName == "" {
		t.Errorf("tolerant pending: %s", r.Message)
	}
	// Step 4: required affinity to disk=ssd without the toleration stays Pending.
	r := schedule(testutil.MakePod().Namespace("schedule").Name("affinity-pod").Image("nginx:1.27").NodeAffinityIn("disk", "ssd").Obj())
	want := "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: cka}. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
	if diff := cmp.Diff(want, r.Message); diff != "" {
		t.Errorf("affinity-pod (-want +got):\n%s", diff)
	}
	// Step 5: a PriorityClass resolves the pod's priority when the apiserver did not.
	s.AddPriorityClass(&schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: "critical-medium"}, Value: 100000})
	pp := testutil.MakePod().Namespace("schedule").Name("priority-pod").Image("nginx:1.27").PriorityClass("critical-medium").Obj()
	s.AddPod(pp)
	if got := s.q.pods[framework.PodKey(pp)].info.Priority; got != 100000 {
		t.Errorf("priority-pod priority %d, want 100000", got)
	}
}
