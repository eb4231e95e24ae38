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

// TestCountCacheTotals: the per-pair totals kept by delta equal summing the
// entries afresh, through pods coming and going and nodes being relabelled
// (some nodes lack the zone key).
func TestCountCacheTotals(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var nodes []*v1.Node
	for i := 0; i < 40; i++ {
		nw := testutil.MakeNode().Name(fmt.Sprint("n", i))
		if i%5 != 0 {
			nw.Label(v1.LabelTopologyZone, fmt.Sprint("z", i%3))
		}
		nodes = append(nodes, nw.Obj())
	}
	h := testutil.NewHandle(nodes, nil)
	p, _ := New(nil, h)
	pl := p.(*PodTopologySpread)
	pod := testutil.MakePod().Name("x").Label("app", "web").
		SpreadConstraint(1, v1.LabelTopologyZone, v1.ScheduleAnyway, "app", "web").
		SpreadConstraint(1, "rack", v1.ScheduleAnyway, "app", "web").Obj()
	cs, err := pl.filterConstraints(pod.Spec.TopologySpreadConstraints, pod.Labels, v1.ScheduleAnyway)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 300; step++ {
		ni := h.List()[r.IntN(len(nodes))]
		switch r.IntN(4) {
		case 0:
			if len(ni.Pods) > 0 {
				ni.RemovePod(ni.Pods[0].Pod)
			}
		case 1:
			// Relabel: a new label map, as a node update brings.
			l := map[string]string{v1.LabelHostname: ni.Name}
			if r.IntN(3) > 0 {
				l[v1.LabelTopologyZone] = fmt.Sprint("z", r.IntN(4))
			}
			if r.IntN(2) == 0 {
				l["rack"] = fmt.Sprint("r", r.IntN(2))
			}
			ni.Labels = l
		default:
			app := []string{"web", "db"}[r.IntN(2)]
			ni.AddPodInfo(framework.NewPodInfo(testutil.MakePod().Name(fmt.Sprint("p", step)).Label("app", app).Node(ni.Name).Obj()))
		}
		ni.Generation++
		cc := pl.matchCounts(h.List(), cs, "default")
		wantAll, wantHasAll := map[topologyPair]pairTotal{}, map[topologyPair]pairTotal{}
		for i, ni := range h.List() {
			hasAll := true
			for _, c := range cs {
				if _, ok := ni.Labels[c.TopologyKey]; !ok {
					hasAll = false
				}
			}
			for k, c := range cs {
				pair := topologyPair{c.TopologyKey, ni.Labels[c.TopologyKey]}
				n := int64(cc.entries[i].counts[k])
				if n != int64(countPodsMatchSelector(ni.Pods, c.Selector, "default")) {
					t.Fatalf("step %d: node %s constraint %d: stale count", step, ni.Name, k)
				}
				tot := wantAll[pair]
				wantAll[pair] = pairTotal{tot.sum + n, tot.nodes + 1}
				if hasAll {
					tot := wantHasAll[pair]
					wantHasAll[pair] = pairTotal{tot.sum + n, tot.nodes + 1}
				}
			}
		}
		opt := cmp.AllowUnexported(pairTotal{}, topologyPair{})
		if diff := cmp.Diff(wantAll, cc.sumAll, opt); diff != "" {
			t.Fatalf("step %d: sumAll (-want +got):\n%s", step, diff)
		}
		if diff := cmp.Diff(wantHasAll, cc.sumHasAll, opt); diff != "" {
			t.Fatalf("step %d: sumHasAll (-want +got):\n%s", step, diff)
		}
	}
}
