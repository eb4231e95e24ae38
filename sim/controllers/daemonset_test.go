package controllers

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newDS(name string, mutate ...func(*appsv1.DaemonSet)) *appsv1.DaemonSet {
	labels := map[string]string{"k8s-app": name}
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: name, Image: "registry.k8s.io/kube-proxy:v1.27.1"}}}},
		},
	}
	for _, m := range mutate {
		m(ds)
	}
	return ds
}

func cpTaint(n *corev1.Node) {
	n.Labels["node-role.kubernetes.io/control-plane"] = ""
	n.Spec.Taints = []corev1.Taint{{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule}}
}

func TestDaemonSetPlacement(t *testing.T) {
	tolerateAll := func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	}
	onlyWorkers := func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "worker"}
	}
	worker := func(n *corev1.Node) { n.Labels["role"] = "worker" }
	cordoned := func(n *corev1.Node) { worker(n); n.Spec.Unschedulable = true }
	tests := []struct {
		name  string
		ds    *appsv1.DaemonSet
		nodes map[string][]func(*corev1.Node)
		want  []string // nodes with a daemon pod
		// desired, current, ready, upToDate, available, misscheduled
		status []int32
	}{
		{"control-plane taint not tolerated", newDS("agent"),
			map[string][]func(*corev1.Node){"m": {cpTaint}, "w1": nil, "w2": nil}, []string{"w1", "w2"}, []int32{2, 2, 2, 2, 2, 0}},
		{"tolerate everything (kube-proxy)", newDS("kube-proxy", tolerateAll),
			map[string][]func(*corev1.Node){"m": {cpTaint}, "w1": nil, "w2": nil}, []string{"m", "w1", "w2"}, []int32{3, 3, 3, 3, 3, 0}},
		{"nodeSelector", newDS("agent", onlyWorkers),
			map[string][]func(*corev1.Node){"a": {worker}, "b": nil}, []string{"a"}, []int32{1, 1, 1, 1, 1, 0}},
		{"unschedulable tolerated automatically", newDS("agent", onlyWorkers),
			map[string][]func(*corev1.Node){"a": {cordoned}}, []string{"a"}, []int32{1, 1, 1, 1, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, "v1.27.1", NewDaemonSet)
			e.kubelet, e.scheduler = true, true
			names := make([]string, 0, len(tt.nodes))
			for n := range tt.nodes {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				e.addNode(n, tt.nodes[n]...)
			}
			e.create("daemonsets", "kube-system", tt.ds)
			e.advance(10 * time.Second)
			var got []string
			for _, p := range listT[*corev1.Pod](e, "pods", "kube-system") {
				got = append(got, p.Spec.NodeName)
				if targetNode(p) != p.Spec.NodeName {
					t.Errorf("pod %s: affinity node %q, bound to %q", p.Name, targetNode(p), p.Spec.NodeName)
				}
			}
			sort.Strings(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("nodes with pods (-want +got):\n%s", diff)
			}
			ds := getT[*appsv1.DaemonSet](e, "daemonsets", "kube-system", tt.ds.Name)
			st := ds.Status
			gotSt := []int32{st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady, st.UpdatedNumberScheduled, st.NumberAvailable, st.NumberMisscheduled}
			if diff := cmp.Diff(tt.status, gotSt); diff != "" {
				t.Errorf("status desired/current/ready/upToDate/available/misscheduled (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDaemonSetPodShape(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewDaemonSet)
	e.addNode("w1")
	ds := e.create("daemonsets", "kube-system", newDS("kube-flannel-ds", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.HostNetwork = true
	})).(*appsv1.DaemonSet)
	e.settle()
	pods := listT[*corev1.Pod](e, "pods", "kube-system")
	if len(pods) != 1 {
		t.Fatalf("%d pods", len(pods))
	}
	p := pods[0]
	hash := ComputeHash(&ds.Spec.Template, nil)
	wantLabels := map[string]string{"k8s-app": "kube-flannel-ds", "controller-revision-hash": hash, "pod-template-generation": "1"}
	if diff := cmp.Diff(wantLabels, p.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	wantAff := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchFields: []corev1.NodeSelectorRequirement{{Key: "metadata.name", Operator: corev1.NodeSelectorOpIn, Values: []string{"w1"}}}}}}}}
	if diff := cmp.Diff(wantAff, p.Spec.Affinity); diff != "" {
		t.Errorf("affinity (-want +got):\n%s", diff)
	}
	var tols []string
	for _, tol := range p.Spec.Tolerations {
		tols = append(tols, fmt.Sprintf("%s:%s op=%s", tol.Key, tol.Effect, tol.Operator))
	}
	wantTols := []string{
		"node.kubernetes.io/not-ready:NoExecute op=Exists", "node.kubernetes.io/unreachable:NoExecute op=Exists",
		"node.kubernetes.io/disk-pressure:NoSchedule op=Exists", "node.kubernetes.io/memory-pressure:NoSchedule op=Exists",
		"node.kubernetes.io/pid-pressure:NoSchedule op=Exists", "node.kubernetes.io/unschedulable:NoSchedule op=Exists",
		"node.kubernetes.io/network-unavailable:NoSchedule op=Exists",
	}
	if diff := cmp.Diff(wantTols, tols); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	if got := e.eventsFor("DaemonSet", "kube-flannel-ds"); len(got) != 1 || got[0] != "Normal SuccessfulCreate Created pod: "+p.Name {
		t.Errorf("events %q", got)
	}
}

func TestDaemonSetNodeAddRemoveAndUpdate(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewDaemonSet)
	e.kubelet, e.scheduler = true, true
	e.addNode("w1")
	e.create("daemonsets", "kube-system", newDS("agent"))
	e.advance(5 * time.Second)
	e.addNode("w2")
	e.advance(5 * time.Second)
	if n := len(listT[*corev1.Pod](e, "pods", "kube-system")); n != 2 {
		t.Fatalf("%d pods after adding w2, want 2", n)
	}
	// Rolling update: every pod is replaced by one with the new hash.
	ds := getT[*appsv1.DaemonSet](e, "daemonsets", "kube-system", "agent")
	ds.Spec.Template.Spec.Containers[0].Image = "registry.k8s.io/kube-proxy:v1.27.2"
	e.update("daemonsets", "kube-system", ds, "")
	e.advance(time.Minute)
	ds = getT[*appsv1.DaemonSet](e, "daemonsets", "kube-system", "agent")
	hash := ComputeHash(&ds.Spec.Template, nil)
	for _, p := range listT[*corev1.Pod](e, "pods", "kube-system") {
		if p.Labels[revisionHashLabel] != hash || p.Labels[templateGenerationLabel] != "2" {
			t.Errorf("pod %s labels %v after update, want hash %s generation 2", p.Name, p.Labels, hash)
		}
	}
	if st := ds.Status; st.UpdatedNumberScheduled != 2 || st.NumberAvailable != 2 {
		t.Errorf("status after update %+v", st)
	}
}
