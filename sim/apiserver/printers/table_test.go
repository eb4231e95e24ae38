package printers

import (
	"bytes"
	"encoding/json"
	"errors"
	certificatesv1 "k8s.io/api/certificates/v1"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var podsGR = schema.GroupResource{Resource: "pods"}

func simplePod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", ResourceVersion: "17", CreationTimestamp: ago(90), Labels: map[string]string{"a": "b"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}},
		Status:     corev1.PodStatus{Phase: corev1.PodPending},
	}
}

// TestWireBytes pins the exact bytes kube-apiserver's JSON serializer
// (encoding/json Encoder) writes for a one-row watch event: HTML escaping of
// "<none>", "columnDefinitions":null, "object":null and the trailing newline.
func TestWireBytes(t *testing.T) {
	tbl, err := Table(podsGR, []runtime.Object{simplePod()}, metav1.ListMeta{}, Options{Now: testNow, Version: "v1.27.1", NoHeaders: true, IncludeObject: "None"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(tbl); err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"17"},"columnDefinitions":null,` +
		`"rows":[{"cells":["p","0/1","Pending","0","0s","\u003cnone\u003e","\u003cnone\u003e","\u003cnone\u003e","\u003cnone\u003e"],"object":null}]}` + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("wire bytes (-want +got):\n%s", diff)
	}
}

func TestTableMetadata(t *testing.T) {
	remaining := int64(3)
	tests := []struct {
		name     string
		objs     []runtime.Object
		listMeta metav1.ListMeta
		want     metav1.ListMeta
	}{
		{"list copies list meta, never selfLink", []runtime.Object{simplePod()},
			metav1.ListMeta{ResourceVersion: "99", Continue: "tok", RemainingItemCount: &remaining, SelfLink: "/api/v1/pods"},
			metav1.ListMeta{ResourceVersion: "99", Continue: "tok", RemainingItemCount: &remaining}},
		{"single object carries its resourceVersion", []runtime.Object{simplePod()}, metav1.ListMeta{}, metav1.ListMeta{ResourceVersion: "17"}},
		{"empty list", nil, metav1.ListMeta{ResourceVersion: "5"}, metav1.ListMeta{ResourceVersion: "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := Table(podsGR, tt.objs, tt.listMeta, Options{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tbl.ListMeta); diff != "" {
				t.Errorf("ListMeta (-want +got):\n%s", diff)
			}
			if tbl.Rows == nil {
				t.Errorf("Rows is nil; printers return [] for an empty list")
			}
		})
	}
}

func TestIncludeObject(t *testing.T) {
	pod := simplePod()
	pod.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	tests := []struct {
		policy string
		want   runtime.Object
	}{
		{"", &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"}, ObjectMeta: pod.ObjectMeta}},
		{"Metadata", &metav1.PartialObjectMetadata{TypeMeta: metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"}, ObjectMeta: pod.ObjectMeta}},
		{"Object", func() runtime.Object {
			p := pod.DeepCopy()
			p.TypeMeta = metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"}
			return p
		}()},
		{"None", nil},
	}
	for _, tt := range tests {
		t.Run("policy="+tt.policy, func(t *testing.T) {
			before := pod.DeepCopy()
			tbl, err := Table(podsGR, []runtime.Object{pod}, metav1.ListMeta{}, Options{Now: testNow, IncludeObject: tt.policy})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, tbl.Rows[0].Object.Object); diff != "" {
				t.Errorf("row object (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, pod); diff != "" {
				t.Errorf("input pod mutated (-before +after):\n%s", diff)
			}
		})
	}
}

func TestIncludeObjectInvalid(t *testing.T) {
	_, err := Table(podsGR, []runtime.Object{simplePod()}, metav1.ListMeta{}, Options{Now: testNow, IncludeObject: "Everything"})
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		t.Fatalf("error %v is not an API status", err)
	}
	got := status.Status()
	if got.Code != http.StatusBadRequest || got.Reason != metav1.StatusReasonBadRequest || got.Message != `unrecognized includeObject value: "Everything"` {
		t.Errorf("status = %d %s %q, want 400 BadRequest %q", got.Code, got.Reason, got.Message, `unrecognized includeObject value: "Everything"`)
	}
	// As upstream, the value is checked per row: an empty list passes.
	if _, err := Table(podsGR, nil, metav1.ListMeta{}, Options{Now: testNow, IncludeObject: "Everything"}); err != nil {
		t.Errorf("empty list with bad includeObject: %v, want no error", err)
	}
	if _, err := DefaultTable([]runtime.Object{simplePod()}, metav1.ListMeta{}, Options{IncludeObject: "x"}); !apierrors.IsBadRequest(err) {
		t.Errorf("DefaultTable bad includeObject: %v, want BadRequest", err)
	}
}

func TestTableErrors(t *testing.T) {
	tests := []struct {
		name string
		gr   schema.GroupResource
		objs []runtime.Object
		opts Options
	}{
		{"no printer", schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "roles"}, nil, Options{Now: testNow}},
		{"wrong type", podsGR, []runtime.Object{&corev1.Node{}}, Options{Now: testNow}},
		{"bad version", podsGR, nil, Options{Now: testNow, Version: "v2.1"}},
		{"no clock", podsGR, nil, Options{Version: "v1.27.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Table(tt.gr, tt.objs, metav1.ListMeta{}, tt.opts); err == nil {
				t.Error("Table succeeded, want an error")
			}
		})
	}
}

func TestColumnsNotShared(t *testing.T) {
	a, err := Table(podsGR, nil, metav1.ListMeta{}, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	a.ColumnDefinitions[0].Name = "Mangled"
	b, err := Table(podsGR, nil, metav1.ListMeta{}, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if b.ColumnDefinitions[0].Name != "Name" {
		t.Errorf("column definitions shared between Tables: got %q", b.ColumnDefinitions[0].Name)
	}
}

// TestEveryPrinter checks, for each served resource and release, that a row
// has exactly one cell per column, that descriptions are filled in, and that
// Supported agrees with the registry.
func TestEveryPrinter(t *testing.T) {
	objects := map[schema.GroupResource]runtime.Object{
		{Resource: "pods"}:            &corev1.Pod{},
		{Resource: "nodes"}:           &corev1.Node{},
		{Resource: "namespaces"}:      &corev1.Namespace{},
		{Resource: "events"}:          &corev1.Event{},
		{Resource: "services"}:        &corev1.Service{},
		{Resource: "endpoints"}:       &corev1.Endpoints{},
		{Resource: "configmaps"}:      &corev1.ConfigMap{},
		{Resource: "secrets"}:         &corev1.Secret{},
		{Resource: "serviceaccounts"}: &corev1.ServiceAccount{},
		{Resource: "resourcequotas"}:  &corev1.ResourceQuota{},
		{Group: "autoscaling", Resource: "horizontalpodautoscalers"}:           &autoscalingv2.HorizontalPodAutoscaler{},
		{Group: "discovery.k8s.io", Resource: "endpointslices"}:                &discoveryv1.EndpointSlice{},
		{Group: "coordination.k8s.io", Resource: "leases"}:                     &coordinationv1.Lease{},
		{Group: "apps", Resource: "deployments"}:                               &appsv1.Deployment{},
		{Group: "apps", Resource: "replicasets"}:                               &appsv1.ReplicaSet{},
		{Group: "apps", Resource: "daemonsets"}:                                &appsv1.DaemonSet{},
		{Group: "apps", Resource: "statefulsets"}:                              &appsv1.StatefulSet{},
		{Group: "scheduling.k8s.io", Resource: "priorityclasses"}:              &schedulingv1.PriorityClass{},
		{Group: "policy", Resource: "poddisruptionbudgets"}:                    &policyv1.PodDisruptionBudget{},
		{Group: "batch", Resource: "jobs"}:                                     &batchv1.Job{},
		{Group: "batch", Resource: "cronjobs"}:                                 &batchv1.CronJob{},
		{Resource: "persistentvolumes"}:                                        &corev1.PersistentVolume{},
		{Resource: "persistentvolumeclaims"}:                                   &corev1.PersistentVolumeClaim{},
		{Group: "storage.k8s.io", Resource: "storageclasses"}:                  &storagev1.StorageClass{},
		{Group: "rbac.authorization.k8s.io", Resource: "rolebindings"}:         &rbacv1.RoleBinding{},
		{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"}:  &rbacv1.ClusterRoleBinding{},
		{Group: "networking.k8s.io", Resource: "ingresses"}:                    &networkingv1.Ingress{},
		{Group: "networking.k8s.io", Resource: "ingressclasses"}:               &networkingv1.IngressClass{},
		{Group: "networking.k8s.io", Resource: "networkpolicies"}:              &networkingv1.NetworkPolicy{},
		{Group: "certificates.k8s.io", Resource: "certificatesigningrequests"}: &certificatesv1.CertificateSigningRequest{},
	}
	if len(objects) != len(handlers) {
		t.Errorf("test covers %d resources, registry has %d", len(objects), len(handlers))
	}
	for gr, obj := range objects {
		if !Supported(gr) {
			t.Errorf("Supported(%s) = false", gr)
			continue
		}
		for _, version := range []string{"v1.27.1", "v1.28.0", "v1.29.0", "v1.30.0", "v1.31.0", "v1.32.0", "v1.33.0", "v1.34.0"} {
			tbl, err := Table(gr, []runtime.Object{obj}, metav1.ListMeta{}, Options{Now: testNow, Version: version})
			if err != nil {
				t.Errorf("%s %s: %v", gr, version, err)
				continue
			}
			if got, want := len(tbl.Rows[0].Cells), len(tbl.ColumnDefinitions); got != want {
				t.Errorf("%s %s: %d cells for %d columns", gr, version, got, want)
			}
			for _, c := range tbl.ColumnDefinitions {
				if c.Description == "" {
					t.Errorf("%s %s: column %q has no description", gr, version, c.Name)
				}
			}
		}
	}
	if Supported(schema.GroupResource{Group: "rbac.authorization.k8s.io", Resource: "roles"}) {
		t.Error("Supported(roles) = true, want false")
	}
}

func TestDefaultTable(t *testing.T) {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", ResourceVersion: "8", CreationTimestamp: ago(0)}}
	tbl, err := DefaultTable([]runtime.Object{cm}, metav1.ListMeta{}, Options{Now: testNow, IncludeObject: "None"})
	if err != nil {
		t.Fatal(err)
	}
	want := &metav1.Table{
		TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
		ListMeta: metav1.ListMeta{ResourceVersion: "8"},
		ColumnDefinitions: []metav1.TableColumnDefinition{
			{Name: "Name", Type: "string", Format: "name", Description: docName},
			{Name: "Created At", Type: "date", Description: docCreationTimestamp},
		},
		Rows: []metav1.TableRow{{Cells: []interface{}{"x", "2026-11-25T12:00:00Z"}}},
	}
	if diff := cmp.Diff(want, tbl); diff != "" {
		t.Errorf("DefaultTable (-want +got):\n%s", diff)
	}
	empty, err := DefaultTable(nil, metav1.ListMeta{ResourceVersion: "1"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if empty.Rows != nil {
		t.Errorf("empty DefaultTable rows = %#v, want nil (upstream sends null)", empty.Rows)
	}
}

func TestTableVersion(t *testing.T) {
	tbl, err := Table(podsGR, []runtime.Object{simplePod()}, metav1.ListMeta{}, Options{Now: testNow, TableVersion: "v1beta1"})
	if err != nil {
		t.Fatal(err)
	}
	partial, ok := tbl.Rows[0].Object.Object.(*metav1.PartialObjectMetadata)
	if !ok {
		t.Fatalf("row object is %T, want PartialObjectMetadata", tbl.Rows[0].Object.Object)
	}
	if tbl.APIVersion != "meta.k8s.io/v1beta1" || partial.APIVersion != "meta.k8s.io/v1beta1" {
		t.Errorf("apiVersions = %q (table), %q (row); want meta.k8s.io/v1beta1 for both", tbl.APIVersion, partial.APIVersion)
	}
	if _, err := Table(podsGR, nil, metav1.ListMeta{}, Options{Now: testNow, TableVersion: "v2"}); err == nil {
		t.Error("TableVersion v2 accepted, want an error")
	}
}
