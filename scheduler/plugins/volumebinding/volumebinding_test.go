package volumebinding

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/internal/testutil"
)

func class(name, provisioner string, mode storagev1.VolumeBindingMode) *storagev1.StorageClass {
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Provisioner: provisioner, VolumeBindingMode: &mode}
}

func claim(name, class, size, volume string, ann ...string) *v1.PersistentVolumeClaim {
	c := &v1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + "name"},
		Spec: v1.PersistentVolumeClaimSpec{StorageClassName: &class, VolumeName: volume, AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
			Resources: v1.VolumeResourceRequirements{Requests: v1.ResourceList{v1.ResourceStorage: resource.MustParse(size)}}}}
	for i := 0; i+1 < len(ann); i += 2 {
		metav1.SetMetaDataAnnotation(&c.ObjectMeta, ann[i], ann[i+1])
	}
	return c
}

func volume(name, class, size, node string, claimRef string) *v1.PersistentVolume {
	pv := &v1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.PersistentVolumeSpec{
		StorageClassName: class, AccessModes: []v1.PersistentVolumeAccessMode{v1.ReadWriteOnce},
		Capacity:               v1.ResourceList{v1.ResourceStorage: resource.MustParse(size)},
		PersistentVolumeSource: v1.PersistentVolumeSource{Local: &v1.LocalVolumeSource{Path: "/mnt/" + name}}},
		Status: v1.PersistentVolumeStatus{Phase: v1.VolumeAvailable}}
	if node != "" {
		pv.Spec.NodeAffinity = &v1.VolumeNodeAffinity{Required: &v1.NodeSelector{NodeSelectorTerms: []v1.NodeSelectorTerm{{
			MatchExpressions: []v1.NodeSelectorRequirement{{Key: v1.LabelHostname, Operator: v1.NodeSelectorOpIn, Values: []string{node}}}}}}}
	}
	if claimRef != "" {
		pv.Spec.ClaimRef = &v1.ObjectReference{Namespace: "default", Name: claimRef}
		pv.Status.Phase = v1.VolumeBound
	}
	return pv
}

func TestVolumeBinding(t *testing.T) {
	wffc, immediate := storagev1.VolumeBindingWaitForFirstConsumer, storagev1.VolumeBindingImmediate
	classes := []*storagev1.StorageClass{
		class("standard", "rancher.io/local-path", wffc),
		class("local", "kubernetes.io/no-provisioner", wffc),
		class("fast", "ebs.csi.aws.com", immediate),
	}
	bound := []string{"pv.kubernetes.io/bind-completed", "yes"}
	tests := []struct {
		name      string
		pod       *v1.Pod
		pvcs      []*v1.PersistentVolumeClaim
		pvs       []*v1.PersistentVolume
		preFilter string            // PreFilter's message ("" success)
		filter    map[string]string // node → Filter message
		writes    []string          // PreBind on n1: kind/name of each write
	}{
		{name: "no claims", pod: testutil.MakePod().Name("p").Obj(), preFilter: "skip"},
		{name: "missing claim", pod: testutil.MakePod().Name("p").PVC("data").Obj(), preFilter: `persistentvolumeclaim "data" not found`},
		{name: "unbound immediate", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs: []*v1.PersistentVolumeClaim{claim("data", "fast", "1Gi", "")}, preFilter: ErrUnboundImmediate},
		{name: "wffc provisioned anywhere", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs:   []*v1.PersistentVolumeClaim{claim("data", "standard", "1Gi", "")},
			filter: map[string]string{"n1": "", "n2": ""}, writes: []string{"PersistentVolumeClaim/data@n1"}},
		{name: "wffc already given a node", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs:   []*v1.PersistentVolumeClaim{claim("data", "standard", "1Gi", "", "volume.kubernetes.io/selected-node", "n2")},
			filter: map[string]string{"n1": ErrReasonBindConflict, "n2": ""}},
		{name: "static local volumes", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs:   []*v1.PersistentVolumeClaim{claim("data", "local", "1Gi", "")},
			pvs:    []*v1.PersistentVolume{volume("pv-n1", "local", "5Gi", "n1", ""), volume("pv-n2-small", "local", "500Mi", "n2", "")},
			filter: map[string]string{"n1": "", "n2": ErrReasonBindConflict}, writes: []string{"PersistentVolume/pv-n1"}},
		{name: "bound to a volume on another node", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs:   []*v1.PersistentVolumeClaim{claim("data", "local", "1Gi", "pv-n2", bound...)},
			pvs:    []*v1.PersistentVolume{volume("pv-n2", "local", "5Gi", "n2", "data")},
			filter: map[string]string{"n1": ErrReasonNodeConflict, "n2": ""}},
		{name: "bound to a missing volume", pod: testutil.MakePod().Name("p").PVC("data").Obj(),
			pvcs:   []*v1.PersistentVolumeClaim{claim("data", "local", "1Gi", "gone", bound...)},
			filter: map[string]string{"n1": ErrReasonPVNotExist, "n2": ErrReasonPVNotExist}},
	}
	nodes := []*v1.Node{testutil.MakeNode().Name("n1").Label(v1.LabelHostname, "n1").Obj(), testutil.MakeNode().Name("n2").Label(v1.LabelHostname, "n2").Obj()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testutil.NewHandle(nodes, nil)
			h.PVCs, h.PVs, h.Classes = tt.pvcs, tt.pvs, classes
			p, _ := New(nil, h)
			pl := p.(*VolumeBinding)
			state := framework.NewCycleState(framework.NewPodInfo(tt.pod))
			_, st := pl.PreFilter(state, tt.pod)
			got := st.Message()
			if st.IsSkip() {
				got = "skip"
			}
			if got != tt.preFilter {
				t.Fatalf("PreFilter: %q, want %q", got, tt.preFilter)
			}
			if tt.preFilter != "" {
				if !st.IsSkip() && st.Code() != framework.UnschedulableAndUnresolvable {
					t.Errorf("PreFilter code %v, want UnschedulableAndUnresolvable", st.Code())
				}
				return
			}
			gotF := map[string]string{}
			for _, ni := range h.List() {
				gotF[ni.Node().Name] = pl.Filter(state, tt.pod, ni).Message()
			}
			if diff := cmp.Diff(tt.filter, gotF); diff != "" {
				t.Errorf("Filter (-want +got):\n%s", diff)
			}
			if tt.filter["n1"] != "" {
				return
			}
			if st := pl.Reserve(state, tt.pod, "n1"); !st.IsSuccess() {
				t.Fatalf("Reserve: %v", st.Message())
			}
			objs, _ := pl.PreBind(state, tt.pod, "n1")
			var gotW []string
			for _, o := range objs {
				gotW = append(gotW, describe(o))
			}
			if diff := cmp.Diff(tt.writes, gotW); diff != "" {
				t.Errorf("PreBind writes (-want +got):\n%s", diff)
			}
		})
	}
}

func describe(o runtime.Object) string {
	switch o := o.(type) {
	case *v1.PersistentVolume:
		if o.Spec.ClaimRef == nil || o.Spec.ClaimRef.Name != "data" {
			return "PersistentVolume/" + o.Name + " without the claim"
		}
		return "PersistentVolume/" + o.Name
	case *v1.PersistentVolumeClaim:
		return "PersistentVolumeClaim/" + o.Name + "@" + o.Annotations["volume.kubernetes.io/selected-node"]
	}
	return "?"
}

// TestAssumedVolumeTakenOnce: two pods whose claims fit the same single
// static volume: once the first is reserved, the second finds none.
func TestAssumedVolumeTakenOnce(t *testing.T) {
	nodes := []*v1.Node{testutil.MakeNode().Name("n1").Label(v1.LabelHostname, "n1").Obj()}
	h := testutil.NewHandle(nodes, nil)
	h.Classes = []*storagev1.StorageClass{class("local", "kubernetes.io/no-provisioner", storagev1.VolumeBindingWaitForFirstConsumer)}
	h.PVCs = []*v1.PersistentVolumeClaim{claim("a", "local", "1Gi", ""), claim("b", "local", "1Gi", "")}
	h.PVs = []*v1.PersistentVolume{volume("only", "local", "1Gi", "n1", "")}
	p, _ := New(nil, h)
	pl := p.(*VolumeBinding)
	for i, tc := range []struct{ pod, want string }{{"a", ""}, {"b", ErrReasonBindConflict}} {
		pod := testutil.MakePod().Name(tc.pod).PVC(tc.pod).Obj()
		state := framework.NewCycleState(framework.NewPodInfo(pod))
		if _, st := pl.PreFilter(state, pod); !st.IsSuccess() {
			t.Fatal(st.Message())
		}
		if got := pl.Filter(state, pod, h.Get("n1")).Message(); got != tc.want {
			t.Fatalf("pod %d: Filter %q, want %q", i, got, tc.want)
		}
		if tc.want == "" {
			pl.Reserve(state, pod, "n1")
		}
	}
}
