package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim"
	"kubesim/sim/apiserver"
	"kubesim/sim/registry"
)

// TestRequestPanicAnswers500: a request whose handler panics (here a log
// hook that always does, independent of any validation) answers 500, and
// the next request is served: the cluster lock was released.
func TestRequestPanicAnswers500(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), Hollow: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pods, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	c.Do(func() {
		if _, err := c.Registry.Create(pods, "default", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx"}}}}, false); err != nil {
			t.Fatal(err)
		}
	})
	api, err := apiserver.New(apiserver.Config{Registry: c.Registry, Clock: c.Clock, Driver: c, Version: c.Spec.KubernetesVersion,
		Hooks: apiserver.Hooks{Logs: func(ns, pod string, opts apiserver.LogOptions) ([]byte, error) {
			var s []byte
			return s[:3], nil // deliberately out of range
		}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get("/api/v1/namespaces/default/pods/p/log"); rec.Code != http.StatusInternalServerError ||
		!strings.Contains(rec.Body.String(), "Internal error occurred: runtime error: slice bounds out of range") {
		t.Fatalf("log with a panicking hook: %d %s; want 500 Internal error", rec.Code, rec.Body)
	}
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- get("/api/v1/namespaces/default/pods/p") }()
	select {
	case rec := <-done:
		if rec.Code != http.StatusOK {
			t.Fatalf("next request: %d %s; want 200", rec.Code, rec.Body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next request did not answer within 10 s: the cluster lock is held")
	}
}
