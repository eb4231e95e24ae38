package scheduler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"kubesim/scheduler/internal/testutil"
)

// TestDecisionRecorded: with Record on and Explain off, a small cluster's
// decision is the full explanation the cycle would have annotated, the pod
// gets no Result.Explain, and only the last Record decisions are kept.
func TestDecisionRecorded(t *testing.T) {
	explained := newTestScheduler(t, nil) // Explain on: the reference
	recorded := newTestScheduler(t, func(c *Config) { c.Explain, c.Record = false, 2 })
	for _, s := range []*Scheduler{explained, recorded} {
		for _, n := range lectureNodes() {
			s.AddNode(n)
		}
	}
	var want []string
	for i := range 3 {
		pod := testutil.MakePod().Name(fmt.Sprintf("p%d", i)).Req("cpu", "100m").Obj()
		var got [2]*Result
		for j, s := range []*Scheduler{explained, recorded} {
			s.AddPod(pod)
			p, _ := s.Pop(t0)
			got[j] = s.Schedule(t0, p)
		}
		if got[1].Explain != nil {
			t.Fatalf("Record without Explain gave Result.Explain")
		}
		if got[0].NodeName != got[1].NodeName {
			t.Fatalf("%s: recording changed the decision: %s vs %s", pod.Name, got[0].NodeName, got[1].NodeName)
		}
		want = append(want, got[0].Explain.String())
	}
	if _, ok := recorded.Decision("uid-p0"); ok {
		t.Errorf("p0's decision still kept with Record = 2")
	}
	for i := 1; i < 3; i++ {
		d, ok := recorded.Decision(types.UID(fmt.Sprintf("uid-p%d", i)))
		if !ok {
			t.Fatalf("p%d: no decision recorded", i)
		}
		if !d.At.Equal(t0) || d.Partial {
			t.Errorf("p%d: At %v Partial %v", i, d.At, d.Partial)
		}
		if diff := cmp.Diff(want[i], d.String()); diff != "" {
			t.Errorf("p%d decision (-explained, +recorded):\n%s", i, diff)
		}
	}
}

// TestDecisionSummary: above RecordAllNodes nodes nothing is recorded
// unless asked (RecordLarge); then the record keeps the rejection counts
// and the best RecordTop nodes, the chosen one first, with the same scores
// a full explanation of the same cycle shows.
func TestDecisionSummary(t *testing.T) {
	var nodes []*v1.Node
	for i := range 120 {
		n := testutil.MakeNode().Name(fmt.Sprintf("n%03d", i)).Capacity("cpu", fmt.Sprint(2+i%3), "memory", "4Gi")
		if i%10 == 0 {
			n.Taint("dedicated", "db", v1.TaintEffectNoSchedule)
		}
		nodes = append(nodes, n.Obj())
	}
	full := newTestScheduler(t, func(c *Config) { c.PercentageOfNodesToScore = 100 })
	rec := newTestScheduler(t, func(c *Config) { c.Explain, c.Record, c.RecordLarge, c.PercentageOfNodesToScore = false, 10, true, 100 })
	unasked := newTestScheduler(t, func(c *Config) { c.Explain, c.Record, c.PercentageOfNodesToScore = false, 10, 100 })
	for _, s := range []*Scheduler{full, rec, unasked} {
		for _, n := range nodes {
			s.AddNode(n)
		}
		s.AddPod(testutil.MakePod().Name("busy").Node("n001").Req("cpu", "1").Obj())
	}
	pod := testutil.MakePod().Name("web").Req("cpu", "500m").Obj()
	var res [3]*Result
	for i, s := range []*Scheduler{full, rec, unasked} {
		s.AddPod(pod)
		p, _ := s.Pop(t0)
		res[i] = s.Schedule(t0, p)
	}
	if res[0].NodeName != res[1].NodeName || res[1].NodeName == "" {
		t.Fatalf("placed on %q (full) and %q (recorded)", res[0].NodeName, res[1].NodeName)
	}
	if _, ok := unasked.Decision(pod.UID); ok || res[2].NodeName != res[1].NodeName {
		t.Errorf("without RecordLarge: decision kept %v, placed on %q", ok, res[2].NodeName)
	}
	d, ok := rec.Decision(pod.UID)
	if !ok {
		t.Fatal("no decision recorded")
	}
	if !d.Partial || d.NumNodes != len(nodes) || d.Evaluated != len(nodes) || d.Feasible != len(nodes)-12 {
		t.Errorf("counts: partial %v nodes %d evaluated %d feasible %d", d.Partial, d.NumNodes, d.Evaluated, d.Feasible)
	}
	wantRej := []Rejection{{Plugin: "TaintToleration", Reason: "node(s) had untolerated taint {dedicated: db}", Nodes: 12}}
	if diff := cmp.Diff(wantRej, d.Rejected); diff != "" {
		t.Errorf("rejections (-want, +got):\n%s", diff)
	}
	if len(d.Nodes) != RecordTop || d.Nodes[0].Node != res[1].NodeName || d.SelectedNode != res[1].NodeName {
		t.Fatalf("top nodes %v, selected %q, placed on %q", d.Nodes, d.SelectedNode, res[1].NodeName)
	}
	ref := map[string]NodeExplanation{}
	for _, n := range res[0].Explain.Nodes {
		ref[n.Node] = n
	}
	for i, n := range d.Nodes {
		if i > 0 && n.Total > d.Nodes[i-1].Total && i > 1 {
			t.Errorf("top nodes not in score order: %v", d.Nodes)
		}
		if n.Total > d.Nodes[0].Total {
			t.Errorf("%s scores %d above the chosen node's %d", n.Node, n.Total, d.Nodes[0].Total)
		}
		if diff := cmp.Diff(ref[n.Node], n, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: (-full explanation, +recorded):\n%s", n.Node, diff)
		}
	}
	out := d.String()
	for _, want := range []string{"scheduled to " + res[1].NodeName, "120 nodes evaluated, 108 passed, 12 rejected", "TaintToleration", "best 3 of 108 feasible nodes"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}
