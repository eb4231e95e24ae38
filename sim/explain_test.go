package sim

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func explainPod(name, node, cpu string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "httpd:2.4",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}}}
}

// TestExplainScheduleTellsWhatHappened: under a MostAllocated profile the
// explanation names the node the scheduler chose (kube-scheduler's default
// LeastAllocated would pick the other worker), from the decision recorded
// then, even after the cluster changed; a static pod was not scheduled; a
// pending pod gets a dry cycle of the configured profile.
func TestExplainScheduleTellsWhatHappened(t *testing.T) {
	spec := DefaultClusterSpec()
	spec.Scheduler.ScoringStrategy = "MostAllocated"
	c, err := New(spec, Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pods := c.res("", "pods")
	create := func(p *corev1.Pod) {
		t.Helper()
		c.Do(func() {
			if _, err := c.Registry.Create(pods, "default", p, false); err != nil {
				t.Fatal(err)
			}
		})
	}
	// w1 is busier; MostAllocated packs the next pod there.
	create(explainPod("busy", "w1.example.com", "1"))
	create(explainPod("web", "", "100m"))
	var node string
	c.Locked(func() {
		o, err := c.Registry.Get(pods, "default", "web")
		if err != nil {
			t.Fatal(err)
		}
		node = o.(*corev1.Pod).Spec.NodeName
	})
	if node != "w1.example.com" {
		t.Fatalf("MostAllocated placed web on %q, want w1.example.com", node)
	}
	// Today's state would tie the workers; the explanation is the recorded one.
	c.Do(func() { c.Registry.Delete(pods, "default", "busy", nil) })
	c.Advance(0)
	out, err := c.ExplainSchedule("default", "web")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Bound to w1.example.com;", "Pod default/web: scheduled to w1.example.com (3 nodes)", "m.example.com   TaintToleration: node(s) had untolerated taint"} {
		if !strings.Contains(out, want) {
			t.Errorf("web: explanation lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "scheduled to w2.example.com") {
		t.Errorf("web: explanation names w2:\n%s", out)
	}

	out, err = c.ExplainSchedule("kube-system", "etcd-m.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Pod kube-system/etcd-m.example.com: not scheduled: a static pod, run by the kubelet on m.example.com from its manifest"; !strings.HasPrefix(out, want) {
		t.Errorf("etcd: got %q, want it to start %q", out, want)
	}

	create(explainPod("huge", "", "64"))
	out, err = c.ExplainSchedule("default", "huge")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Pending; one cycle of the configured profile now", "Pod default/huge: not scheduled (3 nodes)", "NodeResourcesFit: Insufficient cpu"} {
		if !strings.Contains(out, want) {
			t.Errorf("huge: explanation lacks %q:\n%s", want, out)
		}
	}
	if _, err := c.ExplainSchedule("default", "nope"); err == nil {
		t.Error("explaining a missing pod: no error")
	}
}
