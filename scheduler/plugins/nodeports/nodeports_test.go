package nodeports

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestNodePorts(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("n1").Obj(), testutil.MakeNode().Name("n2").Obj()}
	existing := []*v1.Pod{testutil.MakePod().Name("e").Node("n1").HostPort(8080).Obj()}
	tests := []struct {
		name          string
		pod           *v1.Pod
		wantPreFilter string
		want          map[string]string
	}{
		{name: "no host ports: skip", pod: testutil.MakePod().Name("p").Obj(), wantPreFilter: "Skip"},
		{name: "conflict", pod: testutil.MakePod().Name("p").HostPort(8080).Obj(), want: map[string]string{"n1": ErrReason, "n2": ""}},
		{name: "other port", pod: testutil.MakePod().Name("p").HostPort(8081).Obj(), want: map[string]string{"n1": "", "n2": ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, existing)
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
