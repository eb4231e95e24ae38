package fieldmanager_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/registry"
)

// corpus is every object of a booted lecture cluster running a few more
// workloads: each served kind with the fields a cluster sets.
func corpus(t *testing.T, version string) []runtime.Object {
	t.Helper()
	spec := sim.DefaultClusterSpec()
	spec.KubernetesVersion = version
	c, err := sim.New(spec, sim.Options{Dir: filepath.Join(t.TempDir(), "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	labels := map[string]string{"app": "x"}
	tmpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{
		Containers: []corev1.Container{{Name: "c", Image: "busybox", Command: []string{"sleep", "1d"},
			Ports: []corev1.ContainerPort{{ContainerPort: 80, Protocol: "TCP"}, {ContainerPort: 53, Protocol: "UDP"}},
			Env:   []corev1.EnvVar{{Name: "A", Value: "1"}}}}}}
	jobTmpl := tmpl
	jobTmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	extra := []struct {
		group, resource string
		obj             runtime.Object
	}{
		{"apps", "statefulsets", &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"}, Spec: appsv1.StatefulSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: tmpl, ServiceName: "db"}}},
		{"batch", "jobs", &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "j"}, Spec: batchv1.JobSpec{Template: jobTmpl}}},
		{"batch", "cronjobs", &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "cj"}, Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTmpl}}}}},
		{"", "services", &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "np"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort,
			Selector: labels, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}},
		{"", "secrets", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s"}, StringData: map[string]string{"k": "v"}}},
		{"policy", "poddisruptionbudgets", &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "pdb"}, Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: &intstr.IntOrString{Type: intstr.Int, IntVal: 1}, Selector: &metav1.LabelSelector{MatchLabels: labels}}}},
	}
	c.Do(func() {
		for _, e := range extra {
			res, _ := registry.Lookup(schemaGR(e.group, e.resource))
			if _, err := c.Registry.Create(res, "default", e.obj, false); err != nil {
				t.Errorf("create %s: %v", e.resource, err)
			}
		}
	})
	c.Advance(90_000_000_000) // 90 s: pods run, controllers write status
	var out []runtime.Object
	c.Locked(func() {
		for _, res := range registry.Resources() {
			if res.NewList == nil {
				continue
			}
			objs, _, err := c.Registry.List(res, "", registry.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				out = append(out, o.DeepCopyObject())
			}
		}
	})
	return out
}

// TestCreateMatchesUpdate: the create fast path records what upstream's
// managers record for an Update from the empty object, on every object of
// a running cluster, as a create (status reset) and through status.
func TestCreateMatchesUpdate(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		now := t0
		m := newManagers(t, version, &now)
		objs := corpus(t, version)
		kinds := map[string]bool{}
		for _, o := range objs {
			gvk := o.GetObjectKind().GroupVersionKind()
			res, ok := registry.LookupKind(gvk.GroupKind())
			if !ok {
				t.Fatalf("no resource for %s", gvk)
			}
			kinds[gvk.Kind] = true
			for _, sub := range []string{"", "status"} {
				k := fieldmanager.Kind{GVK: gvk, Subresource: sub}
				for _, s := range res.Subs {
					k.HasStatus = k.HasStatus || s.Name == "status"
				}
				if sub == "status" && !k.HasStatus {
					continue
				}
				a, b := o.DeepCopyObject(), o.DeepCopyObject()
				for _, x := range []runtime.Object{a, b} {
					acc, _ := meta.Accessor(x)
					acc.SetManagedFields(nil)
					acc.SetUID("")
				}
				empty := res.New()
				registry.SetGVK(empty)
				want := m.Update(k, empty, a, "m")
				got := m.Create(k, func() runtime.Object { return empty }, b, "m")
				wa, _ := meta.Accessor(want)
				ga, _ := meta.Accessor(got)
				if diff := cmp.Diff(fields(wa.GetManagedFields()), fields(ga.GetManagedFields())); diff != "" {
					t.Errorf("%s %s %s/%s (sub %q): managedFields (-upstream +fast):\n%s", version, gvk.Kind, acc(o).GetNamespace(), acc(o).GetName(), sub, diff)
				}
			}
		}
		if n := fieldmanager.ShapeHits(m); n < 20 {
			t.Errorf("%s: only %d creates came from the shapes' memo", version, n)
		}
		if n := fieldmanager.Fallbacks(m); n != 0 {
			t.Errorf("%s: %d creates took the upstream way", version, n)
		}
		if len(kinds) < 15 {
			t.Errorf("%s: corpus has only %d kinds: %v", version, len(kinds), kinds)
		}
	}
}

func acc(o runtime.Object) metav1.Object { a, _ := meta.Accessor(o); return a }

// fields shows entries with their fieldsV1 as text.
func fields(es []metav1.ManagedFieldsEntry) []string {
	var out []string
	for _, e := range es {
		raw := ""
		if e.FieldsV1 != nil {
			raw = string(e.FieldsV1.Raw)
		}
		out = append(out, e.Manager+" "+string(e.Operation)+" "+e.APIVersion+" "+e.Subresource+" "+e.Time.String()+" "+e.FieldsType+" "+raw)
	}
	return out
}

func schemaGR(group, resource string) schema.GroupResource {
	return schema.GroupResource{Group: group, Resource: resource}
}

// TestCreateShapeIgnoresStringValues: objects differing only in the values
// of their labels and annotations (100,000 nodes differ in their hostname
// label) share a shape, and record what upstream's managers record.
func TestCreateShapeIgnoresStringValues(t *testing.T) {
	now := t0
	m := newManagers(t, "v1.27.1", &now)
	k := fieldmanager.Kind{GVK: corev1.SchemeGroupVersion.WithKind("Node"), HasStatus: true}
	node := func(name, zone string) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
			Labels:      map[string]string{corev1.LabelHostname: name, corev1.LabelTopologyZone: zone},
			Annotations: map[string]string{"note": name + zone}}}
		registry.SetGVK(n)
		return n
	}
	empty := func() runtime.Object { e := &corev1.Node{}; registry.SetGVK(e); return e }
	for i, n := range []*corev1.Node{node("a", "z1"), node("b", "z2"), node("c", "")} {
		want := m.Update(k, empty(), n.DeepCopy(), "m")
		got := m.Create(k, empty, n.DeepCopy(), "m")
		if diff := cmp.Diff(fields(acc(want).GetManagedFields()), fields(acc(got).GetManagedFields())); diff != "" {
			t.Errorf("node %s: managedFields (-upstream +fast):\n%s", n.Name, diff)
		}
		if hits := fieldmanager.ShapeHits(m); hits != i {
			t.Errorf("after node %s: %d creates from the shapes' memo, want %d", n.Name, hits, i)
		}
	}
}

// TestCreateSharesEntries: creates of one shape by one manager in one
// second share their managedFields; another second, manager or shape gets
// its own, and appending to a shared list leaves the others as they were.
func TestCreateSharesEntries(t *testing.T) {
	now := t0
	m := newManagers(t, "v1.27.1", &now)
	k := fieldmanager.Kind{GVK: corev1.SchemeGroupVersion.WithKind("Node"), HasStatus: true}
	empty := func() runtime.Object { e := &corev1.Node{}; registry.SetGVK(e); return e }
	create := func(name, manager string, labels map[string]string) []metav1.ManagedFieldsEntry {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
		registry.SetGVK(n)
		return acc(m.Create(k, empty, n, manager)).GetManagedFields()
	}
	host := func(n string) map[string]string { return map[string]string{corev1.LabelHostname: n} }
	a, b := create("a", "m", host("a")), create("b", "m", host("b"))
	if len(a) != 1 || &a[0] != &b[0] {
		t.Fatalf("same second, manager and shape: entries not shared (%v, %v)", fields(a), fields(b))
	}
	if cap(a) != len(a) {
		t.Errorf("shared entries have spare capacity %d: an append would write into them", cap(a))
	}
	_ = append(a, metav1.ManagedFieldsEntry{Manager: "x"})
	if c := create("c", "m", host("c")); len(c) != 1 || c[0].Manager != "m" {
		t.Errorf("after an append to a shared list: %v", fields(c))
	}
	for _, tc := range []struct {
		name    string
		entries func() []metav1.ManagedFieldsEntry
		sec     int64
	}{
		{"another manager", func() []metav1.ManagedFieldsEntry { return create("d", "other", host("d")) }, t0.Unix()},
		{"another shape", func() []metav1.ManagedFieldsEntry { return create("e", "m", map[string]string{"zone": "z"}) }, t0.Unix()},
		{"another second", func() []metav1.ManagedFieldsEntry {
			now = t0.Add(1500 * time.Millisecond)
			return create("f", "m", host("f"))
		}, t0.Unix() + 1},
	} {
		e := tc.entries()
		if len(e) != 1 || &e[0] == &a[0] {
			t.Errorf("%s: entries shared with the first create's", tc.name)
			continue
		}
		if got := e[0].Time.Unix(); got != tc.sec || e[0].Time.Nanosecond() != 0 {
			t.Errorf("%s: time %v, want %d to the second", tc.name, e[0].Time, tc.sec)
		}
	}
}

// TestShapeMatchesReflect: the shape walk over memory writes the keys the
// reflect.Value walk writes, on every object of a running cluster and on
// objects with numbers, booleans, quantities and maps of structs inside
// lists and maps.
func TestShapeMatchesReflect(t *testing.T) {
	f := 0.5
	objs := append(corpus(t, "v1.33.0"),
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Labels: map[string]string{"b": "2", "a": "1"}}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{ContainerPort: 80}, {ContainerPort: -1, HostPort: 7}},
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{"memory": resource.MustParse("10Mi"), "cpu": resource.MustParse("1.5")},
					Limits: corev1.ResourceList{}},
				Stdin: true, TTY: false}},
			Overhead: corev1.ResourceList{"cpu": resource.MustParse("0")}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{
			Capacity: corev1.ResourceList{"cpu": resource.MustParse("4")},
			Images:   []corev1.ContainerImage{{Names: []string{"a", "b"}, SizeBytes: 1 << 40}, {SizeBytes: -3}}}},
		&metav1.Status{Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Field: "x"}}, RetryAfterSeconds: 3}, Code: 0},
		&autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
			ScaleUp: &autoscalingv2.HPAScalingRules{Policies: []autoscalingv2.HPAScalingPolicy{{Type: "Pods", Value: 4, PeriodSeconds: 15}}}}}},
		&apiextensionsv1.CustomResourceDefinition{Spec: apiextensionsv1.CustomResourceDefinitionSpec{Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
			Name: "v1", Served: true, Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
				Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": {Type: "object", Minimum: &f, Properties: map[string]apiextensionsv1.JSONSchemaProps{"x": {Type: "integer"}}},
					// maps of one type nested, the inner as large: shapeMap's scratch
					"a": {Properties: map[string]apiextensionsv1.JSONSchemaProps{"s": {}, "r": {Type: "string"}, "q": {}, "p": {Properties: map[string]apiextensionsv1.JSONSchemaProps{"z": {}}}}},
					"b": {Type: "string"}}}}}}}},
	)
	// Twice: the second pass walks with the scratch the first left.
	for _, o := range append(objs, objs...) {
		k := fieldmanager.Kind{GVK: o.GetObjectKind().GroupVersionKind()}
		fast, fastOK, ref, refOK := fieldmanager.ShapeKeys(k, o)
		if fastOK != refOK || string(fast) != string(ref) {
			t.Errorf("%T %s: shape %v %q, reflect walk %v %q", o, acc(o).GetName(), fastOK, fast, refOK, ref)
		}
	}
}

// TestShapeKeyAllocatesNothing: the maps of a shape, nested ones of the
// same type too, are sorted and copied in kept scratch. (Quantities inside
// maps and lists are written by their MarshalJSON, which allocates.)
func TestShapeKeyAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops scratch at random")
	}
	props := func(names ...string) map[string]apiextensionsv1.JSONSchemaProps {
		m := map[string]apiextensionsv1.JSONSchemaProps{}
		for _, n := range names {
			m[n] = apiextensionsv1.JSONSchemaProps{Type: "string"}
		}
		return m
	}
	inner := props("a", "b", "c", "d", "e")
	crd := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "c", Labels: map[string]string{"app": "x"}},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
			Name: "v1", Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
				Properties: map[string]apiextensionsv1.JSONSchemaProps{"spec": {Properties: inner}, "status": {Properties: props("x")}, "z": {}}}}}}}}
	registry.SetGVK(crd)
	k := fieldmanager.Kind{GVK: crd.GetObjectKind().GroupVersionKind()}
	if _, ok, _, _ := fieldmanager.ShapeKeys(k, crd); !ok {
		t.Fatal("the CRD has no shape key")
	}
	if n := fieldmanager.ShapeKeyAllocs(k, crd); n != 0 {
		t.Errorf("shapeKey allocates %v times; want 0", n)
	}
}
