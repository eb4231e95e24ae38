package nodeaffinity

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

const reason = "node(s) didn't match Pod's node affinity/selector"

func TestNodeAffinity(t *testing.T) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("n1").Label("zone", "a").Obj(),
		testutil.MakeNode().Name("n2").Label("disk", "ssd").Obj(),
		testutil.MakeNode().Name("n3").Label("zone", "a").Label("disk", "ssd").Obj(),
		testutil.MakeNode().Name("n4").Obj(),
	}
	tests := []struct {
		name          string
		pod           *v1.Pod
		wantPreFilter string
		wantFilter    map[string]string
		wantScores    map[string]int64
	}{
		{
			name:          "no affinity: PreFilter and PreScore skip",
			pod:           testutil.MakePod().Name("p").Obj(),
			wantPreFilter: "Skip",
		},
		{
			name:       "nodeSelector",
			pod:        testutil.MakePod().Name("p").NodeSelector("disk", "ssd").Obj(),
			wantFilter: map[string]string{"n1": reason, "n2": "", "n3": "", "n4": reason},
		},
		{
			name:       "required affinity In; nodeSelector and affinity are ANDed",
			pod:        testutil.MakePod().Name("p").NodeSelector("disk", "ssd").NodeAffinityIn("zone", "a", "b").Obj(),
			wantFilter: map[string]string{"n1": reason, "n2": reason, "n3": "", "n4": reason},
		},
		{
			// Sum of matching preferred weights, scaled so the best is 100.
			name:          "preferred terms",
			pod:           testutil.MakePod().Name("p").PreferredNodeAffinity(2, "zone", "a").PreferredNodeAffinity(5, "disk", "ssd").Obj(),
			wantPreFilter: "Skip",
			wantScores:    map[string]int64{"n1": 28, "n2": 71, "n3": 100, "n4": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, nil)
			p, err := New(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			got := testutil.Run(t, p, h, tc.pod)
			if got.PreFilter != tc.wantPreFilter {
				t.Errorf("PreFilter = %q, want %q", got.PreFilter, tc.wantPreFilter)
			}
			if diff := cmp.Diff(tc.wantFilter, got.Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantScores, got.Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreFilterNodeNames(t *testing.T) {
	tests := []struct {
		name    string
		pod     *v1.Pod
		want    map[string]struct{}
		wantMsg string
	}{
		{name: "DaemonSet-style metadata.name term narrows", pod: testutil.MakePod().Name("ds").NodeNameAffinity("w1").Obj(), want: map[string]struct{}{"w1": {}}},
		{name: "ORed terms union", pod: testutil.MakePod().Name("ds").NodeNameAffinity("w1").NodeNameAffinity("w2").Obj(), want: map[string]struct{}{"w1": {}, "w2": {}}},
		{name: "a term without names keeps all nodes", pod: testutil.MakePod().Name("p").NodeAffinityIn("zone", "a").NodeNameAffinity("w1").Obj()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := New(nil, nil)
			r, st := p.(*NodeAffinity).PreFilter(framework.NewCycleState(nil), tc.pod)
			if st.Message() != tc.wantMsg {
				t.Fatalf("status %q, want %q", st.Message(), tc.wantMsg)
			}
			var got map[string]struct{}
			if r != nil {
				got = r.NodeNames
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("node names (-want +got):\n%s", diff)
			}
		})
	}
}
