package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
)

func claimOf(name string, class *string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: class,
		Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
}

func podWithClaim(name, claim string) *corev1.Pod {
	p := explainPod(name, "", "10m")
	p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}}
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	return p
}

// TestWaitForFirstConsumerBindsOnSchedule: a claim of the default class
// (standard, local-path, WaitForFirstConsumer) stays Pending until a pod
// using it is scheduled; then it is provisioned on that pod's node and
// bound. A claim of an Immediate class nobody provisions keeps its pod
// Pending with kube-scheduler's message.
func TestWaitForFirstConsumerBindsOnSchedule(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pvcs, pods, pvs := c.res("", "persistentvolumeclaims"), c.res("", "pods"), c.res("", "persistentvolumes")
	c.Do(func() {
		if _, err := c.Registry.Create(pvcs, "default", claimOf("data", nil), false); err != nil {
			t.Fatal(err)
		}
	})
	get := func(res string, ns, name string) any {
		var o any
		c.Locked(func() {
			x, err := c.Registry.Get(c.res("", res), ns, name)
			if err == nil {
				o = x
			}
		})
		return o
	}
	pvc := get("persistentvolumeclaims", "default", "data").(*corev1.PersistentVolumeClaim)
	if pvc.Status.Phase != corev1.ClaimPending || *pvc.Spec.StorageClassName != "standard" {
		t.Fatalf("claim before a consumer: %s class %v", pvc.Status.Phase, *pvc.Spec.StorageClassName)
	}
	c.Do(func() {
		if _, err := c.Registry.Create(pods, "default", podWithClaim("user", "data"), false); err != nil {
			t.Fatal(err)
		}
	})
	pod := get("pods", "default", "user").(*corev1.Pod)
	pvc = get("persistentvolumeclaims", "default", "data").(*corev1.PersistentVolumeClaim)
	if pod.Spec.NodeName == "" || pvc.Status.Phase != corev1.ClaimBound {
		t.Fatalf("pod on %q, claim %s; want scheduled and Bound", pod.Spec.NodeName, pvc.Status.Phase)
	}
	if got := pvc.Annotations["volume.kubernetes.io/selected-node"]; got != pod.Spec.NodeName {
		t.Errorf("selected-node %q, want the pod's node %q", got, pod.Spec.NodeName)
	}
	pv := get("persistentvolumes", "", pvc.Spec.VolumeName).(*corev1.PersistentVolume)
	if got := pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0]; got != pod.Spec.NodeName {
		t.Errorf("volume on %q, want %q", got, pod.Spec.NodeName)
	}
	_ = pvs

	fast := "fast"
	c.Do(func() {
		mode := storagev1.VolumeBindingImmediate
		c.Registry.Create(c.res("storage.k8s.io", "storageclasses"), "", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: fast}, Provisioner: "example.com/nobody", VolumeBindingMode: &mode}, false)
		c.Registry.Create(pvcs, "default", claimOf("quick", &fast), false)
		c.Registry.Create(pods, "default", podWithClaim("waiter", "quick"), false)
	})
	evs := warnings(t, c, "waiter")
	want := "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.."
	if len(evs) != 1 || evs[0].Message != want {
		var got []string
		for _, e := range evs {
			got = append(got, e.Message)
		}
		t.Errorf("FailedScheduling: %q\nwant %q", strings.Join(got, "|"), want)
	}
}

// TestClaimDataOutlivesPod: a file written to a local-path claim is in
// the node's host filesystem under /opt/local-path-provisioner; a new pod
// on the same node mounting the claim reads it; deleting the claim deletes
// the volume (Delete policy) and its directory.
func TestClaimDataOutlivesPod(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pvcs, pods := c.res("", "persistentvolumeclaims"), c.res("", "pods")
	run := func(name, node string) {
		t.Helper()
		p := podWithClaim(name, "data")
		p.Spec.Containers[0].Image = "busybox:1.36"
		p.Spec.Containers[0].Command = []string{"sleep", "3600"}
		p.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": node}
		c.Do(func() {
			if _, err := c.Registry.Create(pods, "default", p, false); err != nil {
				t.Fatal(err)
			}
		})
		c.Advance(time.Minute)
	}
	c.Do(func() { c.Registry.Create(pvcs, "default", claimOf("data", nil), false) })
	run("writer", "w1.example.com")
	if _, stderr, code, err := c.PodExec("default", "writer", "c", []string{"sh", "-c", "echo kept > /data/note"}); err != nil || code != 0 {
		t.Fatalf("exec: %v %d %s", err, code, stderr)
	}
	var volume string
	c.Locked(func() {
		o, _ := c.Registry.Get(pvcs, "default", "data")
		volume = o.(*corev1.PersistentVolumeClaim).Spec.VolumeName
	})
	dir := "/opt/local-path-provisioner/" + volume + "_default_data"
	host := c.NodeHostFS("w1.example.com").FS()
	if b, err := host.ReadFile(dir + "/note"); err != nil || string(b) != "kept\n" {
		t.Fatalf("host %s/note: %q %v", dir, b, err)
	}
	c.Do(func() { c.Registry.Delete(pods, "default", "writer", metav1.NewDeleteOptions(0)) })
	c.Advance(time.Minute)
	run("reader", "w1.example.com")
	out, stderr, code, err := c.PodExec("default", "reader", "c", []string{"cat", "/data/note"})
	if err != nil || code != 0 || out != "kept\n" {
		t.Fatalf("reader: %q %q %d %v", out, stderr, code, err)
	}
	c.Do(func() {
		c.Registry.Delete(pods, "default", "reader", metav1.NewDeleteOptions(0))
		c.Registry.Delete(pvcs, "default", "data", nil)
	})
	c.Advance(time.Minute)
	c.Locked(func() {
		if _, err := c.Registry.Get(c.res("", "persistentvolumes"), "", volume); err == nil {
			t.Errorf("volume %s survived its claim", volume)
		}
	})
	if _, err := host.Stat(dir); err == nil {
		t.Errorf("%s survived its volume", dir)
	}
}

// TestStatefulSetClaims: volumeClaimTemplates give each ordinal a claim
// <template>-<set>-<i>, provisioned on its pod's node; whenScaled=Delete
// removes a scaled-down ordinal's claim with its pod, whenDeleted=Retain
// keeps the rest after the set is gone.
func TestStatefulSetClaims(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sts, pvcs := c.res("apps", "statefulsets"), c.res("", "persistentvolumeclaims")
	two := int32(2)
	set := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.StatefulSetSpec{
		Replicas: &two, ServiceName: "web", Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.23", VolumeMounts: []corev1.VolumeMount{{Name: "www", MountPath: "/usr/share/nginx/html"}}}}}},
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{*claimOf("www", nil)},
		PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
			WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.DeletePersistentVolumeClaimRetentionPolicyType},
	}}
	c.Do(func() {
		if _, err := c.Registry.Create(sts, "default", set, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(2 * time.Minute)
	claims := func() map[string]corev1.PersistentVolumeClaimPhase {
		out := map[string]corev1.PersistentVolumeClaimPhase{}
		c.Locked(func() {
			objs, _, _ := c.Registry.List(pvcs, "default", registry.ListOptions{})
			for _, o := range objs {
				out[o.(*corev1.PersistentVolumeClaim).Name] = o.(*corev1.PersistentVolumeClaim).Status.Phase
			}
		})
		return out
	}
	if evs := warnings(t, c, "web-0"); len(evs) != 0 {
		t.Errorf("web-0 has warnings (its claim must be bound before it is): %s: %s", evs[0].Reason, evs[0].Message)
	}
	want := map[string]corev1.PersistentVolumeClaimPhase{"www-web-0": corev1.ClaimBound, "www-web-1": corev1.ClaimBound}
	if diff := cmp.Diff(want, claims()); diff != "" {
		t.Fatalf("claims (-want +got):\n%s", diff)
	}
	c.Do(func() {
		if _, err := c.Registry.SetScale(sts, "default", "web", 1, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(2 * time.Minute)
	want = map[string]corev1.PersistentVolumeClaimPhase{"www-web-0": corev1.ClaimBound}
	if diff := cmp.Diff(want, claims()); diff != "" {
		t.Fatalf("claims after scaling to 1 (-want +got):\n%s", diff)
	}
	c.Do(func() { c.Registry.Delete(sts, "default", "web", nil) })
	c.Advance(2 * time.Minute)
	if diff := cmp.Diff(want, claims()); diff != "" {
		t.Fatalf("claims after deleting the set (-want +got):\n%s", diff)
	}
}
