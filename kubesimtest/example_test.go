package kubesimtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/kubesimtest"
)

// A test starts a cluster, applies what it tests, moves the clock and
// looks through client-go. The cluster is stopped by t.Cleanup.
func ExampleStart() {
	var t *testing.T // the test's *testing.T

	c := kubesimtest.Start(t, kubesimtest.Options{Clock: kubesimtest.Manual})
	c.Apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: httpd, image: "httpd:2.4"}]}
`)
	c.Advance(time.Minute) // the image pulls and container starts the runtime models
	pods, err := c.Client.CoreV1().Pods("default").List(t.Context(), metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase != "Running" {
			t.Errorf("%s is %s", p.Name, p.Status.Phase)
		}
	}
}

// A cluster outside a test (one shared by a package's tests, started in
// TestMain): New and Stop. On a Manual clock, what the cluster prints
// depends only on what was done to it.
func ExampleNew() {
	c, err := kubesimtest.New(kubesimtest.Options{Clock: kubesimtest.Manual})
	if err != nil {
		panic(err)
	}
	defer c.Stop()
	fmt.Print(c.Apply(`apiVersion: v1
kind: Pod
metadata: {name: web}
spec: {containers: [{name: httpd, image: "httpd:2.4"}]}
`))
	c.Advance(time.Minute)
	p, err := c.Client.CoreV1().Pods("default").Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status.Phase, p.Spec.NodeName, p.Status.PodIP)
	out, _, _ := c.Kubectl("get", "pod", "web")
	fmt.Print(out)
	// Output:
	// pod/web created
	// Running w2.example.com 10.244.2.2
	// NAME   READY   STATUS    RESTARTS   AGE
	// web    1/1     Running   0          60s
}
