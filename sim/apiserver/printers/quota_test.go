package printers

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestResourceQuotaTable(t *testing.T) {
	q := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "compute", CreationTimestamp: ago(90 * time.Second)},
		Status: corev1.ResourceQuotaStatus{
			Hard: corev1.ResourceList{"pods": resource.MustParse("2"), "requests.cpu": resource.MustParse("1"), "limits.memory": resource.MustParse("1Gi"), "count/deployments.apps": resource.MustParse("3")},
			Used: corev1.ResourceList{"pods": resource.MustParse("2"), "requests.cpu": resource.MustParse("500m"), "limits.memory": resource.MustParse("256Mi")},
		},
	}
	gr := schema.GroupResource{Resource: "resourcequotas"}
	for _, tt := range []struct {
		version string
		cols    []string
		cells   []interface{}
	}{
		{"v1.27.1", []string{"Name", "Age", "Request", "Limit"},
			[]interface{}{"compute", "90s", "count/deployments.apps: 0/3, pods: 2/2, requests.cpu: 500m/1", "limits.memory: 256Mi/1Gi"}},
		{"v1.33.0", []string{"Name", "Request", "Limit", "Age"},
			[]interface{}{"compute", "count/deployments.apps: 0/3, pods: 2/2, requests.cpu: 500m/1", "limits.memory: 256Mi/1Gi", "90s"}},
	} {
		tbl, err := Table(gr, []runtime.Object{q}, metav1.ListMeta{}, Options{Now: testNow, Version: tt.version})
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, c := range tbl.ColumnDefinitions {
			cols = append(cols, c.Name)
		}
		if diff := cmp.Diff(tt.cols, cols); diff != "" {
			t.Errorf("%s columns (-want +got):\n%s", tt.version, diff)
		}
		if diff := cmp.Diff(tt.cells, tbl.Rows[0].Cells); diff != "" {
			t.Errorf("%s cells (-want +got):\n%s", tt.version, diff)
		}
	}
}
