package metrics

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/kubelet"
)

func TestScrape(t *testing.T) {
	now := time.Date(2023, 4, 20, 10, 0, 22, 0, time.UTC)
	from, to := Window(now)
	if want := time.Date(2023, 4, 20, 10, 0, 15, 0, time.UTC); !to.Equal(want) || !from.Equal(want.Add(-Resolution)) {
		t.Fatalf("Window(%s) = %s, %s", now, from, to)
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "w1", Labels: map[string]string{"k": "v"}}}
	pods := map[string]*corev1.Pod{"default/web": {ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: map[string]string{"app": "web"}}}}
	nms, pms := Scrape([]Node{{Node: node, Pods: []kubelet.PodUsage{
		{Namespace: "default", Name: "web", Containers: []kubelet.ContainerUsage{{Name: "a", MilliCPU: 250, Memory: 3 << 20}, {Name: "b", MilliCPU: 1, Memory: 1<<20 + 100}}},
		{Namespace: "default", Name: "gone", Containers: []kubelet.ContainerUsage{{Name: "a", MilliCPU: 999}}},
	}}}, pods, to)
	if len(nms) != 1 || len(pms) != 1 {
		t.Fatalf("%d nodes, %d pods", len(nms), len(pms))
	}
	got := map[string]string{}
	for _, c := range pms[0].Containers {
		got[c.Name+" cpu"], got[c.Name+" memory"] = c.Usage.Cpu().String(), c.Usage.Memory().String()
	}
	got["node cpu"], got["node memory"] = nms[0].Usage.Cpu().String(), nms[0].Usage.Memory().String()
	want := map[string]string{"a cpu": "250m", "a memory": "3Mi", "b cpu": "1m", "b memory": "1Mi", "node cpu": "301m", "node memory": "604Mi"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if PodCPU(&pms[0]) != 251 || pms[0].Labels["app"] != "web" || !pms[0].Timestamp.Time.Equal(to) || pms[0].Window.Duration != Resolution {
		t.Errorf("pod metrics %+v", pms[0])
	}
}
