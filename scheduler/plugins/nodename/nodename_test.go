package nodename

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestNodeName(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("a").Obj(), testutil.MakeNode().Name("b").Obj()}
	h := testutil.NewHandle(nodes, nil)
	p, _ := New(nil, h)
	tests := []struct {
		name string
		pod  *v1.Pod
		want map[string]string
	}{
		{name: "no nodeName", pod: testutil.MakePod().Name("p").Obj(), want: map[string]string{"a": "", "b": ""}},
		{name: "nodeName b", pod: testutil.MakePod().Name("p").Node("b").Obj(), want: map[string]string{"a": ErrReason, "b": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, testutil.Run(t, p, h, tc.pod).Filter); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
