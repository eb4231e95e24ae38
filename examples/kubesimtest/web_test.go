// Package example is a module of its own that tests a Deployment against
// kubesim through kubesimtest, as a project outside kubesim would.
package example

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/kubesimtest"
)

// Scenario scripts, if any test runs one, reach the cluster through this
// test binary.
func TestMain(m *testing.M) { kubesimtest.Main(m) }

const web = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: httpd:2.4
        ports:
        - containerPort: 80
`

// TestWebSpreads: the scheduler spreads a Deployment's three replicas
// over both workers, and each gets a pod IP from its node's subnet.
func TestWebSpreads(t *testing.T) {
	c := kubesimtest.Start(t, kubesimtest.Options{Clock: kubesimtest.Manual})
	c.Apply(web)
	c.Advance(time.Minute)
	pods, err := c.Client.CoreV1().Pods("default").List(t.Context(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	nodes := map[string]int{}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning {
			t.Errorf("%s is %s", p.Name, p.Status.Phase)
		}
		nodes[p.Spec.NodeName]++
	}
	if len(pods.Items) != 3 || len(nodes) != 2 {
		t.Errorf("pods per node: %v", nodes)
	}
}
