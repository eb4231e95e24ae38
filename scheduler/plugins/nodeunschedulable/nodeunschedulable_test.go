package nodeunschedulable

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestNodeUnschedulable(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("cordoned").Unschedulable().Obj(), testutil.MakeNode().Name("ok").Obj()}
	h := testutil.NewHandle(nodes, nil)
	p, _ := New(nil, h)
	tests := []struct {
		name string
		pod  *v1.Pod
		want map[string]string
	}{
		{name: "cordoned node rejected", pod: testutil.MakePod().Name("p").Obj(), want: map[string]string{"cordoned": "node(s) were unschedulable", "ok": ""}},
		{name: "toleration of the unschedulable taint", pod: testutil.MakePod().Name("p").Toleration("node.kubernetes.io/unschedulable", "", v1.TaintEffectNoSchedule).Obj(), want: map[string]string{"cordoned": "", "ok": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, testutil.Run(t, p, h, tc.pod).Filter); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
