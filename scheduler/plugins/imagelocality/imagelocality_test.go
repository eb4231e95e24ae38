package imagelocality

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"

	"kubesim/scheduler/internal/testutil"
)

func TestImageLocality(t *testing.T) {
	nodes := []*v1.Node{
		testutil.MakeNode().Name("n1").Image("nginx:latest", 250*mb).Obj(),
		testutil.MakeNode().Name("n2").Image("httpd:2.4", 10*mb).Obj(),
		testutil.MakeNode().Name("n3").Image("nginx:latest", 250*mb).Image("big:1", 3000*mb).Obj(),
	}
	tests := []struct {
		name string
		pod  *v1.Pod
		want map[string]int64
	}{
		// nginx on 2 of 3 nodes: 250MB*2/3 = 166.7MB; (166.7-23)/(1000-23)*100 = 14.
		{name: "untagged image is :latest, spread-weighted", pod: testutil.MakePod().Name("p").Image("nginx").Obj(), want: map[string]int64{"n1": 14, "n2": 0, "n3": 14}},
		// Below the 23MB floor scores 0.
		{name: "small image", pod: testutil.MakePod().Name("p").Image("httpd:2.4").Obj(), want: map[string]int64{"n1": 0, "n2": 0, "n3": 0}},
		// 3000MB*1/3 = 1000MB, at the per-container ceiling.
		{name: "capped at 1000MB per container", pod: testutil.MakePod().Name("p").Image("big:1").Obj(), want: map[string]int64{"n1": 0, "n2": 0, "n3": 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, nil)
			p, _ := New(nil, h)
			got := testutil.Run(t, p, h, tc.pod)
			if diff := cmp.Diff(tc.want, got.Scores); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
	if got := NormalizedImageName("registry:5000/app"); got != "registry:5000/app:latest" {
		t.Errorf("NormalizedImageName = %q", got)
	}
}
