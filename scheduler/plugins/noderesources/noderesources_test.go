package noderesources

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

func TestFitFilter(t *testing.T) {
	tests := []struct {
		name string
		node *v1.Node
		pods []*v1.Pod
		pod  *v1.Pod
		want string
	}{
		{name: "fits", node: testutil.MakeNode().Name("n").Capacity("cpu", "2", "memory", "2Gi").Obj(), pod: testutil.MakePod().Name("p").Req("cpu", "1").Obj()},
		{name: "cpu", node: testutil.MakeNode().Name("n").Capacity("cpu", "1", "memory", "2Gi").Obj(), pod: testutil.MakePod().Name("p").Req("cpu", "2").Obj(), want: "Insufficient cpu"},
		{
			name: "cpu and memory both reported, counting existing pods",
			node: testutil.MakeNode().Name("n").Capacity("cpu", "2", "memory", "2Gi").Obj(),
			pods: []*v1.Pod{testutil.MakePod().Name("e").Node("n").Req("cpu", "1500m", "memory", "1Gi").Obj()},
			pod:  testutil.MakePod().Name("p").Req("cpu", "1", "memory", "1500Mi").Obj(),
			want: "Insufficient cpu, Insufficient memory",
		},
		{
			name: "too many pods even without requests",
			node: func() *v1.Node {
				n := testutil.MakeNode().Name("n").Capacity("cpu", "2").Obj()
				n.Status.Allocatable[v1.ResourcePods] = *n.Status.Allocatable.Pods()
				q := n.Status.Allocatable[v1.ResourcePods]
				q.Set(1)
				n.Status.Allocatable[v1.ResourcePods] = q
				return n
			}(),
			pods: []*v1.Pod{testutil.MakePod().Name("e").Node("n").Obj()},
			pod:  testutil.MakePod().Name("p").Obj(),
			want: "Too many pods",
		},
		{name: "extended resource", node: testutil.MakeNode().Name("n").Capacity("cpu", "2", "example.com/gpu", "1").Obj(), pod: testutil.MakePod().Name("p").Req("example.com/gpu", "2").Obj(), want: "Insufficient example.com/gpu"},
		{name: "init containers count as upstream (max of init, sum of app)", node: testutil.MakeNode().Name("n").Capacity("cpu", "2").Obj(),
			pod: func() *v1.Pod {
				p := testutil.MakePod().Name("p").Req("cpu", "500m").Obj()
				p.Spec.InitContainers = []v1.Container{{Name: "init", Resources: v1.ResourceRequirements{Requests: testutil.MakePod().Req("cpu", "3").Obj().Spec.Containers[0].Resources.Requests}}}
				return p
			}(), want: "Insufficient cpu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle([]*v1.Node{tc.node}, tc.pods)
			p, err := NewFit(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			got := testutil.Run(t, p, h, tc.pod)
			if diff := cmp.Diff(map[string]string{"n": tc.want}, got.Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

// Two nodes of 4 CPU / 8Gi: "busy" runs 1 CPU / 2Gi already; the pod asks for 1 CPU / 2Gi.
func scoreNodes() ([]*v1.Node, []*v1.Pod, *v1.Pod) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("busy").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		testutil.MakeNode().Name("empty").Capacity("cpu", "4", "memory", "8Gi").Obj(),
	}
	pods := []*v1.Pod{testutil.MakePod().Name("e").Node("busy").Req("cpu", "1", "memory", "2Gi").Obj()}
	return nodes, pods, testutil.MakePod().Name("p").Req("cpu", "1", "memory", "2Gi").Obj()
}

func TestFitScore(t *testing.T) {
	tests := []struct {
		name string
		args *FitArgs
		want map[string]int64
	}{
		// (capacity - requested) * 100 / capacity per resource, averaged by weight.
		{name: "LeastAllocated (default)", want: map[string]int64{"busy": 50, "empty": 75}},
		// requested * 100 / capacity.
		{name: "MostAllocated", args: &FitArgs{ScoringStrategy: &ScoringStrategy{Type: MostAllocated}}, want: map[string]int64{"busy": 50, "empty": 25}},
		{name: "MostAllocated weighted to memory", args: &FitArgs{ScoringStrategy: &ScoringStrategy{Type: MostAllocated, Resources: []ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 3}}}}, want: map[string]int64{"busy": 50, "empty": 25}},
		// Shape 0%→10, 100%→0 (a least-allocated curve in shape units).
		{name: "RequestedToCapacityRatio", args: &FitArgs{ScoringStrategy: &ScoringStrategy{Type: RequestedToCapacityRatio, Shape: []UtilizationShapePoint{{Utilization: 0, Score: 10}, {Utilization: 100, Score: 0}}}}, want: map[string]int64{"busy": 50, "empty": 75}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nodes, pods, pod := scoreNodes()
			h := testutil.NewHandle(nodes, pods)
			var args any
			if tc.args != nil {
				args = *tc.args
			}
			p, err := NewFit(args, h)
			if err != nil {
				t.Fatal(err)
			}
			got := testutil.Run(t, p, h, pod)
			if diff := cmp.Diff(tc.want, got.Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeastAllocatedUsesNonZeroDefaults(t *testing.T) {
	// A pod without requests counts as 100m CPU and 200MB memory when scoring.
	nodes := []*v1.Node{testutil.MakeNode().Name("n").Capacity("cpu", "1", "memory", "2000Mi").Obj()}
	h := testutil.NewHandle(nodes, nil)
	p, _ := NewFit(nil, h)
	got := testutil.Run(t, p, h, testutil.MakePod().Name("p").Obj())
	// cpu: (1000-100)*100/1000 = 90; memory: (2097152000-209715200)*100/2097152000 = 90.
	if diff := cmp.Diff(map[string]int64{"n": 90}, got.Scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestBalancedAllocation(t *testing.T) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("busy").Capacity("cpu", "4", "memory", "8Gi").Obj(),
		testutil.MakeNode().Name("empty").Capacity("cpu", "4", "memory", "8Gi").Obj(),
	}
	pods := []*v1.Pod{testutil.MakePod().Name("e").Node("busy").Req("cpu", "1", "memory", "1Gi").Obj()}
	pod := testutil.MakePod().Name("p").Req("cpu", "1", "memory", "1Gi").Obj()
	h := testutil.NewHandle(nodes, pods)
	p, _ := NewBalancedAllocation(nil, h)
	got := testutil.Run(t, p, h, pod)
	// busy: cpu 2/4=0.5, memory 2/8=0.25, std 0.125 → 87; empty: 0.25, 0.125, std 0.0625 → 93.
	if diff := cmp.Diff(map[string]int64{"busy": 87, "empty": 93}, got.Scores); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestFitsHelper(t *testing.T) {
	ni := framework.NewNodeInfo()
	ni.SetNode(testutil.MakeNode().Name("n").Capacity("cpu", "1").Obj())
	got := Fits(testutil.MakePod().Name("p").Req("cpu", "2").Obj(), ni)
	want := []InsufficientResource{{ResourceName: v1.ResourceCPU, Reason: "Insufficient cpu", Requested: 2000, Used: 0, Capacity: 1000}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
