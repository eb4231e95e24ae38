package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const phpApache = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  selector:
    matchLabels:
      run: php-apache
  template:
    metadata:
      labels:
        run: php-apache
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports:
        - containerPort: 80
        resources:
          limits:
            cpu: 500m
          requests:
            cpu: 200m
---
apiVersion: v1
kind: Service
metadata:
  name: php-apache
  labels:
    run: php-apache
spec:
  ports:
  - port: 80
  selector:
    run: php-apache
`

// TestSystemKubectlHPA plays the Kubernetes documentation's
// HorizontalPodAutoscaler walkthrough with the system kubectl (1.27 and
// 1.33): php-apache and its Service, kubectl autoscale (autoscaling/v1),
// the busybox load generator's wget loop raising php-apache's CPU, the HPA
// scaling up, and back down to one replica five minutes after the load
// stops; TARGETS as each release prints them. The wall time the clock
// advances take is logged.
func TestSystemKubectlHPA(t *testing.T) {
	for _, tc := range []struct{ version, prefix string }{{"v1.27.1", ""}, {"v1.33.0", "cpu: "}} {
		t.Run(tc.version, func(t *testing.T) {
			s := startServed(t, tc.version)
			if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
				t.Fatalf("kubesim clock freeze: %s", out)
			}
			if out, code := s.runStdin(phpApache, "kubectl", "apply", "-f", "-"); code != 0 {
				t.Fatalf("apply: %s", out)
			}
			if out, code := s.run("kubectl", "autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10"); code != 0 || out != "horizontalpodautoscaler.autoscaling/php-apache autoscaled\n" {
				t.Fatalf("autoscale: exit %d %s", code, out)
			}
			hpa := func() string {
				out, _ := s.run("kubectl", "get", "hpa", "--no-headers")
				return strings.Join(strings.Fields(out), " ")
			}
			if got, want := hpa(), "php-apache Deployment/php-apache "+tc.prefix+"<unknown>/50% 1 10 1 0s"; got != want {
				t.Errorf("get hpa at once: %q, want %q", got, want)
			}
			var advanced time.Duration
			advance := func(d time.Duration) {
				start := time.Now()
				if err := s.Advance(d); err != nil {
					t.Fatal(err)
				}
				advanced += time.Since(start)
			}
			advance(time.Minute)
			if got, want := hpa(), "php-apache Deployment/php-apache "+tc.prefix+"0%/50% 1 10 1 60s"; got != want {
				t.Errorf("get hpa idle: %q, want %q", got, want)
			}
			if out, code := s.run("kubectl", "run", "load-generator", "--image=busybox:1.28", "--restart=Never", "--", "/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"); code != 0 {
				t.Fatalf("load generator: %s", out)
			}
			advance(30 * time.Second)
			// One php-apache pod at its 500m limit is 250% of its request;
			// by now the controller may already have added pods.
			got := hpa()
			util := 0
			if i := strings.Index(got, "Deployment/php-apache "+tc.prefix); i >= 0 {
				fmt.Sscanf(got[i+len("Deployment/php-apache ")+len(tc.prefix):], "%d%%/50%%", &util)
			}
			if util <= 50 || util > 250 {
				t.Errorf("get hpa under load: %q, want a utilization above 50%% and at most 250%%", got)
			}
			advance(time.Minute)
			up := hpa()
			if f := strings.Fields(up); len(f) < 7 || f[len(f)-2] == "1" {
				t.Errorf("did not scale up: %q", up)
			}
			out, _ := s.run("kubectl", "get", "events", "--field-selector", "reason=SuccessfulRescale", "-o", "jsonpath={.items[0].message}")
			if !strings.HasPrefix(out, "New size: ") || !strings.HasSuffix(out, "; reason: cpu resource utilization (percentage of request) above target") {
				t.Errorf("first rescale event: %q", out)
			}
			if out, code := s.run("kubectl", "delete", "pod", "load-generator", "--grace-period=0", "--force"); code != 0 {
				t.Fatalf("delete load generator: %s", out)
			}
			advance(4 * time.Minute)
			if f := strings.Fields(hpa()); f[len(f)-2] == "1" {
				t.Errorf("scaled down within the 5-minute stabilization window: %v", f)
			}
			advance(2 * time.Minute)
			if got := hpa(); !strings.Contains(got, " "+tc.prefix+"0%/50% 1 10 1 ") {
				t.Errorf("did not scale back down: %q", got)
			}
			out, _ = s.run("kubectl", "describe", "hpa", "php-apache")
			for _, want := range []string{"New size: 1; reason: All metrics below target", "ScalingActive   True    ValidMetricFound  the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"} {
				if !strings.Contains(out, want) {
					t.Errorf("describe hpa lacks %q:\n%s", want, out)
				}
			}
			t.Logf("%s: the walkthrough's 8m30s of cluster time took %v of wall time in kubesim advance", tc.version, advanced)
		})
	}
}
