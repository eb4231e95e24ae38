package podtopologyspread

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/scheduler/internal/testutil"
)

func web(name, node string) *v1.Pod {
	return testutil.MakePod().Name(name).Label("app", "web").Node(node).Obj()
}

func TestFilter(t *testing.T) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("a1").Label(v1.LabelTopologyZone, "a").Obj(),
		testutil.MakeNode().Name("a2").Label(v1.LabelTopologyZone, "a").Obj(),
		testutil.MakeNode().Name("b1").Label(v1.LabelTopologyZone, "b").Obj(),
		testutil.MakeNode().Name("nolabel").Obj(),
	}
	existing := []*v1.Pod{web("w1", "a1"), web("w2", "a1")}
	tests := []struct {
		name string
		pod  *v1.Pod
		want map[string]string
	}{
		{
			// zone a has 2 matching pods, zone b 0: a + self - min = 3 > 1.
			name: "maxSkew 1 across zones",
			pod:  testutil.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, v1.LabelTopologyZone, v1.DoNotSchedule, "app", "web").Obj(),
			want: map[string]string{"a1": ErrReasonConstraintsNotMatch, "a2": ErrReasonConstraintsNotMatch, "b1": "", "nolabel": ErrReasonNodeLabelNotMatch},
		},
		{
			name: "maxSkew 3 allows zone a",
			pod:  testutil.MakePod().Name("p").Label("app", "web").SpreadConstraint(3, v1.LabelTopologyZone, v1.DoNotSchedule, "app", "web").Obj(),
			want: map[string]string{"a1": "", "a2": "", "b1": "", "nolabel": ErrReasonNodeLabelNotMatch},
		},
		{
			// The pod does not match its own selector: no self count.
			name: "no self match",
			pod:  testutil.MakePod().Name("p").Label("app", "other").SpreadConstraint(2, v1.LabelTopologyZone, v1.DoNotSchedule, "app", "web").Obj(),
			want: map[string]string{"a1": "", "a2": "", "b1": "", "nolabel": ErrReasonNodeLabelNotMatch},
		},
		{
			// Per hostname: a1 has 2, every other labelled node 0.
			name: "hostname",
			pod:  testutil.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, v1.LabelHostname, v1.DoNotSchedule, "app", "web").Obj(),
			want: map[string]string{"a1": ErrReasonConstraintsNotMatch, "a2": "", "b1": "", "nolabel": ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, existing)
			p, err := New(nil, h)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, testutil.Run(t, p, h, tc.pod).Filter); diff != "" {
				t.Errorf("filter (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScore(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("n1").Obj(), testutil.MakeNode().Name("n2").Obj(), testutil.MakeNode().Name("n3").Obj()}
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "web-rs", Namespace: "default"},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	tests := []struct {
		name     string
		existing []*v1.Pod
		pod      *v1.Pod
		want     map[string]int64
	}{
		{
			// raw = count × log(3+2) + (maxSkew-1): 3.2→3, 1.6→2, 0; normalised (max+min-raw)×100/max.
			name:     "soft hostname constraint",
			existing: []*v1.Pod{web("e1", "n1"), web("e2", "n1"), web("e3", "n2")},
			pod:      testutil.MakePod().Name("p").Label("app", "web").SpreadConstraint(1, v1.LabelHostname, v1.ScheduleAnyway, "app", "web").Obj(),
			want:     map[string]int64{"n1": 0, "n2": 33, "n3": 100},
		},
		{
			name:     "no constraints and no owner: skip",
			existing: []*v1.Pod{web("e1", "n1")},
			pod:      testutil.MakePod().Name("p").Label("app", "web").Obj(),
		},
		{
			// System defaults (hostname maxSkew 3, zone maxSkew 5) with the
			// ReplicaSet's selector: raw = count × log(3+2) + 2 → 5, 4, 2;
			// normalised (5+2-raw)×100/5.
			name:     "cluster-default constraints for a ReplicaSet's pod",
			existing: []*v1.Pod{web("e1", "n1"), web("e2", "n1"), web("e3", "n2")},
			pod:      testutil.MakePod().Name("p").Label("app", "web").OwnerReplicaSet("web-rs").Obj(),
			want:     map[string]int64{"n1": 40, "n2": 60, "n3": 100},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, tc.existing)
			h.ReplicaSets = []*appsv1.ReplicaSet{rs}
			p, _ := New(nil, h)
			if diff := cmp.Diff(tc.want, testutil.Run(t, p, h, tc.pod).Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}
