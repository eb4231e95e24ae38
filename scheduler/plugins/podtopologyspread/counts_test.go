package podtopologyspread

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestCountCacheMatchesFreshCount: a long-lived plugin (with its per-node
// memo) answers exactly as a new plugin while pods come and go between cycles.
func TestCountCacheMatchesFreshCount(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var nodes []*v1.Node
	for i := 0; i < 30; i++ {
		nodes = append(nodes, testutil.MakeNode().Name(fmt.Sprint("n", i)).Label(v1.LabelTopologyZone, fmt.Sprint("z", i%4)).Obj())
	}
	h := testutil.NewHandle(nodes, nil)
	memo, _ := New(nil, h)
	hard := testutil.MakePod().Name("hard").Label("app", "web").SpreadConstraint(2, v1.LabelTopologyZone, v1.DoNotSchedule, "app", "web").Obj()
	soft := testutil.MakePod().Name("soft").Label("app", "web").SpreadConstraint(1, v1.LabelTopologyZone, v1.ScheduleAnyway, "app", "web").
		SpreadConstraint(1, v1.LabelHostname, v1.ScheduleAnyway, "app", "web").Obj()
	changed := 0
	for step := 0; step < 60; step++ {
		ni := h.List()[r.IntN(len(nodes))]
		if len(ni.Pods) > 0 && r.IntN(3) == 0 {
			ni.RemovePod(ni.Pods[0].Pod)
		} else {
			app := []string{"web", "db"}[r.IntN(2)]
			ni.AddPodInfo(framework.NewPodInfo(testutil.MakePod().Name(fmt.Sprint("p", step)).Label("app", app).Node(ni.Name).Obj()))
		}
		ni.Generation++
		for _, pod := range []*v1.Pod{hard, soft} {
			fresh, _ := New(nil, h)
			want := testutil.Run(t, fresh, h, pod)
			got := testutil.Run(t, memo, h, pod)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("step %d %s (-fresh +memo):\n%s", step, pod.Name, diff)
			}
			if len(want.Filter) > 0 {
				for _, v := range want.Filter {
					if v != "" {
						changed++
						break
					}
				}
			}
		}
	}
	if changed == 0 {
		t.Error("the hard constraint never rejected a node: test is vacuous")
	}
}
