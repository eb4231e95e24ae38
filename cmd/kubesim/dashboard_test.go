package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kubesim/dashboard"
	"kubesim/server"
	"kubesim/sim"
)

// TestMapAndDashboard: against a served cluster (in this process, found
// through the state folder as a started one is), `kubesim map` draws every
// node's box with its podCIDR and its Running system pods, plain text when
// stdout is not a terminal; `kubesim dashboard --url` prints an address
// that opens the page with the cluster's CA.
func TestMapAndDashboard(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	t.Setenv("KUBESIM_STATE", dir)
	s, err := server.Start(server.Config{Spec: sim.DefaultClusterSpec(), StateDir: dir, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := server.WriteRuntimeFiles(dir, os.Getpid(), s.Addr); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := runTo([]string{"map"}, &out, &errb); code != 0 {
		t.Fatalf("kubesim map: exit %d: %s", code, errb.String())
	}
	got := out.String()
	if strings.Contains(got, "\x1b") {
		t.Error("colour escapes written to a non-terminal")
	}
	for _, n := range s.Cluster.Spec.Nodes {
		if !strings.Contains(got, "┌─ "+n.Name+"  Ready") {
			t.Errorf("no Ready box for node %s in:\n%s", n.Name, got)
		}
	}
	for _, want := range []string{"podCIDR 10.244.0.0/24", "Running  kube-system/etcd-"} {
		if !strings.Contains(got, want) {
			t.Errorf("map lacks %q:\n%s", want, got)
		}
	}
	out.Reset()
	if code := runTo([]string{"map", "--color=always"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "\x1b[32mRunning\x1b[0m") {
		t.Errorf("map --color=always: exit %d, no green Running:\n%s", code, out.String())
	}
	out.Reset()
	if code := runTo([]string{"dashboard", "--url"}, &out, &errb); code != 0 {
		t.Fatalf("kubesim dashboard --url: exit %d: %s", code, errb.String())
	}
	u := strings.TrimSpace(out.String())
	if !strings.HasPrefix(u, "https://"+s.Addr+"/dashboard/?token=") {
		t.Fatalf("dashboard address %q", u)
	}
	ca, _ := os.ReadFile(filepath.Join(dir, "ca.crt"))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.RawQuery != "" {
		t.Errorf("opening the address: %d at %s, want 200 at /dashboard/", resp.StatusCode, resp.Request.URL)
	}
}

func TestMapWithoutCluster(t *testing.T) {
	for _, verb := range []string{"map", "dashboard"} {
		_, errOut, code := cli(t, verb)
		if code != 1 || !strings.Contains(errOut, "kubesim is not running") {
			t.Errorf("kubesim %s without a cluster: exit %d %q", verb, code, errOut)
		}
	}
}

// TestMapWatch: --watch draws the map, skips reads that did not change it,
// draws again (after a blank line, the output not being a terminal) when
// it changes, and stops when its context ends.
func TestMapWatch(t *testing.T) {
	maps := []dashboard.Map{
		{Nodes: []dashboard.Node{{Name: "n1", Status: "Ready", PodCIDR: "10.244.1.0/24"}}},
		{Nodes: []dashboard.Node{{Name: "n1", Status: "Ready", PodCIDR: "10.244.1.0/24"}}},
		{Nodes: []dashboard.Node{{Name: "n1", Status: "Ready", PodCIDR: "10.244.1.0/24", Pods: []dashboard.Pod{{Namespace: "default", Name: "web", Phase: "Running", Status: "Running", IP: "10.244.1.2"}}}}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reads := 0
	src := func(context.Context) (dashboard.Map, error) {
		m := maps[min(reads, len(maps)-1)]
		reads++
		if reads == len(maps)+1 {
			cancel()
		}
		return m, nil
	}
	var out bytes.Buffer
	if err := drawMap(ctx, src, &out, false, true, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	dashboard.Render(&first, maps[0], false)
	dashboard.Render(&second, maps[2], false)
	if want := first.String() + "\n" + second.String(); out.String() != want {
		t.Errorf("--watch wrote:\n%s\nwant:\n%s", out.String(), want)
	}
}
