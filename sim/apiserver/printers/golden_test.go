package printers

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	cliprinters "k8s.io/cli-runtime/pkg/printers"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenCase is one testdata/<name>.input.yaml file.
type goldenCase struct {
	// Resource is "pods", "deployments.apps", ... (resource[.group]); "" uses DefaultTable.
	Resource      string            `json:"resource"`
	Version       string            `json:"version"`
	Now           time.Time         `json:"now"`
	IncludeObject string            `json:"includeObject"`
	NoHeaders     bool              `json:"noHeaders"`
	ListMeta      metav1.ListMeta   `json:"listMeta"`
	AllNamespaces bool              `json:"allNamespaces"` // also render `kubectl get -A`
	Kind          string            `json:"kind"`          // for DefaultTable cases: Go type to decode objects into
	Objects       []json.RawMessage `json:"objects"`
}

// newObject returns an empty typed object for a resource's items.
func newObject(gr schema.GroupResource, kind string) (runtime.Object, error) {
	switch gr.String() {
	case "pods":
		return &corev1.Pod{}, nil
	case "nodes":
		return &corev1.Node{}, nil
	case "namespaces":
		return &corev1.Namespace{}, nil
	case "events":
		return &corev1.Event{}, nil
	case "services":
		return &corev1.Service{}, nil
	case "endpoints":
		return &corev1.Endpoints{}, nil
	case "configmaps":
		return &corev1.ConfigMap{}, nil
	case "secrets":
		return &corev1.Secret{}, nil
	case "serviceaccounts":
		return &corev1.ServiceAccount{}, nil
	case "endpointslices.discovery.k8s.io":
		return &discoveryv1.EndpointSlice{}, nil
	case "leases.coordination.k8s.io":
		return &coordinationv1.Lease{}, nil
	case "deployments.apps":
		return &appsv1.Deployment{}, nil
	case "replicasets.apps":
		return &appsv1.ReplicaSet{}, nil
	case "daemonsets.apps":
		return &appsv1.DaemonSet{}, nil
	case "statefulsets.apps":
		return &appsv1.StatefulSet{}, nil
	case "priorityclasses.scheduling.k8s.io":
		return &schedulingv1.PriorityClass{}, nil
	case "poddisruptionbudgets.policy":
		return &policyv1.PodDisruptionBudget{}, nil
	case "jobs.batch":
		return &batchv1.Job{}, nil
	case "cronjobs.batch":
		return &batchv1.CronJob{}, nil
	case "persistentvolumes":
		return &corev1.PersistentVolume{}, nil
	case "persistentvolumeclaims":
		return &corev1.PersistentVolumeClaim{}, nil
	case "storageclasses.storage.k8s.io":
		return &storagev1.StorageClass{}, nil
	case "ingresses.networking.k8s.io":
		return &networkingv1.Ingress{}, nil
	case "ingressclasses.networking.k8s.io":
		return &networkingv1.IngressClass{}, nil
	case "networkpolicies.networking.k8s.io":
		return &networkingv1.NetworkPolicy{}, nil
	case "":
		if kind == "ConfigMap" {
			return &corev1.ConfigMap{}, nil
		}
	}
	return nil, fmt.Errorf("no test type for %q (kind %q)", gr.String(), kind)
}

// wireJSON encodes like kube-apiserver's JSON serializer: encoding/json
// Encoder, HTML escaping on, trailing newline.
func wireJSON(t *testing.T, tbl *metav1.Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(tbl); err != nil {
		t.Fatalf("encode table: %v", err)
	}
	return buf.Bytes()
}

// kubectlRender prints wire JSON Tables as kubectl does, one printer for all
// of them (as for the events of `kubectl get -w`): decode to unstructured
// (integers as int64), convert to metav1.Table, print with cli-runtime's
// table printer.
func kubectlRender(t *testing.T, wires [][]byte, opts cliprinters.PrintOptions) string {
	t.Helper()
	printer := cliprinters.NewTablePrinter(opts)
	var out bytes.Buffer
	// kubectl keeps one tabwriter (RememberWidths) for a whole watch and
	// flushes it after every event.
	w := cliprinters.GetNewTabWriter(&out)
	for _, wire := range wires {
		tbl := kubectlDecode(t, wire)
		if err := printer.PrintObj(tbl, w); err != nil {
			t.Fatalf("print table: %v", err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

func kubectlDecode(t *testing.T, wire []byte) *metav1.Table {
	t.Helper()
	var u map[string]interface{}
	if err := utiljson.Unmarshal(wire, &u); err != nil {
		t.Fatalf("decode wire JSON: %v", err)
	}
	var tbl metav1.Table
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u, &tbl); err != nil {
		t.Fatalf("convert to Table: %v", err)
	}
	// kubectl decodes each row object as unstructured (get/table_printer.go).
	for i := range tbl.Rows {
		row := &tbl.Rows[i]
		if row.Object.Raw == nil || row.Object.Object != nil {
			continue
		}
		obj, err := runtime.Decode(unstructured.UnstructuredJSONScheme, row.Object.Raw)
		if err != nil {
			t.Fatalf("decode row object: %v", err)
		}
		row.Object.Object = obj
	}
	return &tbl
}

func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no testdata/*.input.yaml cases")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		t.Run(name, func(t *testing.T) {
			got := runGolden(t, in)
			goldenPath := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", goldenPath, diff)
			}
		})
	}
}

func runGolden(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var gc goldenCase
	if err := yaml.UnmarshalStrict(raw, &gc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	gr := schema.ParseGroupResource(gc.Resource)
	objs := make([]runtime.Object, 0, len(gc.Objects))
	for i, o := range gc.Objects {
		obj, err := newObject(gr, gc.Kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(o, obj); err != nil {
			t.Fatalf("object %d: %v", i, err)
		}
		objs = append(objs, obj)
	}
	opts := Options{Now: gc.Now, Version: gc.Version, NoHeaders: gc.NoHeaders, IncludeObject: gc.IncludeObject}
	var tbl *metav1.Table
	if gc.Resource == "" {
		tbl, err = DefaultTable(objs, gc.ListMeta, opts)
	} else {
		tbl, err = Table(gr, objs, gc.ListMeta, opts)
	}
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	wire := wireJSON(t, tbl)
	var indented bytes.Buffer
	if err := json.Indent(&indented, wire, "", "  "); err != nil {
		t.Fatal(err)
	}

	cmd := "kubectl get " + gc.Resource
	if gc.Resource == "" {
		cmd = "kubectl get " + strings.ToLower(gc.Kind) + " (no printer: DefaultTable)"
	}
	var b strings.Builder
	if gc.NoHeaders {
		// A later watch event: kubectl prints it under the columns of the
		// first event, which came with headers.
		first := opts
		first.NoHeaders = false
		if gc.Resource == "" {
			tbl, err = DefaultTable(objs, gc.ListMeta, first)
		} else {
			tbl, err = Table(gr, objs, gc.ListMeta, first)
		}
		if err != nil {
			t.Fatalf("Table: %v", err)
		}
		fmt.Fprintf(&b, "# %s -w (first event with headers, then this event)\n%s", cmd,
			kubectlRender(t, [][]byte{wireJSON(t, tbl), wire}, cliprinters.PrintOptions{}))
	} else {
		fmt.Fprintf(&b, "# %s\n%s", cmd, kubectlRender(t, [][]byte{wire}, cliprinters.PrintOptions{}))
		fmt.Fprintf(&b, "# %s -o wide\n%s", cmd, kubectlRender(t, [][]byte{wire}, cliprinters.PrintOptions{Wide: true}))
		if gc.AllNamespaces {
			fmt.Fprintf(&b, "# %s -A\n%s", cmd, kubectlRender(t, [][]byte{wire}, cliprinters.PrintOptions{WithNamespace: true}))
		}
	}
	fmt.Fprintf(&b, "# Table JSON as sent (encoding/json Encoder; indented here, one line on the wire)\n%s", indented.String())
	return b.String()
}
