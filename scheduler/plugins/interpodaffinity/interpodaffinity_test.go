package interpodaffinity

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestFilter(t *testing.T) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("n1").Label(v1.LabelTopologyZone, "a").Obj(),
		testutil.MakeNode().Name("n2").Label(v1.LabelTopologyZone, "a").Obj(),
		testutil.MakeNode().Name("n3").Label(v1.LabelTopologyZone, "b").Obj(),
	}
	db := testutil.MakePod().Name("db").Label("app", "db").Node("n1").Obj()
	tests := []struct {
		name          string
		existing      []*v1.Pod
		pod           *v1.Pod
		wantPreFilter string
		want          map[string]string
	}{
		{
			name:     "anti-affinity per hostname",
			existing: []*v1.Pod{db},
			pod:      testutil.MakePod().Name("p").PodAntiAffinity(v1.LabelHostname, "app", "db").Obj(),
			want:     map[string]string{"n1": ErrReasonAntiAffinityRulesNotMatch, "n2": "", "n3": ""},
		},
		{
			name:     "existing pod's anti-affinity per zone",
			existing: []*v1.Pod{testutil.MakePod().Name("lonely").Label("app", "db").Node("n1").PodAntiAffinity(v1.LabelTopologyZone, "app", "web").Obj()},
			pod:      testutil.MakePod().Name("p").Label("app", "web").Obj(),
			want:     map[string]string{"n1": ErrReasonExistingAntiAffinityRulesNotMatch, "n2": ErrReasonExistingAntiAffinityRulesNotMatch, "n3": ""},
		},
		{
			name:     "affinity per zone",
			existing: []*v1.Pod{db},
			pod:      testutil.MakePod().Name("p").PodAffinity(v1.LabelTopologyZone, "app", "db").Obj(),
			want:     map[string]string{"n1": "", "n2": "", "n3": ErrReasonAffinityRulesNotMatch},
		},
		{
			// No pod matches anywhere, but the pod matches its own term: the
			// first pod of a group may go anywhere with the topology label.
			name: "first pod with affinity to itself",
			pod:  testutil.MakePod().Name("p").Label("app", "web").PodAffinity(v1.LabelTopologyZone, "app", "web").Obj(),
			want: map[string]string{"n1": "", "n2": "", "n3": ""},
		},
		{
			name:          "nothing to check: skip",
			existing:      []*v1.Pod{db},
			pod:           testutil.MakePod().Name("p").Obj(),
			wantPreFilter: "Skip",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, tc.existing)
			p, _ := New(nil, h)
			got := testutil.Run(t, p, h, tc.pod)
			if got.PreFilter != tc.wantPreFilter {
				t.Errorf("PreFilter %q, want %q", got.PreFilter, tc.wantPreFilter)
			}
			if diff := cmp.Diff(tc.want, got.Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScore(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("n1").Obj(), testutil.MakeNode().Name("n2").Obj(), testutil.MakeNode().Name("n3").Obj()}
	tests := []struct {
		name     string
		existing []*v1.Pod
		pod      *v1.Pod
		want     map[string]int64
	}{
		{
			name:     "preferred affinity and anti-affinity weights, min-max normalised",
			existing: []*v1.Pod{testutil.MakePod().Name("db").Label("app", "db").Node("n1").Obj(), testutil.MakePod().Name("cache").Label("app", "cache").Node("n2").Obj()},
			pod:      testutil.MakePod().Name("p").PreferredPodAffinity(10, v1.LabelHostname, "app", "db").PreferredPodAntiAffinity(5, v1.LabelHostname, "app", "cache").Obj(),
			// raw n1 10, n2 -5, n3 0 → (raw+5)/15×100.
			want: map[string]int64{"n1": 100, "n2": 0, "n3": 33},
		},
		{
			// An existing pod's required affinity to the incoming pod counts with hardPodAffinityWeight 1.
			name:     "existing pods' required affinity",
			existing: []*v1.Pod{testutil.MakePod().Name("fan").Node("n2").PodAffinity(v1.LabelHostname, "app", "web").Obj()},
			pod:      testutil.MakePod().Name("p").Label("app", "web").Obj(),
			want:     map[string]int64{"n1": 0, "n2": 100, "n3": 0},
		},
		{
			name: "nothing applies: skip",
			pod:  testutil.MakePod().Name("p").Obj(),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, tc.existing)
			p, _ := New(nil, h)
			if diff := cmp.Diff(tc.want, testutil.Run(t, p, h, tc.pod).Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}
