package benchmarks

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// BenchmarkSchedulingVolumes is scheduling with the VolumeBinding plugin
// active, end to end on a hollow cluster of 5,000 nodes (as
// BenchmarkSchedulingE2EWorkloads: 1,000 initial pods scheduled untimed,
// then 2,000 measured pods created through the registry, scheduled, bound
// and committed), next to SchedulingBasic of the same size in the same
// run:
//
//   - SchedulingBasic: pods without volumes (VolumeBinding skips them);
//
//   - SchedulingCSIPVs: scheduler_perf's workload of that name, each pod
//     with its own claim pre-bound to its own CSI volume (templates/pvc.yaml
//     and pv-csi.yaml), made before the timed phase;
//
//   - SchedulingWaitForFirstConsumer: each pod with its own claim of the
//     local-path class (WaitForFirstConsumer), made before the timed phase:
//     the timed phase includes the selected-node write, the provisioning
//     of a volume per claim, the binder's binding and the pod's Binding,
//     which waits for it.
//
//     go test ./benchmarks/ -run '^$' -bench SchedulingVolumes -benchtime 1x
func BenchmarkSchedulingVolumes(b *testing.B) {
	defer sim.TuneGC()()
	for _, w := range []struct {
		name    string
		volumes string // "", "csi", "wffc"
		// threshold is upstream's CI threshold for the workload at
		// 5000Nodes (pods/s; 0 = none).
		threshold int
	}{
		{"SchedulingBasic/nodes=5000/pods=2000", "", 0},
		{"SchedulingCSIPVs/nodes=5000/pods=2000", "csi", 48},
		{"SchedulingWaitForFirstConsumer/nodes=5000/pods=2000", "wffc", 0},
	} {
		b.Run(w.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchVolumes(b, w.volumes, w.threshold)
			}
		})
	}
}

func benchVolumes(b *testing.B, volumes string, threshold int) {
	nodes, initPods, pods := 5000, 1000, 2000
	if testing.Short() {
		nodes, initPods, pods = 50, 10, 20
	}
	b.StopTimer()
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: b.TempDir(), Hollow: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	res := func(group, r string) *registry.Resource {
		rr, _ := registry.Lookup(schema.GroupResource{Group: group, Resource: r})
		return rr
	}
	podRes, pvcRes, pvRes := res("", "pods"), res("", "persistentvolumeclaims"), res("", "persistentvolumes")
	// claims makes pod i's claim (and, pre-bound, its volume).
	claims := func(prefix string, i int) {
		name := fmt.Sprintf("%s-%d", prefix, i)
		pvc := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "sched-1"}, Spec: corev1.PersistentVolumeClaimSpec{
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
		switch volumes {
		case "csi":
			pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-" + name}, Spec: corev1.PersistentVolumeSpec{
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany}, Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				PersistentVolumeSource:        corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "ebs.csi.aws.com", VolumeHandle: "vol-" + name}},
				ClaimRef:                      &corev1.ObjectReference{Namespace: "sched-1", Name: name}}}
			if _, err := c.Registry.Create(pvRes, "", pv, false); err != nil {
				b.Fatal(err)
			}
			pvc.Spec.AccessModes, pvc.Spec.VolumeName, pvc.Spec.StorageClassName = []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany}, pv.Name, new(string)
		case "wffc":
			pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		}
		if _, err := c.Registry.Create(pvcRes, "sched-1", pvc, false); err != nil {
			b.Fatal(err)
		}
	}
	pod := func(prefix string, i int) *corev1.Pod {
		p := defaultPod(prefix)(i)
		p.UID = ""
		if volumes != "" {
			claims(prefix, i)
			p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: p.Name}}}}
		}
		return p
	}
	c.Do(func() {
		if _, err := c.Registry.Create(res("", "namespaces"), "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "sched-1"}}, false); err != nil {
			b.Fatal(err)
		}
		wffc, del := storagev1.VolumeBindingWaitForFirstConsumer, corev1.PersistentVolumeReclaimDelete
		if _, err := c.Registry.Create(res("storage.k8s.io", "storageclasses"), "", &storagev1.StorageClass{
			ObjectMeta:  metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{registry.IsDefaultClassAnnotation: "true"}},
			Provisioner: "rancher.io/local-path", VolumeBindingMode: &wffc, ReclaimPolicy: &del}, false); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < nodes; i++ {
			n := defaultNode(i)
			n.UID = ""
			if _, err := c.Registry.Create(res("", "nodes"), "", n, false); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < initPods; i++ {
			if _, err := c.Registry.Create(podRes, "sched-1", pod("init", i), false); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The measured pods' claims (and volumes) exist before the timed phase.
	measured := make([]*corev1.Pod, pods)
	c.Do(func() {
		for i := range measured {
			measured[i] = pod("pod", i)
		}
	})
	if err := c.Store.Sync(); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	c.Locked(func() {
		for _, p := range measured {
			if _, err := c.Registry.Create(podRes, "sched-1", p, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	c.Settle()
	b.StopTimer()
	elapsed := time.Since(start)
	bound, claimsBound := 0, 0
	c.Locked(func() {
		for i := 0; i < pods; i++ {
			name := fmt.Sprintf("pod-%d", i)
			if o, err := c.Registry.Get(podRes, "sched-1", name); err == nil && o.(*corev1.Pod).Spec.NodeName != "" {
				bound++
			}
			if o, err := c.Registry.Get(pvcRes, "sched-1", name); err == nil && o.(*corev1.PersistentVolumeClaim).Status.Phase == corev1.ClaimBound {
				claimsBound++
			}
		}
	})
	b.ReportMetric(float64(pods)/elapsed.Seconds(), "pods/s")
	b.ReportMetric(float64(bound)/float64(pods), "bound/pod")
	if volumes != "" {
		b.ReportMetric(float64(claimsBound)/float64(pods), "claims-bound/pod")
	}
	if threshold > 0 {
		b.ReportMetric(float64(threshold), "upstream-threshold-pods/s")
	}
}
