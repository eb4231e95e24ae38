package tools

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kubesim/kubesimtest"
	"kubesim/server"
)

var update = flag.Bool("update", false, "rewrite docs/dashboard.png from TestDashboardBrowser")

// browser finds Chromium or Chrome: $CHROME_BINARY, else the usual names
// on $PATH.
func browser(t *testing.T) string {
	if p := os.Getenv("CHROME_BINARY"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium or Chrome found (set $CHROME_BINARY, or install one: apt-get install chromium): the dashboard's browser test needs a real browser")
	return ""
}

// TestDashboardBrowser: the page `kubesim dashboard` opens, in headless
// Chromium (chromedp), through the address with the token (traded for a
// cookie, then the bare /dashboard/): it draws every node with its
// podCIDR and pods, and a pod created while it is open appears without a
// reload (the server-sent event stream). With -update the screenshot is
// written to docs/dashboard.png, which the README shows.
func TestDashboardBrowser(t *testing.T) {
	exe := browser(t)
	c := kubesimtest.Start(t, kubesimtest.Options{})
	c.Apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: httpd, image: "httpd:2.4"}]
---
apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  containers: [{name: app, image: ngnix:latest}]
---
apiVersion: v1
kind: Pod
metadata: {name: too-big}
spec:
  containers:
  - name: app
    image: "httpd:2.4"
    resources: {requests: {cpu: "64"}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36, command: ["true"]}]
`)
	c.Advance(time.Minute)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,        // root in a container has no user namespaces
		chromedp.IgnoreCertErrors, // the cluster's own CA
		chromedp.WindowSize(1400, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	addr := strings.TrimPrefix(c.Config.Host, "https://")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(server.DashboardURL(addr, c.Config.BearerToken)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-drawn="1"]`)),
	); err != nil {
		t.Fatalf("opening the dashboard in %s: %v", exe, err)
	}
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#nodes")))
	if err != nil {
		t.Fatal(err)
	}
	if where != c.Config.Host+"/dashboard/" {
		t.Errorf("the page is at %s, want the bare /dashboard/ (the token traded for a cookie)", where)
	}
	for _, want := range []string{"m.example.com", "w1.example.com", "w2.example.com", "podCIDR 10.244.1.0/24",
		"default/web-", "default/typo", "default/too-big", "(not scheduled)", "kube-system/etcd-m.example.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q; it shows:\n%s", want, text)
		}
	}

	// Live: a pod made now shows up without a reload.
	c.Apply(`apiVersion: v1
kind: Pod
metadata: {name: late-arrival}
spec:
  containers: [{name: app, image: "httpd:2.4"}]
`)
	c.Advance(30 * time.Second)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-pod="default/late-arrival"]`))); err != nil {
		t.Fatalf("a pod created while the page was open never appeared: %v", err)
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	if *update {
		if err := os.WriteFile("../docs/dashboard.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
