package e2e

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kubesim/internal/kubectl"
	"kubesim/internal/practice"
	"kubesim/sim"
)

// recorder keeps the PATCH bodies kubectl sends; with noOpenAPI it answers
// /openapi/* as kubesim did before it served documents (an empty v2
// protobuf, v3 not found), so kubectl falls back to the Go struct tags.
type recorder struct {
	next      http.Handler
	noOpenAPI bool
	mu        sync.Mutex
	patches   []string
	docs      []string // /openapi paths fetched
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if strings.HasPrefix(req.URL.Path, "/openapi/") {
		r.mu.Lock()
		r.docs = append(r.docs, req.URL.Path)
		r.mu.Unlock()
	}
	if r.noOpenAPI && strings.HasPrefix(req.URL.Path, "/openapi/") {
		if req.URL.Path == "/openapi/v2" {
			w.Header().Set("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
			w.WriteHeader(http.StatusOK)
			return
		}
		http.NotFound(w, req)
		return
	}
	if req.Method == http.MethodPatch {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		r.mu.Lock()
		r.patches = append(r.patches, req.Header.Get("Content-Type")+" "+string(body))
		r.mu.Unlock()
	}
	r.next.ServeHTTP(w, req)
}

const deployV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.23
        ports: [{containerPort: 80}]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        volumeMounts: [{name: data, mountPath: /data}]
      - name: side
        image: busybox
        command: [sleep, "3600"]
      volumes: [{name: data, emptyDir: {}}]
      tolerations: [{key: k, operator: Exists}]
`

const deployV2 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}, {containerPort: 443}]
        env: [{name: B, value: "3"}, {name: C, value: "4"}]
        volumeMounts: [{name: cache, mountPath: /cache}]
      volumes: [{name: cache, emptyDir: {}}]
      tolerations: [{key: k2, operator: Exists}]
`

// applyPatches applies deployV1 then deployV2 and returns the patches sent
// and the OpenAPI documents kubectl fetched.
func applyPatches(t *testing.T, version string, noOpenAPI bool) (patches, docs []string) {
	spec := sim.DefaultClusterSpec()
	spec.KubernetesVersion = version
	dir := t.TempDir()
	c, err := sim.New(spec, sim.Options{Dir: filepath.Join(dir, "state"), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rec := &recorder{next: apiHandler(t, c), noOpenAPI: noOpenAPI}
	k, err := kubectl.New(rec, filepath.Join(dir, "kubectl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{deployV1, deployV2} {
		words, _ := practice.SplitWords("apply -f -")
		var out, errb bytes.Buffer
		if code := k.Run(words, strings.NewReader(m), &out, &errb); code != 0 {
			t.Fatalf("apply: exit %d: %s", code, errb.String())
		}
	}
	return rec.patches, rec.docs
}

// TestApplyPatchesWithOpenAPI: kubectl apply computes the same strategic
// merge patch from the served OpenAPI documents as from the Go struct tags
// it used when kubesim served none.
func TestApplyPatchesWithOpenAPI(t *testing.T) {
	for _, version := range []string{"v1.27.1", "v1.33.0"} {
		t.Run(version, func(t *testing.T) {
			with, docs := applyPatches(t, version, false)
			without, _ := applyPatches(t, version, true)
			if !slices.Contains(docs, "/openapi/v3/apis/apps/v1") {
				t.Errorf("kubectl did not read the apps/v1 document (read %q): the comparison proves nothing", docs)
			}
			if len(with) != 1 {
				t.Fatalf("want one PATCH, got %d: %q", len(with), with)
			}
			if diff := cmp.Diff(without, with); diff != "" {
				t.Errorf("patch differs with OpenAPI (-without +with):\n%s", diff)
			}
		})
	}
}
