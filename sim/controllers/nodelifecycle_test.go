package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTaintEviction: the taint manager evicts the pods of a NoExecute
// node that do not tolerate its taint, at once or after tolerationSeconds,
// whether the pod was bound before or after the taint appeared, and
// cancels a pending eviction when the taint goes. Pods on untainted nodes
// are never queued for it (the pod-event filter), which must not lose
// any of these.
func TestTaintEviction(t *testing.T) {
	e := newEnv(t, "v1.30.0", NewNodeLifecycle)
	added := metav1.NewTime(e.clk.Now())
	taint := corev1.Taint{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoExecute, TimeAdded: &added}
	e.addNode("tainted", func(n *corev1.Node) { n.Spec.Taints = []corev1.Taint{taint} })
	e.addNode("clean")
	e.settle()
	secs := int64(30)
	tolerate := func(s *int64) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: s}}
		}
	}
	pod := func(name, node string, mutate ...func(*corev1.Pod)) {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}}
		for _, m := range mutate {
			m(p)
		}
		e.create("pods", "default", p)
	}
	// present: the pod exists and is not being deleted.
	present := func(name string) bool {
		if !e.exists("pods", "default", name) {
			return false
		}
		return getT[*corev1.Pod](e, "pods", "default", name).DeletionTimestamp == nil
	}
	state := func() map[string]bool {
		out := map[string]bool{}
		for _, n := range []string{"intolerant", "for-30s", "forever", "on-clean", "later", "cancelled"} {
			out[n] = present(n)
		}
		return out
	}

	pod("intolerant", "tainted")
	pod("for-30s", "tainted", tolerate(&secs))
	pod("forever", "tainted", tolerate(nil))
	pod("on-clean", "clean")
	pod("later", "clean", tolerate(&secs))
	pod("cancelled", "clean", tolerate(&secs))
	e.settle()
	want := map[string]bool{"intolerant": false, "for-30s": true, "forever": true, "on-clean": true, "later": true, "cancelled": true}
	if d := cmp.Diff(want, state()); d != "" {
		t.Fatalf("after binding (-want +got):\n%s", d)
	}

	// The clean node is tainted after its pods were bound.
	n := getT[*corev1.Node](e, "nodes", "", "clean")
	n.Spec.Taints = []corev1.Taint{taint}
	e.update("nodes", "", n, "")
	e.settle()
	want["on-clean"] = false
	if d := cmp.Diff(want, state()); d != "" {
		t.Fatalf("after tainting the clean node (-want +got):\n%s", d)
	}

	e.advance(10 * time.Second)
	e.renewLease("tainted")
	e.renewLease("clean")
	// Untainted again 10 s later: the pending evictions there are cancelled.
	n = getT[*corev1.Node](e, "nodes", "", "clean")
	n.Spec.Taints = nil
	e.update("nodes", "", n, "")
	e.settle()
	e.advance(25 * time.Second) // for-30s is due (bound at 0 s); later and cancelled were spared
	want["for-30s"] = false
	if d := cmp.Diff(want, state()); d != "" {
		t.Fatalf("after 35 s (-want +got):\n%s", d)
	}
	if got := e.eventsFor("Pod", "cancelled"); len(got) != 1 || got[0] != "Normal TaintManagerEviction Cancelling deletion of Pod default/cancelled" {
		t.Errorf("events of cancelled: %q", got)
	}
	if got := e.eventsFor("Pod", "intolerant"); len(got) != 1 || got[0] != "Normal TaintManagerEviction Marking for deletion Pod default/intolerant" {
		t.Errorf("events of intolerant: %q", got)
	}
}

// TestTaintEvictionWithoutTimeAdded: a NoExecute taint without TimeAdded
// (as `kubectl taint` writes it) evicts a pod tolerating it for 30 s once
// 30 s have passed since the taint manager first saw it, as upstream's
// taint manager counts from its scheduled eviction's creation; the check
// the countdown's end queues does not start a new countdown.
func TestTaintEvictionWithoutTimeAdded(t *testing.T) {
	e := newEnv(t, "v1.30.0", NewNodeLifecycle)
	e.addNode("n1")
	e.settle()
	secs := int64(30)
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default"},
		Spec: corev1.PodSpec{NodeName: "n1", Containers: []corev1.Container{{Name: "c", Image: "busybox"}},
			Tolerations: []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs}}}}
	e.create("pods", "default", p)
	e.settle()
	n := getT[*corev1.Node](e, "nodes", "", "n1")
	n.Spec.Taints = []corev1.Taint{{Key: "k", Value: "v", Effect: corev1.TaintEffectNoExecute}}
	e.update("nodes", "", n, "")
	e.settle()
	gone := func() bool {
		return !e.exists("pods", "default", "p") || getT[*corev1.Pod](e, "pods", "default", "p").DeletionTimestamp != nil
	}
	for i, step := range []time.Duration{10 * time.Second, 10 * time.Second, 9 * time.Second} {
		e.advance(step)
		e.renewLease("n1")
		if gone() {
			t.Fatalf("evicted after step %d, before its 30 s", i)
		}
	}
	e.advance(2 * time.Second)
	if !gone() {
		t.Fatal("not evicted 31 s after the taint it tolerates for 30 s")
	}
}
