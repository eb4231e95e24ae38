package registry

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestSharedPodValues: pods created and bound in one second share their
// defaults' values and their PodScheduled condition, and each pod reads
// exactly what it read when every pod had its own; a pod with tolerations
// or conditions of its own gets its own list, and one bound in another
// second its own condition.
func TestSharedPodValues(t *testing.T) {
	r, _, clk := newTestRegistry(t)
	pods := mustRes(t, "", "pods")
	create := func(name string, tols []corev1.Toleration) *corev1.Pod {
		t.Helper()
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}, Tolerations: tols}}
		if _, err := r.Create(pods, "default", p, false); err != nil {
			t.Fatal(err)
		}
		if err := r.Bind("default", name, "w1"); err != nil {
			t.Fatal(err)
		}
		o, err := r.Get(pods, "default", name)
		if err != nil {
			t.Fatal(err)
		}
		return o.(*corev1.Pod)
	}
	a, b := create("a", nil), create("b", nil)
	sec := func(i int64) *int64 { return &i }
	wantTols := []corev1.Toleration{
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: sec(300)},
		{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: sec(300)},
	}
	wantConds := []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(testStart)}}
	for _, p := range []*corev1.Pod{a, b} {
		if diff := cmp.Diff(wantTols, p.Spec.Tolerations); diff != "" {
			t.Errorf("%s tolerations (-want +got):\n%s", p.Name, diff)
		}
		if diff := cmp.Diff(wantConds, p.Status.Conditions); diff != "" {
			t.Errorf("%s conditions (-want +got):\n%s", p.Name, diff)
		}
		if *p.Spec.TerminationGracePeriodSeconds != 30 || *p.Spec.EnableServiceLinks != true || *p.Spec.Priority != 0 ||
			*p.Spec.PreemptionPolicy != corev1.PreemptLowerPriority || !cmp.Equal(*p.Spec.SecurityContext, corev1.PodSecurityContext{}) {
			t.Errorf("%s defaults: %+v", p.Name, p.Spec)
		}
	}
	same := func(what string, x, y any) {
		if x != y {
			t.Errorf("%s not shared between pods created in one second", what)
		}
	}
	same("tolerations", &a.Spec.Tolerations[0], &b.Spec.Tolerations[0])
	same("conditions", &a.Status.Conditions[0], &b.Status.Conditions[0])
	same("grace period", a.Spec.TerminationGracePeriodSeconds, b.Spec.TerminationGracePeriodSeconds)
	same("securityContext", a.Spec.SecurityContext, b.Spec.SecurityContext)
	if cap(a.Spec.Tolerations) != len(a.Spec.Tolerations) || cap(a.Status.Conditions) != len(a.Status.Conditions) {
		t.Errorf("shared lists have spare capacity: an append would write into them")
	}

	own := create("own", []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists}})
	if len(own.Spec.Tolerations) != 3 || own.Spec.Tolerations[0].Key != "k" || own.Spec.Tolerations[1].Key != corev1.TaintNodeNotReady {
		t.Errorf("own tolerations: %+v", own.Spec.Tolerations)
	}
	if len(defaultTolerations) != 2 {
		t.Errorf("a pod's own tolerations changed the shared list: %+v", defaultTolerations)
	}

	clk.Set(testStart.Add(1500 * time.Millisecond))
	c := create("c", nil)
	if &c.Status.Conditions[0] == &a.Status.Conditions[0] {
		t.Errorf("a pod bound in the next second shares the first second's condition")
	}
	if got, want := c.Status.Conditions[0].LastTransitionTime.Time, testStart.Add(time.Second); !got.Equal(want) {
		t.Errorf("next second's condition at %v, want %v", got, want)
	}
	if !a.Status.Conditions[0].LastTransitionTime.Time.Equal(testStart) {
		t.Errorf("binding in the next second changed an earlier pod's condition: %v", a.Status.Conditions[0].LastTransitionTime)
	}
}

// TestSharedResources: pods whose containers request the same quantities
// in the same form share the lists; another form ("1" and "1000m"), another
// quantity or a LimitRange's defaults give a pod lists of its own, and
// nothing a later pod gets changes an earlier pod's.
func TestSharedResources(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	pods := mustRes(t, "", "pods")
	create := func(name, cpu string) *corev1.Pod {
		t.Helper()
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("10Mi")}}}}}}
		if _, err := r.Create(pods, "default", p, false); err != nil {
			t.Fatal(err)
		}
		o, err := r.Get(pods, "default", name)
		if err != nil {
			t.Fatal(err)
		}
		return o.(*corev1.Pod)
	}
	list := func(p *corev1.Pod) corev1.ResourceList { return p.Spec.Containers[0].Resources.Requests }
	a, b := create("a", "1"), create("b", "1")
	if reflect.ValueOf(list(a)).UnsafePointer() != reflect.ValueOf(list(b)).UnsafePointer() {
		t.Errorf("pods with the same requests do not share them")
	}
	c := create("c", "1000m")
	if reflect.ValueOf(list(c)).UnsafePointer() == reflect.ValueOf(list(a)).UnsafePointer() {
		t.Errorf("1000m shares the list of 1")
	}
	if got := list(c)[corev1.ResourceCPU]; got.String() != "1" && got.String() != "1000m" {
		t.Errorf("c's cpu %s", got.String())
	}
	lr := &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "lr"}, Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
		Default: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")}}}}}
	if _, err := r.Create(mustRes(t, "", "limitranges"), "default", lr, false); err != nil {
		t.Fatal(err)
	}
	d := create("d", "1")
	if _, ok := d.Spec.Containers[0].Resources.Limits[corev1.ResourceMemory]; !ok {
		t.Fatalf("the LimitRange's default limit is missing: %+v", d.Spec.Containers[0].Resources)
	}
	for _, p := range []*corev1.Pod{a, b} {
		if len(p.Spec.Containers[0].Resources.Limits) != 0 || len(list(p)) != 2 {
			t.Errorf("%s's resources changed by a later pod: %+v", p.Name, p.Spec.Containers[0].Resources)
		}
	}
}

// TestSharedNodeResources: nodes of one machine type share their capacity
// and allocatable lists, also after a status update (which writes a deep
// copy); a node of another size has its own.
func TestSharedNodeResources(t *testing.T) {
	r, _, _ := newTestRegistry(t)
	nodes := mustRes(t, "", "nodes")
	list := func(cpu string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("32Gi"), corev1.ResourcePods: resource.MustParse("110")}
	}
	get := func(name string) *corev1.Node {
		t.Helper()
		o, err := r.Get(nodes, "", name)
		if err != nil {
			t.Fatal(err)
		}
		return o.(*corev1.Node)
	}
	ptr := func(l corev1.ResourceList) uintptr { return uintptr(reflect.ValueOf(l).UnsafePointer()) }
	for _, n := range []struct{ name, cpu string }{{"a", "4"}, {"b", "4"}, {"big", "64"}} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name}, Status: corev1.NodeStatus{Capacity: list(n.cpu), Allocatable: list(n.cpu)}}
		if _, err := r.Create(nodes, "", node, false); err != nil {
			t.Fatal(err)
		}
	}
	a, b, big := get("a"), get("b"), get("big")
	if ptr(a.Status.Capacity) != ptr(b.Status.Capacity) || ptr(a.Status.Allocatable) != ptr(b.Status.Capacity) {
		t.Errorf("nodes of one size do not share capacity and allocatable")
	}
	if ptr(big.Status.Capacity) == ptr(a.Status.Capacity) {
		t.Errorf("a 64-CPU node shares a 4-CPU node's capacity")
	}
	up := b.DeepCopy()
	up.ResourceVersion = ""
	up.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}
	if _, err := r.Update(nodes, "", up, "status"); err != nil {
		t.Fatal(err)
	}
	if b2 := get("b"); ptr(b2.Status.Capacity) != ptr(a.Status.Capacity) || len(b2.Status.Conditions) != 1 {
		t.Errorf("after a status update: capacity not shared, or the update lost (%+v)", b2.Status)
	}
	if got := a.Status.Capacity[corev1.ResourceCPU]; got.String() != "4" || len(a.Status.Capacity) != 3 {
		t.Errorf("a's capacity changed: %v", a.Status.Capacity)
	}
}
