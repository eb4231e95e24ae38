package apiserver

import (
	"net/http"
	"strings"
	"testing"

	"k8s.io/kube-openapi/pkg/validation/spec"

	"kubesim/sim/apiserver/openapi"
	"kubesim/sim/fieldmanager"
	"kubesim/sim/registry"
)

const applyPod = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
`

// TestApply: a server-side apply creates (201, an Apply entry) and updates
// (200); each mistake gets kube-apiserver's status and writes nothing.
func TestApply(t *testing.T) {
	s, st := newTestServer(t)
	s.cfg.Registry.SetTypes(func() (*fieldmanager.Types, error) {
		return fieldmanager.NewTypes(openapi.NearestDataFile("v1.27.1"), func() (map[string]*spec.Schema, error) {
			return openapi.Models("v1.27.1", registry.Scheme)
		})
	})
	const path = "/api/v1/namespaces/default/pods/web"
	const ct = "application/apply-patch+yaml"
	code, body := do(t, s, "PATCH", path+"?fieldManager=me", ct, applyPod)
	if code != http.StatusCreated || !strings.Contains(body, `"managedFields":[{"manager":"me","operation":"Apply","apiVersion":"v1","time":"2023-04-20T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}]`) {
		t.Fatalf("apply create: %d %s", code, body)
	}
	if code, body := do(t, s, "PATCH", path+"?fieldManager=me", ct, strings.Replace(applyPod, "  name: web\n", "  name: web\n  labels: {a: b}\n", 1)); code != http.StatusOK || !strings.Contains(body, `"labels":{"a":"b"}`) {
		t.Errorf("apply update: %d %s", code, body)
	}
	long := strings.Repeat("m", 129)
	for _, tc := range []struct {
		name, method, path, ct, body string
		code                         int
		want                         string
	}{
		{"no manager", "PATCH", path, ct, applyPod, 422, `"message":"PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"`},
		{"force without apply", "PATCH", path + "?force=true", "application/merge-patch+json", `{}`, 422, `force: Forbidden: may not be specified for non-apply patch`},
		{"manager too long", "PATCH", path + "?fieldManager=" + long, ct, applyPod, 422, `fieldManager: Too long: may not be more than 128 bytes`},
		{"bad yaml", "PATCH", path + "?fieldManager=me", ct, "a: [", 400, `"message":"error decoding YAML: `},
		{"unknown field", "PATCH", path + "?fieldManager=me", ct, strings.Replace(applyPod, "spec:\n", "spec:\n  bogus: 1\n", 1), 500, `.spec.bogus: field not declared in schema`},
		{"other name", "PATCH", "/api/v1/namespaces/default/pods/other?fieldManager=me", ct, applyPod, 400, `the name of the object (web) does not match the name on the URL (other)`},
		{"other kind", "PATCH", path + "?fieldManager=me", ct, strings.Replace(applyPod, "kind: Pod", "kind: Service", 1), 400, `invalid object type: /v1, Kind=Service`},
		{"conflict", "PATCH", path + "?fieldManager=you", ct, strings.Replace(applyPod, "image: nginx", "image: httpd", 1), 409,
			`"message":"Apply failed with 1 conflict: conflict with \"me\": .spec.containers[name=\"web\"].image","reason":"Conflict"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := st.Rev()
			code, body := do(t, s, tc.method, tc.path, tc.ct, tc.body)
			if code != tc.code || !strings.Contains(body, tc.want) || !strings.Contains(body, `"kind":"Status"`) {
				t.Errorf("%d %s\nwant %d and %s", code, body, tc.code, tc.want)
			}
			if st.Rev() != before {
				t.Errorf("store revision moved from %d to %d", before, st.Rev())
			}
		})
	}
	if code, body := do(t, s, "PATCH", path+"?fieldManager=you&force=true", ct, strings.Replace(applyPod, "image: nginx", "image: httpd", 1)); code != http.StatusOK || !strings.Contains(body, `"image":"httpd"`) {
		t.Errorf("forced apply: %d %s", code, body)
	}
}
