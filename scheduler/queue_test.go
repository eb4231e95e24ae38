package scheduler

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

func popNames(s *Scheduler, now time.Time) []string {
	var out []string
	for {
		p, ok := s.Pop(now)
		if !ok {
			return out
		}
		out = append(out, p.Name)
		s.Schedule(now, p)
	}
}

func TestActiveQueueOrder(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "100").Obj())
	s.AddPod(testutil.MakePod().Name("low-first").Priority(1).Obj())
	s.AddPod(testutil.MakePod().Name("high").Priority(100).Obj())
	s.AddPod(testutil.MakePod().Name("low-second").Priority(1).Obj())
	s.AddPod(testutil.MakePod().Name("critical").PriorityClass(SystemNodeCritical).Obj())
	s.AddPod(testutil.MakePod().Name("other-scheduler").Obj())
	got := popNames(s, t0)
	// Priority first (system-node-critical resolved from the built-in class), then arrival.
	want := []string{"critical", "high", "low-first", "low-second", "other-scheduler"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pop order (-want +got):\n%s", diff)
	}
}

func TestIgnoredPods(t *testing.T) {
	s := newTestScheduler(t, nil)
	p := testutil.MakePod().Name("mine").Obj()
	other := testutil.MakePod().Name("theirs").Obj()
	other.Spec.SchedulerName = "my-scheduler"
	done := testutil.MakePod().Name("done").Phase(v1.PodSucceeded).Obj()
	gated := testutil.MakePod().Name("gated").Obj()
	gated.Spec.SchedulingGates = []v1.PodSchedulingGate{{Name: "example.com/wait"}}
	for _, x := range []*v1.Pod{p, other, done, gated} {
		s.AddPod(x)
	}
	if diff := cmp.Diff([]string{"mine"}, popNames(s, t0)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Removing the gate enqueues the pod.
	ungated := gated.DeepCopy()
	ungated.Spec.SchedulingGates = nil
	ungated.ResourceVersion = "2"
	s.UpdatePod(gated, ungated)
	if diff := cmp.Diff([]string{"gated"}, popNames(s, t0)); diff != "" {
		t.Errorf("after ungating (-want +got):\n%s", diff)
	}
}

// TestBackoff drives an unschedulable pod through retries on a fake clock:
// each retry waits 1s, 2s, 4s, 8s, then 10s (the cap) after the failure.
func TestBackoff(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	s.AddPod(testutil.MakePod().Name("big").Req("cpu", "2").Obj())
	now := t0
	var waits []time.Duration
	for attempt := 1; attempt <= 6; attempt++ {
		p, ok := s.Pop(now)
		if !ok {
			t.Fatalf("attempt %d: nothing to pop", attempt)
		}
		if r := s.Schedule(now, p); r.NodeName != "" {
			t.Fatalf("attempt %d: scheduled", attempt)
		}
		// Unschedulable pods wait in the pool; a node update moves them to backoff.
		if _, ok := s.Pop(now); ok {
			t.Fatalf("attempt %d: popped again immediately", attempt)
		}
		s.UpdateNode(nil, testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
		wake, ok := s.NextWake()
		if !ok {
			t.Fatalf("attempt %d: no wake time", attempt)
		}
		waits = append(waits, wake.Sub(now))
		if _, ok := s.Pop(wake.Add(-time.Nanosecond)); ok {
			t.Fatalf("attempt %d: popped before backoff expired", attempt)
		}
		now = wake
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
}

func TestUnschedulablePool(t *testing.T) {
	tests := []struct {
		name   string
		event  func(s *Scheduler)
		wantIn bool // retried right after the event (backoff 1s passed)
	}{
		{name: "node added", event: func(s *Scheduler) { s.AddNode(testutil.MakeNode().Name("n2").Capacity("cpu", "4").Obj()) }, wantIn: true},
		{name: "assigned pod deleted frees cpu", event: func(s *Scheduler) { s.DeletePod(testutil.MakePod().Name("hog").Node("n").Obj()) }, wantIn: true},
		{name: "unrelated node label change", event: func(s *Scheduler) {
			s.UpdateNode(testutil.MakeNode().Name("n").Capacity("cpu", "2").Obj(), testutil.MakeNode().Name("n").Capacity("cpu", "2").Label("x", "y").Obj())
		}, wantIn: true},
		{name: "nothing happens", event: func(*Scheduler) {}, wantIn: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestScheduler(t, nil)
			s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "2").Obj())
			s.AddPod(testutil.MakePod().Name("hog").Node("n").Req("cpu", "2").Obj())
			s.AddPod(testutil.MakePod().Name("p").Req("cpu", "1").Obj())
			if got := popNames(s, t0); len(got) != 1 {
				t.Fatalf("first attempt: %v", got)
			}
			tc.event(s)
			got := popNames(s, t0.Add(time.Second))
			if (len(got) == 1) != tc.wantIn {
				t.Errorf("retried = %v, want %v", got, tc.wantIn)
			}
		})
	}
}

// TestUnschedulableTimeout: a pod no event helps is retried after 5 minutes.
func TestUnschedulableTimeout(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	s.AddPod(testutil.MakePod().Name("p").Req("cpu", "2").Obj())
	popNames(s, t0)
	wake, ok := s.NextWake()
	if !ok || !wake.Equal(t0.Add(5*time.Minute)) {
		t.Fatalf("NextWake = %v, %v; want %v", wake, ok, t0.Add(5*time.Minute))
	}
	if got := popNames(s, t0.Add(5*time.Minute-time.Second)); len(got) != 0 {
		t.Errorf("retried early: %v", got)
	}
	if got := popNames(s, t0.Add(5*time.Minute)); len(got) != 1 {
		t.Errorf("not retried after 5m: %v", got)
	}
}

// TestAssumeBindLifecycle: a scheduled pod counts on its node at once,
// survives its status updates, and is forgotten and retried if binding fails.
func TestAssumeBindLifecycle(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	a := testutil.MakePod().Name("a").Req("cpu", "1").Obj()
	b := testutil.MakePod().Name("b").Req("cpu", "1").Obj()
	s.AddPod(a)
	s.AddPod(b)
	pa, _ := s.Pop(t0)
	ra := s.Schedule(t0, pa)
	if ra.NodeName != "n" {
		t.Fatalf("a: %q %q", ra.NodeName, ra.Message)
	}
	// The simulator annotates the pod before binding: still assumed.
	annotated := pa.DeepCopy()
	annotated.Annotations = map[string]string{"x": "y"}
	s.UpdatePod(pa, annotated)
	pb, _ := s.Pop(t0)
	if rb := s.Schedule(t0, pb); rb.NodeName != "" || rb.Message != "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod." {
		t.Fatalf("b should not fit next to assumed a: %+v", rb)
	}
	// Binding a fails: a is forgotten and retried after 1s; b is retried too (room freed).
	s.BindFailed(t0, annotated, nil)
	got := popNames(s, t0.Add(time.Second))
	if diff := cmp.Diff([]string{"a", "b"}, got); diff != "" {
		t.Errorf("after bind failure (-want +got):\n%s", diff)
	}
}

func TestBoundPodConfirmed(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	a := testutil.MakePod().Name("a").Req("cpu", "600m").Obj()
	s.AddPod(a)
	pa, _ := s.Pop(t0)
	r := s.Schedule(t0, pa)
	s.Bound(pa, r.NodeName)
	bound := pa.DeepCopy()
	bound.Spec.NodeName = r.NodeName
	s.UpdatePod(pa, bound)
	if s.Pending() != 0 {
		t.Errorf("Pending = %d after bind", s.Pending())
	}
	ni := s.c.nodes["n"]
	if len(ni.Pods) != 1 || ni.Requested.MilliCPU != 600 || s.c.isAssumed(framework.PodKey(bound)) {
		t.Errorf("cache: pods=%d cpu=%d assumed=%v", len(ni.Pods), ni.Requested.MilliCPU, s.c.isAssumed(framework.PodKey(bound)))
	}
	// Terminal pods release their resources.
	done := bound.DeepCopy()
	done.Status.Phase = v1.PodSucceeded
	s.UpdatePod(bound, done)
	if len(ni.Pods) != 0 || ni.Requested.MilliCPU != 0 {
		t.Errorf("after completion: pods=%d cpu=%d", len(ni.Pods), ni.Requested.MilliCPU)
	}
}

// TestOwnAnnotationIsNoChange: writing the explanation annotation on an
// unschedulable pod does not requeue it; a label change does.
func TestOwnAnnotationIsNoChange(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	p := testutil.MakePod().Name("p").Req("cpu", "2").Obj()
	p.ResourceVersion = "1"
	s.AddPod(p)
	popNames(s, t0)
	annotated := p.DeepCopy()
	annotated.ResourceVersion = "2"
	annotated.Annotations = map[string]string{AnnotationResult: "{}"}
	s.UpdatePod(p, annotated)
	if got := popNames(s, t0.Add(time.Minute)); len(got) != 0 {
		t.Errorf("requeued by own annotation: %v", got)
	}
	labelled := annotated.DeepCopy()
	labelled.ResourceVersion = "3"
	labelled.Labels = map[string]string{"a": "b"}
	s.UpdatePod(annotated, labelled)
	if got := popNames(s, t0.Add(time.Minute)); len(got) != 1 {
		t.Errorf("label change did not requeue: %v", got)
	}
}

// TestActiveHeapOrder: the typed activeQ heap pops in PrioritySort order
// (priority, then timestamp as time.Time orders it, then arrival) through
// random pushes, removals and key changes.
func TestActiveHeapOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	less := func(a, b *queuedPod) bool {
		if a.info.Priority != b.info.Priority {
			return a.info.Priority > b.info.Priority
		}
		if !a.timestamp.Equal(b.timestamp) {
			return a.timestamp.Before(b.timestamp)
		}
		return a.seq < b.seq
	}
	for round := 0; round < 20; round++ {
		var h activeHeap
		in := map[*queuedPod]bool{}
		var seq uint64
		newPod := func() *queuedPod {
			seq++
			ts := base.Add(time.Duration(r.IntN(5))*time.Second + time.Duration(r.IntN(3))*time.Nanosecond)
			if r.IntN(10) == 0 {
				ts = time.Time{}.Add(time.Duration(r.IntN(3))) // far before the epoch
			}
			return &queuedPod{info: &framework.PodInfo{Priority: int32(r.IntN(3))}, timestamp: ts, seq: seq, index: -1}
		}
		var popped []*queuedPod
		for step := 0; step < 300; step++ {
			switch op := r.IntN(10); {
			case op < 5 || len(in) == 0:
				p := newPod()
				h.push(p)
				in[p] = true
			case op < 7:
				var any *queuedPod
				for p := range in {
					if any == nil || p.seq < any.seq {
						any = p
					}
				}
				h.remove(any.index)
				delete(in, any)
			case op < 8:
				var last *queuedPod
				for p := range in {
					if last == nil || p.seq > last.seq {
						last = p
					}
				}
				last.info = &framework.PodInfo{Priority: int32(r.IntN(3))}
				h.fix(last.index)
			default:
				got := h.pop()
				var want *queuedPod
				for p := range in {
					if want == nil || less(p, want) {
						want = p
					}
				}
				if got != want {
					t.Fatalf("round %d step %d: popped seq %d, want seq %d", round, step, got.seq, want.seq)
				}
				delete(in, got)
				popped = append(popped, got)
			}
			for p := range in {
				if h.items[p.index].p != p {
					t.Fatalf("round %d step %d: index of seq %d is stale", round, step, p.seq)
				}
			}
		}
		if len(popped) == 0 {
			t.Fatal("nothing popped")
		}
	}
}
