package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestSnapshotNodesWithImage: the image index the snapshot offers agrees
// with counting the snapshot's nodes that report each image, through node
// adds, image changes and deletes.
func TestSnapshotNodesWithImage(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	images := []string{"nginx:1.25", "httpd:2.4", "redis:7"}
	c := newCache()
	snap := newSnapshot()
	nodes := map[string]*v1.Node{}
	for step := 0; step < 200; step++ {
		name := fmt.Sprint("n", r.IntN(12))
		switch old := nodes[name]; {
		case old != nil && r.IntN(4) == 0:
			c.removeNode(old)
			delete(nodes, name)
		default:
			nw := testutil.MakeNode().Name(name)
			for _, img := range images {
				if r.IntN(3) == 0 {
					nw.Image(img, 100<<20)
				}
			}
			n := nw.Obj()
			c.addNode(n)
			nodes[name] = n
		}
		c.updateSnapshot(snap)
		for _, img := range append(images, "absent:1") {
			want := 0
			for _, ni := range snap.List() {
				if _, ok := ni.ImageStates[img]; ok {
					want++
				}
			}
			if got := snap.NodesWithImage(img); got != want {
				t.Fatalf("step %d: NodesWithImage(%q) = %d, want %d", step, img, got, want)
			}
		}
	}
}

// TestConfirmAssumedPod: binding confirmation swaps the PodInfo in place;
// the node keeps the same requests and pod count, and the cache holds the
// bound pod.
func TestConfirmAssumedPod(t *testing.T) {
	s := newTestScheduler(t, nil)
	s.AddNode(testutil.MakeNode().Name("n1").Capacity("cpu", "4", "memory", "8Gi").Obj())
	p := testutil.MakePod().Name("p").Req("cpu", "500m", "memory", "1Gi").Obj()
	s.AddPod(p)
	popped, _ := s.Pop(t0)
	res := s.Schedule(t0, popped)
	if res.NodeName != "n1" {
		t.Fatalf("scheduled to %q", res.NodeName)
	}
	ni := s.c.nodes["n1"]
	type view struct {
		Pods                   int
		MilliCPU, Memory       int64
		NonZeroCPU, NonZeroMem int64
		Assumed                bool
		NodeName               string
	}
	get := func() view {
		ps := s.c.pods[framework.PodKey(p)]
		return view{len(ni.Pods), ni.Requested.MilliCPU, ni.Requested.Memory, ni.NonZeroRequested.MilliCPU, ni.NonZeroRequested.Memory, ps.assumed, ni.Pods[0].Pod.Spec.NodeName}
	}
	if diff := cmp.Diff(view{1, 500, 1 << 30, 500, 1 << 30, true, ""}, get()); diff != "" {
		t.Errorf("assumed (-want +got):\n%s", diff)
	}
	s.Bound(popped, "n1")
	bound := popped.DeepCopy()
	bound.Spec.NodeName = "n1"
	s.UpdatePod(popped, bound)
	if diff := cmp.Diff(view{1, 500, 1 << 30, 500, 1 << 30, false, "n1"}, get()); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}
	s.DeletePod(bound)
	if len(ni.Pods) != 0 || ni.Requested.MilliCPU != 0 {
		t.Errorf("after delete: %d pods, %dm requested", len(ni.Pods), ni.Requested.MilliCPU)
	}
}
