package e2e

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/sim"
)

// TestValidationRepros replays issue 11's validation repros through the
// embedded kubectl: each bad request gets kube-apiserver's 422 text and exit
// code 1, nothing is stored, and the next request works.
func TestValidationRepros(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Hour)
	steps := []struct {
		name   string
		args   string
		stdin  string
		stdout string
		stderr string
		code   int
	}{
		{name: "create deploy", args: "create deploy web --image=nginx --replicas=2", stdout: "deployment.apps/web created\n"},
		{name: "patch replicas -1", args: `patch deploy web -p '{"spec":{"replicas":-1}}'`,
			stderr: "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n", code: 1},
		{name: "scale subresource -1", args: `patch deploy web --subresource=scale -p '{"spec":{"replicas":-1}}'`,
			stderr: "The Scale \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n", code: 1},
		{name: "next request", args: "get deploy web -o jsonpath={.spec.replicas}", stdout: "2"},
		{name: "revisionHistoryLimit -1", args: "create -f -", stdin: deployWithHistoryLimit,
			stderr: "The Deployment \"hist\" is invalid: spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0\n", code: 1},
		{name: "not stored", args: "get deploy hist", stderr: "Error from server (NotFound): deployments.apps \"hist\" not found\n", code: 1},
		{name: "cronjob history limit -1", args: "apply -f -", stdin: cronJobWithHistoryLimit,
			stderr: "The CronJob \"tick\" is invalid: spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0\n", code: 1},
		{name: "statefulset immutable field", args: `patch sts db -p '{"spec":{"serviceName":"other"}}'`,
			stderr: "The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n", code: 1},
		{name: "service port 0", args: "create service clusterip zero --tcp=0:80",
			stderr: "error: failed to create ClusterIP service: Service \"zero\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n", code: 1},
		{name: "clusterIP not an IP", args: "apply -f -", stdin: serviceBadClusterIP,
			stderr: "The Service \"bad\" is invalid: spec.clusterIPs[0]: Invalid value: \"not-an-ip\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)\n", code: 1},
		{name: "negative cpu request", args: "apply -f -", stdin: podNegativeCPU,
			stderr: "The Pod \"neg\" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: \"-1\": must be greater than or equal to 0\n", code: 1},
		{name: "pdb minAvailable abc%", args: "apply -f -", stdin: pdbBadPercent,
			stderr: "The PodDisruptionBudget \"pdb\" is invalid: spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc%\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')\n", code: 1},
		{name: "scale still works", args: "scale deploy web --replicas=3", stdout: "deployment.apps/web scaled\n"},
	}
	cl.apply(statefulSetDB)
	for _, s := range steps {
		out, errOut, code := cl.kubectl(s.args, s.stdin)
		if diff := cmp.Diff(s.stdout, out); diff != "" {
			t.Errorf("%s: kubectl %s stdout (-want +got):\n%s", s.name, s.args, diff)
		}
		if diff := cmp.Diff(s.stderr, errOut); diff != "" {
			t.Errorf("%s: kubectl %s stderr (-want +got):\n%s", s.name, s.args, diff)
		}
		if code != s.code {
			t.Errorf("%s: kubectl %s exit code %d, want %d", s.name, s.args, code, s.code)
		}
	}
	// The loop goes on: the deployment reaches its new size.
	cl.advance(2 * time.Minute)
	out, _, _ := cl.kubectl("get deploy web -o jsonpath={.status.readyReplicas}")
	if out != "3" {
		t.Errorf("readyReplicas = %q after the rejected requests, want 3", out)
	}
}

const deployWithHistoryLimit = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: hist
spec:
  revisionHistoryLimit: -1
  selector:
    matchLabels: {app: hist}
  template:
    metadata:
      labels: {app: hist}
    spec:
      containers:
      - name: web
        image: nginx
`

const cronJobWithHistoryLimit = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "*/5 * * * *"
  failedJobsHistoryLimit: -1
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: tick
            image: busybox
`

const statefulSetDB = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: db
        image: nginx
`

const serviceBadClusterIP = `apiVersion: v1
kind: Service
metadata:
  name: bad
spec:
  clusterIP: not-an-ip
  selector: {app: web}
  ports:
  - port: 80
`

const podNegativeCPU = `apiVersion: v1
kind: Pod
metadata:
  name: neg
spec:
  containers:
  - name: web
    image: nginx
    resources:
      requests:
        cpu: "-1"
`

const pdbBadPercent = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb
spec:
  minAvailable: "abc%"
  selector:
    matchLabels: {app: web}
`
