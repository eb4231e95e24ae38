package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kubesim/sim"
)

// A port file caught empty (its writer truncated it and had not written
// yet) is no address: start's readiness wait once took "" from it and
// wrote a kubeconfig whose server was "https://".
func TestReadRuntimeEmptyPort(t *testing.T) {
	dir := t.TempDir()
	if err := WriteRuntimeFiles(dir, 42, "127.0.0.1:6443"); err != nil {
		t.Fatal(err)
	}
	if pid, addr, err := ReadRuntime(dir); err != nil || pid != 42 || addr != "127.0.0.1:6443" {
		t.Fatalf("ReadRuntime = %d, %q, %v", pid, addr, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "port.tmp")); !os.IsNotExist(err) {
		t.Errorf("port.tmp left behind: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "port"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, addr, err := ReadRuntime(dir); err == nil {
		t.Fatalf("ReadRuntime with an empty port file = %q, nil; want an error", addr)
	}
}

// A verb that panics answers with one line and exit 1, not a dropped
// connection, and the next verb is served.
func TestControlVerbPanic(t *testing.T) {
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// After a verb the API port follows the cluster's kube-apiserver: give
	// it somewhere to listen.
	s := &Served{Cluster: c, Addr: "127.0.0.1:0", srv: &http.Server{Handler: http.NotFoundHandler()}, stop: make(chan struct{}), verbs: func(ctx context.Context, c *sim.Cluster, verb string, args []string, stdout, stderr io.Writer) int {
		if verb == "boom" {
			var m map[string]int
			m["x"]++
		}
		fmt.Fprintln(stdout, "fine")
		return 0
	}}
	t.Cleanup(func() { s.srv.Close() })
	call := func(verb string) ControlResponse {
		t.Helper()
		rec := httptest.NewRecorder()
		s.internal().ServeHTTP(rec, httptest.NewRequest("POST", "/kubesim/"+verb, strings.NewReader(`{"args":[]}`)))
		var resp ControlResponse
		if err := json.NewDecoder(rec.Body).Decode(&resp); err != nil {
			t.Fatalf("%s: %v (body %q)", verb, err, rec.Body.String())
		}
		return resp
	}
	if r := call("boom"); r.Code != 1 || !strings.HasPrefix(r.Stderr, "kubesim: internal error in boom: assignment to entry in nil map") || strings.Count(r.Stderr, "\n") != 1 {
		t.Errorf("panicking verb: %+v", r)
	}
	if r := call("ok"); r.Code != 0 || r.Stdout != "fine\n" {
		t.Errorf("the verb after: %+v", r)
	}
}
