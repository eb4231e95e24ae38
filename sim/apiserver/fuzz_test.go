package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"sigs.k8s.io/yaml"

	"kubesim/sim/registry"
)

// The request fuzzers. Each input picks a resource and a media type by
// index, so the corpus stays valid as the lists grow.

var fuzzTypes = []string{"application/json", "application/yaml", protobufMIMEType}

// fuzzResources are the resources a client creates with a body.
func fuzzResources() []*registry.Resource {
	var out []*registry.Resource
	for _, r := range registry.Resources() {
		for _, v := range r.Verbs {
			if v == "create" && r.New != nil {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// pickResource is the resource the body names (apiVersion and kind), else
// the one at index i: a corpus of real manifests then covers every kind.
func pickResource(res []*registry.Resource, i uint8, body []byte) *registry.Resource {
	var tm metav1.TypeMeta
	if j, err := yaml.YAMLToJSON(body); err == nil && json.Unmarshal(j, &tm) == nil {
		if r, ok := registry.LookupKind(tm.GroupVersionKind().GroupKind()); ok {
			for _, c := range res {
				if c == r {
					return r
				}
			}
		}
	}
	return res[int(i)%len(res)]
}

func resourcePath(r *registry.Resource) string {
	p := "/api/v1"
	if r.GVR.Group != "" {
		p = "/apis/" + r.GVR.Group + "/" + r.GVR.Version
	}
	if r.Namespaced {
		p += "/namespaces/default"
	}
	return p + "/" + r.GVR.Resource
}

// hangLimit bounds one fuzz input: a request that does not answer by then
// wedges the server, and the panic makes the fuzzer keep the input.
const hangLimit = 10 * time.Second

func watchdog() (stop func() bool) {
	return time.AfterFunc(hangLimit, func() {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		panic(fmt.Sprintf("the request did not answer within %v:\n%s", hangLimit, buf))
	}).Stop
}

// checkStatus: an error answer is a Status whose code is the HTTP code, and
// never 500 (a request must not reach a Go error or panic).
func checkStatus(t *testing.T, what string, code int, body string) {
	t.Helper()
	if code >= 500 {
		t.Fatalf("%s: %d %s", what, code, body)
	}
	var st metav1.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Kind != "Status" || int(st.Code) != code {
		t.Fatalf("%s: answer %d is not a Status with that code: %s", what, code, body)
	}
}

// FuzzDecodeBody: decoding a request body gives an object or a 400; an
// object survives JSON encode → decode → encode unchanged.
func FuzzDecodeBody(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte(goodPod))
	f.Add(uint8(0), uint8(1), []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n"))
	f.Add(uint8(0), uint8(2), []byte("k8s\x00\n\x0b\n\x02v1\x12\x03Pod\x12\x05\n\x03web"))
	f.Add(uint8(3), uint8(0), []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":-1,"selector":{"matchLabels":{"a":"b"}}}}`))
	f.Add(uint8(0), uint8(0), []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","unknown":1}}`))
	f.Add(uint8(0), uint8(1), []byte("a: &a [*a, *a]\nb: *a\n"))
	res := fuzzResources()
	f.Fuzz(func(t *testing.T, ri, ti uint8, body []byte) {
		r := pickResource(res, ri, body)
		req := httptest.NewRequest(http.MethodPost, resourcePath(r), bytes.NewReader(body))
		req.Header.Set("Content-Type", fuzzTypes[int(ti)%len(fuzzTypes)])
		obj, _, err := decodeBody(req, r, false)
		if err != nil {
			var st apierrors.APIStatus
			if !errors.As(err, &st) || (st.Status().Code != http.StatusBadRequest && st.Status().Code != http.StatusRequestEntityTooLarge) {
				t.Fatalf("decode error is not a 400 Status: %v", err)
			}
			return
		}
		b1, err := encodeJSON(obj)
		if err != nil {
			t.Fatalf("a decoded %s does not encode: %v", r.Kind, err)
		}
		gvk := r.GVK()
		obj2, _, err := jsonSerializer.Decode(b1, &gvk, r.New())
		if err != nil {
			t.Fatalf("a decoded %s does not decode again: %v\n%s", r.Kind, err, b1)
		}
		b2, err := encodeJSON(obj2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("%s: encode → decode → encode is not stable (%v):\n%s\n%s", r.Kind, err, b1, b2)
		}
	})
}

// FuzzCreate sends a body to a fresh API server: the answer is a created
// object that reads back the same, or a Status with a 4xx code; the store
// stays consistent (newTestServer checks it).
func FuzzCreate(f *testing.F) {
	f.Add(uint8(0), uint8(0), []byte(goodPod))
	f.Add(uint8(0), uint8(0), []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"-1"},"limits":{"cpu":"1e400"}}}]}}`))
	f.Add(uint8(3), uint8(0), []byte(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,"revisionHistoryLimit":-1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`))
	f.Add(uint8(2), uint8(0), []byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"None","ports":[{"port":0}]}}`))
	// Answered 500 (the allocator's parse error) before validation checked clusterIP.
	f.Add(uint8(2), uint8(0), []byte(`{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"clusterIP":"not-an-ip","ports":[{"port":80}]}}`))
	f.Add(uint8(1), uint8(1), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\ndata:\n  a: b\n"))
	res := fuzzResources()
	f.Fuzz(func(t *testing.T, ri, ti uint8, body []byte) {
		r := pickResource(res, ri, body)
		defer watchdog()()
		s, _ := newTestServer(t)
		path := resourcePath(r)
		code, out := do(t, s, http.MethodPost, path, fuzzTypes[int(ti)%len(fuzzTypes)], string(body))
		if code != http.StatusCreated && code != http.StatusOK {
			checkStatus(t, "create "+r.Kind, code, out)
			return
		}
		var m struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("created %s: %v %s", r.Kind, err, out)
		}
		if m.Metadata.Name == "" {
			if strings.HasSuffix(r.Kind, "Review") {
				return // reviews are answered, not stored: upstream returns them unnamed too
			}
			t.Fatalf("created %s has no name: %s", r.Kind, out)
		}
		gcode, got := do(t, s, http.MethodGet, path+"/"+m.Metadata.Name, "", "")
		if gcode == http.StatusNotFound || gcode == http.StatusMethodNotAllowed {
			return // not readable by name (bindings and reviews)
		}
		if gcode != http.StatusOK || strings.TrimSpace(got) != strings.TrimSpace(out) {
			t.Fatalf("created %s reads back differently: %d\n%s\n%s", r.Kind, gcode, out, got)
		}
	})
}

// fuzzTargets are the objects FuzzPatch patches, created on a fresh server.
var fuzzTargets = []struct{ path, body string }{
	{"/api/v1/namespaces/default/pods", goodPod},
	{"/apis/apps/v1/namespaces/default/deployments", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}]}]}}}}`},
	{"/api/v1/namespaces/default/services", `{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":80}]}}`},
	{"/api/v1/namespaces/default/configmaps", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web"},"data":{"a":"b"}}`},
	{"/apis/batch/v1/namespaces/default/cronjobs", `{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"web"},"spec":{"schedule":"*/1 * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[{"name":"c","image":"busybox"}]}}}}}}`},
}

var fuzzPatchTypes = []types.PatchType{types.JSONPatchType, types.MergePatchType, types.StrategicMergePatchType}

// FuzzPatch applies each patch type to a stored object: the answer is an
// object that decodes as its kind and reads back the same, or a Status
// with a 4xx code.
func FuzzPatch(f *testing.F) {
	f.Add(uint8(0), uint8(1), []byte(`{"metadata":{"labels":{"a":"b"}}}`))
	f.Add(uint8(1), uint8(1), []byte(`{"spec":{"replicas":-1}}`))
	f.Add(uint8(1), uint8(2), []byte(`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"httpd"}]}}}}`))
	f.Add(uint8(1), uint8(2), []byte(`{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"web"}]}}}}`))
	f.Add(uint8(2), uint8(0), []byte(`[{"op":"replace","path":"/spec/ports/0/port","value":0}]`))
	f.Add(uint8(2), uint8(0), []byte(`[{"op":"remove","path":"/spec/ports"}]`))
	f.Add(uint8(3), uint8(0), []byte(`[{"op":"add","path":"/data/c","value":"d"},{"op":"test","path":"/data/a","value":"x"}]`))
	f.Add(uint8(4), uint8(1), []byte(`{"spec":{"successfulJobsHistoryLimit":-1}}`))
	f.Add(uint8(0), uint8(2), []byte(`{"metadata":{"name":"other"}}`))
	f.Add(uint8(0), uint8(2), []byte(`{"$setElementOrder/containers":[{"name":"x"}]}`))
	f.Fuzz(func(t *testing.T, oi, pi uint8, patch []byte) {
		target := fuzzTargets[int(oi)%len(fuzzTargets)]
		defer watchdog()()
		s, _ := newTestServer(t)
		if code, out := do(t, s, http.MethodPost, target.path, "application/json", target.body); code != http.StatusCreated {
			t.Fatalf("setup: %d %s", code, out)
		}
		pt := fuzzPatchTypes[int(pi)%len(fuzzPatchTypes)]
		code, out := do(t, s, http.MethodPatch, target.path+"/web", string(pt), string(patch))
		if code != http.StatusOK {
			checkStatus(t, string(pt), code, out)
			return
		}
		var kind struct{ Kind string }
		if err := json.Unmarshal([]byte(out), &kind); err != nil || !strings.Contains(target.body, `"kind":"`+kind.Kind+`"`) {
			t.Fatalf("patched object does not decode as its kind: %v %s", err, out)
		}
		gcode, got := do(t, s, http.MethodGet, target.path+"/web", "", "")
		if gcode != http.StatusOK || strings.TrimSpace(got) != strings.TrimSpace(out) {
			t.Fatalf("patched object reads back differently: %d\n%s\n%s", gcode, out, got)
		}
	})
}
