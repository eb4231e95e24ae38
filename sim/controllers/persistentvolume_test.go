package controllers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPV(name, class, size string, policy corev1.PersistentVolumeReclaimPolicy) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PersistentVolumeSpec{
		Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		StorageClassName: class, PersistentVolumeReclaimPolicy: policy,
		PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/mnt/" + name}}}}
}

func testPVC(name string, class *string, size string) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}, StorageClassName: class,
		Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}}}
}

// TestBinderStatic: a claim binds the smallest Available volume of its
// class that is big enough; deleting it releases a Retain volume; a claim
// with no class and no volume waits with upstream's event.
func TestBinderStatic(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewPersistentVolume, NewLocalPath)
	manual := "manual"
	e.create("persistentvolumes", "", testPV("big", manual, "10Gi", corev1.PersistentVolumeReclaimRetain))
	e.create("persistentvolumes", "", testPV("small", manual, "2Gi", corev1.PersistentVolumeReclaimRetain))
	e.create("persistentvolumes", "", testPV("other", "", "5Gi", corev1.PersistentVolumeReclaimRetain))
	e.create("persistentvolumeclaims", "default", testPVC("data", &manual, "1Gi"))
	e.create("persistentvolumeclaims", "default", testPVC("huge", &manual, "20Gi"))
	e.settle()
	pvc := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "data")
	if pvc.Status.Phase != corev1.ClaimBound || pvc.Spec.VolumeName != "small" {
		t.Fatalf("claim data: phase %s volume %q, want Bound to small", pvc.Status.Phase, pvc.Spec.VolumeName)
	}
	if q := pvc.Status.Capacity[corev1.ResourceStorage]; q.String() != "2Gi" {
		t.Errorf("capacity %s, want 2Gi", q.String())
	}
	if diff := cmp.Diff(map[string]string{"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"}, pvc.Annotations); diff != "" {
		t.Errorf("claim annotations (-want +got):\n%s", diff)
	}
	pv := getT[*corev1.PersistentVolume](e, "persistentvolumes", "", "small")
	if pv.Status.Phase != corev1.VolumeBound || pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.UID != pvc.UID {
		t.Fatalf("volume small: %s %+v", pv.Status.Phase, pv.Spec.ClaimRef)
	}
	if got := getT[*corev1.PersistentVolume](e, "persistentvolumes", "", "big").Status.Phase; got != corev1.VolumeAvailable {
		t.Errorf("volume big: %s, want Available", got)
	}
	huge := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "huge")
	if huge.Status.Phase != corev1.ClaimPending {
		t.Errorf("claim huge: %s, want Pending", huge.Status.Phase)
	}
	want := []string{`Warning ProvisioningFailed storageclass.storage.k8s.io "manual" not found`}
	if diff := cmp.Diff(want, e.eventsFor("PersistentVolumeClaim", "huge")); diff != "" {
		t.Errorf("events of huge (-want +got):\n%s", diff)
	}

	// Delete the claim: protection lets it go (no pod uses it), the
	// Retain volume is Released and keeps its claimRef.
	if _, err := e.reg.Delete(res("persistentvolumeclaims"), "default", "data", nil); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if e.exists("persistentvolumeclaims", "default", "data") {
		t.Fatal("claim data still exists")
	}
	pv = getT[*corev1.PersistentVolume](e, "persistentvolumes", "", "small")
	if pv.Status.Phase != corev1.VolumeReleased || pv.Spec.ClaimRef == nil {
		t.Errorf("volume small after its claim went: %s %v, want Released with its claimRef", pv.Status.Phase, pv.Spec.ClaimRef)
	}

	// No class at all (no default class in this env): FailedBinding.
	e.create("persistentvolumeclaims", "default", testPVC("noclass", nil, "100Gi"))
	e.settle()
	want = []string{"Normal FailedBinding no persistent volumes available for this claim and no storage class is set"}
	if diff := cmp.Diff(want, e.eventsFor("PersistentVolumeClaim", "noclass")); diff != "" {
		t.Errorf("events of noclass (-want +got):\n%s", diff)
	}
	e.advance(31 * time.Second)
	ev := listT[*corev1.Event](e, "events", "default")
	for _, x := range ev {
		if x.InvolvedObject.Name == "noclass" && x.Count != 3 {
			t.Errorf("FailedBinding count %d after 31s, want 3 (resynced every 15s)", x.Count)
		}
	}
}

// TestLocalPathProvisioning: a WaitForFirstConsumer claim waits until a
// node is selected, then local-path provisions a hostPath volume on that
// node and the binder binds it; deleting the claim deletes the volume.
func TestLocalPathProvisioning(t *testing.T) {
	for _, v := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(v, func(t *testing.T) {
			e := newEnv(t, v, NewPersistentVolume, NewLocalPath)
			wffc, del := storagev1.VolumeBindingWaitForFirstConsumer, corev1.PersistentVolumeReclaimDelete
			e.create("storageclasses", "", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
				Provisioner: LocalPathProvisioner, VolumeBindingMode: &wffc, ReclaimPolicy: &del})
			e.create("persistentvolumeclaims", "default", testPVC("data", nil, "1Gi"))
			e.settle()
			pvc := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "data")
			if pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName != "standard" {
				t.Fatalf("class %v, want the default class standard", pvc.Spec.StorageClassName)
			}
			want := []string{"Normal WaitForFirstConsumer waiting for first consumer to be created before binding"}
			if diff := cmp.Diff(want, e.eventsFor("PersistentVolumeClaim", "data")); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			pvc.Annotations = map[string]string{"volume.kubernetes.io/selected-node": "w1"}
			e.update("persistentvolumeclaims", "default", pvc, "")
			e.settle()
			pvc = getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "data")
			name := "pvc-" + string(pvc.UID)
			if pvc.Status.Phase != corev1.ClaimBound || pvc.Spec.VolumeName != name {
				t.Fatalf("claim: %s %q, want Bound to %s", pvc.Status.Phase, pvc.Spec.VolumeName, name)
			}
			pv := getT[*corev1.PersistentVolume](e, "persistentvolumes", "", name)
			if got, want := pv.Spec.HostPath.Path, "/opt/local-path-provisioner/"+name+"_default_data"; got != want {
				t.Errorf("path %s, want %s", got, want)
			}
			if got := pv.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values; len(got) != 1 || got[0] != "w1" {
				t.Errorf("node affinity %v, want w1", got)
			}
			evs := e.eventsFor("PersistentVolumeClaim", "data")
			if len(evs) != 4 || evs[1][:27] != "Normal ExternalProvisioning" || evs[2] != `Normal Provisioning External provisioner is provisioning volume for claim "default/data"` || evs[3] != "Normal ProvisioningSucceeded Successfully provisioned volume "+name {
				t.Errorf("events: %q", evs)
			}
			if _, err := e.reg.Delete(res("persistentvolumeclaims"), "default", "data", nil); err != nil {
				t.Fatal(err)
			}
			e.settle()
			if e.exists("persistentvolumes", "", name) {
				t.Errorf("volume %s survived its Delete-policy claim", name)
			}
		})
	}
}

// TestExpansion: growing a bound claim is refused unless its class allows
// expansion; when it does, the claim waits for an external resizer.
func TestExpansion(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewPersistentVolume)
	yes := true
	imm := storagev1.VolumeBindingImmediate
	e.create("storageclasses", "", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "grow"}, Provisioner: "example.com/csi", VolumeBindingMode: &imm, AllowVolumeExpansion: &yes})
	e.create("storageclasses", "", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "fixed"}, Provisioner: "example.com/csi", VolumeBindingMode: &imm})
	for _, cl := range []string{"grow", "fixed"} {
		e.create("persistentvolumes", "", testPV("pv-"+cl, cl, "1Gi", corev1.PersistentVolumeReclaimRetain))
		e.create("persistentvolumeclaims", "default", testPVC(cl, &cl, "1Gi"))
	}
	e.settle()
	resize := func(name string) error {
		pvc := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", name)
		pvc.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("2Gi")
		pvc.ResourceVersion = ""
		_, err := e.reg.Update(res("persistentvolumeclaims"), "default", pvc, "")
		return err
	}
	if err := resize("fixed"); err == nil || err.Error() != `persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize` {
		t.Errorf("resize fixed: %v", err)
	}
	if err := resize("grow"); err != nil {
		t.Fatalf("resize grow: %v", err)
	}
	e.settle()
	evs := e.eventsFor("PersistentVolumeClaim", "grow")
	if len(evs) == 0 || evs[len(evs)-1] != "Normal ExternalExpanding waiting for an external controller to expand this PVC" {
		t.Errorf("events of grow: %q", evs)
	}
}

// TestRetroactiveDefaultClass: a claim made while there was no default
// class gets the default class once one appears.
func TestRetroactiveDefaultClass(t *testing.T) {
	e := newEnv(t, "v1.27.1", NewPersistentVolume)
	e.create("persistentvolumeclaims", "default", testPVC("early", nil, "1Gi"))
	e.settle()
	if c := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "early"); c.Spec.StorageClassName != nil {
		t.Fatalf("class %q before any default class", *c.Spec.StorageClassName)
	}
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	e.create("storageclasses", "", &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "standard", Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}},
		Provisioner: LocalPathProvisioner, VolumeBindingMode: &wffc})
	e.settle()
	if c := getT[*corev1.PersistentVolumeClaim](e, "persistentvolumeclaims", "default", "early"); c.Spec.StorageClassName == nil || *c.Spec.StorageClassName != "standard" {
		t.Fatalf("class %v after the default class appeared, want standard", c.Spec.StorageClassName)
	}
}
