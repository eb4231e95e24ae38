package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kube-openapi/pkg/validation/spec"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/registry"
)

func withTypes(s *Server) {
	s.cfg.Registry.SetTypes(func() (*fieldmanager.Types, error) {
		return fieldmanager.NewTypes(openapi.NearestDataFile("v1.27.1"), func() (map[string]*spec.Schema, error) {
			return openapi.Models("v1.27.1", registry.Scheme)
		})
	})
}

// FuzzApply server-side applies a configuration to a stored object (by
// another manager, with or without force): the answer is an object that
// reads back the same, a Status with a 4xx code, or the 500 kube-apiserver
// gives an error of the field managers (reason Unknown, the error's text).
func FuzzApply(f *testing.F) {
	f.Add(uint8(0), false, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: httpd\n"))
	f.Add(uint8(0), true, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {a: b}\n"))
	f.Add(uint8(1), true, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n"))
	f.Add(uint8(1), false, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        ports: [{containerPort: 80}, {containerPort: 80}]\n"))
	f.Add(uint8(2), false, []byte("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: 5\n"))
	f.Add(uint8(3), false, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  managedFields: []\ndata: {a: 1}\n"))
	f.Add(uint8(4), true, []byte("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\nspec: {schedule: nope}\n"))
	f.Fuzz(func(t *testing.T, oi uint8, force bool, patch []byte) {
		target := fuzzTargets[int(oi)%len(fuzzTargets)]
		defer watchdog()()
		s, _ := newTestServer(t)
		withTypes(s)
		if code, out := do(t, s, http.MethodPost, target.path, "application/json", target.body); code != http.StatusCreated {
			t.Fatalf("setup: %d %s", code, out)
		}
		q := "?fieldManager=fuzz"
		if force {
			q += "&force=true"
		}
		code, out := do(t, s, http.MethodPatch, target.path+"/web"+q, "application/apply-patch+yaml", string(patch))
		if code == http.StatusInternalServerError {
			var st metav1.Status
			if err := json.Unmarshal([]byte(out), &st); err != nil || st.Kind != "Status" || st.Reason != metav1.StatusReasonUnknown || st.Message == "" || strings.Contains(st.Message, "panic") {
				t.Fatalf("apply: 500 that is not the field managers' error: %s", out)
			}
			return
		}
		if code != http.StatusOK {
			checkStatus(t, "apply", code, out)
			return
		}
		gcode, got := do(t, s, http.MethodGet, target.path+"/web", "", "")
		if gcode != http.StatusOK || strings.TrimSpace(got) != strings.TrimSpace(out) {
			t.Fatalf("applied object reads back differently: %d\n%s\n%s", gcode, out, got)
		}
	})
}
