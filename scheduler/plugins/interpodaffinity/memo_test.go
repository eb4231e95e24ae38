package interpodaffinity

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

// TestMemoMatchesFresh: a long-lived plugin answers exactly as a new one
// while pods (some with anti-affinity) come and go between cycles.
func TestMemoMatchesFresh(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var nodes []*v1.Node
	for i := 0; i < 25; i++ {
		nodes = append(nodes, testutil.MakeNode().Name(fmt.Sprint("n", i)).Label(v1.LabelTopologyZone, fmt.Sprint("z", i%3)).Obj())
	}
	h := testutil.NewHandle(nodes, nil)
	memo, _ := New(nil, h)
	incoming := []*v1.Pod{
		testutil.MakePod().Name("anti").Label("app", "web").PodAntiAffinity(v1.LabelHostname, "app", "web").Obj(),
		testutil.MakePod().Name("aff").Label("app", "web").PodAffinity(v1.LabelTopologyZone, "app", "db").Obj(),
		testutil.MakePod().Name("plain").Label("app", "web").Obj(),
		testutil.MakePod().Name("pref").Label("app", "web").PreferredPodAffinity(7, v1.LabelTopologyZone, "app", "db").PreferredPodAntiAffinity(3, v1.LabelHostname, "app", "web").Obj(),
	}
	scored := 0
	rejected := 0
	for step := 0; step < 60; step++ {
		ni := h.List()[r.IntN(len(nodes))]
		if len(ni.Pods) > 0 && r.IntN(3) == 0 {
			ni.RemovePod(ni.Pods[0].Pod)
		} else {
			pw := testutil.MakePod().Name(fmt.Sprint("p", step)).Label("app", []string{"web", "db"}[r.IntN(2)]).Node(ni.Name)
			switch r.IntN(6) {
			case 0:
				pw.PodAntiAffinity(v1.LabelTopologyZone, "app", "web")
			case 1:
				pw.PodAffinity(v1.LabelHostname, "app", "web")
			case 2:
				pw.PreferredPodAntiAffinity(5, v1.LabelTopologyZone, "app", "web")
			}
			ni.AddPodInfo(framework.NewPodInfo(pw.Obj()))
		}
		ni.Generation++
		for _, pod := range incoming {
			fresh, _ := New(nil, h)
			want := testutil.Run(t, fresh, h, pod)
			got := testutil.Run(t, memo, h, pod)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("step %d %s (-fresh +memo):\n%s", step, pod.Name, diff)
			}
			if len(want.Scores) > 0 {
				scored++
			}
			for _, v := range want.Filter {
				if v != "" {
					rejected++
				}
			}
		}
	}
	if scored < 30 {
		t.Errorf("only %d scored cycles: score side barely exercised", scored)
	}
	if rejected == 0 {
		t.Error("no node was ever rejected: test is vacuous")
	}
}
