package tainttoleration

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestTaintToleration(t *testing.T) {
	mk := testutil.MakeNode
	tests := []struct {
		name       string
		generic    bool
		nodes      []*v1.Node
		pod        *v1.Pod
		wantFilter map[string]string
		wantScores map[string]int64
	}{
		{
			name: "untolerated NoSchedule taint names key and value; PreferNoSchedule does not filter",
			nodes: []*v1.Node{
				mk().Name("a").Taint("dedicated", "user1", v1.TaintEffectNoSchedule).Obj(),
				mk().Name("b").Taint("soft", "x", v1.TaintEffectPreferNoSchedule).Obj(),
				mk().Name("cp").Taint("node-role.kubernetes.io/control-plane", "", v1.TaintEffectNoSchedule).Obj(),
			},
			pod:        testutil.MakePod().Name("p").Obj(),
			wantFilter: map[string]string{"a": "node(s) had untolerated taint {dedicated: user1}", "b": "", "cp": "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"},
			wantScores: map[string]int64{"b": 0},
		},
		{
			name:       "v1.35 generic reason",
			generic:    true,
			nodes:      []*v1.Node{mk().Name("a").Taint("dedicated", "user1", v1.TaintEffectNoExecute).Obj()},
			pod:        testutil.MakePod().Name("p").Obj(),
			wantFilter: map[string]string{"a": "node(s) had untolerated taint(s)"},
		},
		{
			name:       "tolerated taint passes",
			nodes:      []*v1.Node{mk().Name("a").Taint("dedicated", "user1", v1.TaintEffectNoSchedule).Obj()},
			pod:        testutil.MakePod().Name("p").Toleration("dedicated", "user1", v1.TaintEffectNoSchedule).Obj(),
			wantFilter: map[string]string{"a": ""},
			wantScores: map[string]int64{"a": 100},
		},
		{
			// Upstream: nodes with fewer intolerable PreferNoSchedule taints score higher, reversed normalisation.
			name: "score counts intolerable PreferNoSchedule taints",
			nodes: []*v1.Node{
				mk().Name("n0").Taint("foo", "bar", v1.TaintEffectPreferNoSchedule).Obj(),
				mk().Name("n1").Taint("foo", "blah", v1.TaintEffectPreferNoSchedule).Obj(),
				mk().Name("n2").Taint("foo", "blah", v1.TaintEffectPreferNoSchedule).Taint("x", "y", v1.TaintEffectPreferNoSchedule).Obj(),
			},
			pod:        testutil.MakePod().Name("p").Toleration("foo", "bar", v1.TaintEffectPreferNoSchedule).Obj(),
			wantFilter: map[string]string{"n0": "", "n1": "", "n2": ""},
			wantScores: map[string]int64{"n0": 100, "n1": 50, "n2": 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(tc.nodes, nil)
			p, _ := New(Args{GenericReason: tc.generic}, h)
			got := testutil.Run(t, p, h, tc.pod)
			if diff := cmp.Diff(tc.wantFilter, got.Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
			if tc.wantScores != nil {
				if diff := cmp.Diff(tc.wantScores, got.Scores); diff != "" {
					t.Errorf("scores (-want +got):\n%s", diff)
				}
			}
		})
	}
}
