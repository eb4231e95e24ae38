package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/internal/practice"
	"kubesim/sim"
)

// TestImagePullBackOff: an image that does not exist leaves the pod in
// ImagePullBackOff, with the kubelet's events in describe.
func TestImagePullBackOff(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	if out, errOut, code := cl.kubectl("run bad --image httpd:9.9"); code != 0 {
		t.Fatalf("run: %s %s", out, errOut)
	}
	cl.advance(30 * time.Second)
	out, _, _ := cl.kubectl("get pod bad --no-headers")
	if !strings.Contains(out, "ImagePullBackOff") && !strings.Contains(out, "ErrImagePull") {
		t.Errorf("get pod: %q, want ImagePullBackOff or ErrImagePull", out)
	}
	out, _, code := cl.kubectl("describe pod bad")
	if code != 0 {
		t.Fatalf("describe exit %d", code)
	}
	for _, want := range []string{
		`Pulling image "httpd:9.9"`,
		`Failed to pull image "httpd:9.9": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/httpd:9.9"`,
		"Error: ErrImagePull",
		`Back-off pulling image "httpd:9.9"`,
		"Error: ImagePullBackOff",
		"Successfully assigned default/bad to ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe pod lacks %q:\n%s", want, out)
		}
	}
}

// TestLogsExecAndRestarts: busybox runs its command, logs come from the
// catalog, a failing command crash-loops with the kubelet's back-off.
func TestLogsAndCrashLoop(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.kubectl("run hello --image busybox:1.36 --restart=Never -- sh -c 'echo hello from busybox'")
	cl.advance(time.Minute)
	out, errOut, code := cl.kubectl("logs hello")
	if diff := cmp.Diff("hello from busybox\n", out); diff != "" || code != 0 {
		t.Errorf("logs: exit %d %s (-want +got):\n%s", code, errOut, diff)
	}
	out, _, _ = cl.kubectl("get pod hello -o jsonpath={.status.phase}")
	if out != "Succeeded" {
		t.Errorf("phase %q, want Succeeded", out)
	}
	cl.kubectl("run crash --image busybox:1.36 -- sh -c 'exit 3'")
	cl.advance(2 * time.Minute)
	out, _, _ = cl.kubectl("get pod crash -o jsonpath={.status.containerStatuses[0].state.waiting.reason}")
	if out != "CrashLoopBackOff" {
		t.Errorf("crash waiting reason %q, want CrashLoopBackOff", out)
	}
	out, _, _ = cl.kubectl("get pod crash -o jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}")
	if out != "3" {
		t.Errorf("last exit code %q, want 3", out)
	}
}

// TestCordonDrain: cordon, drain with --ignore-daemonsets, uncordon.
func TestCordonDrain(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 4")
	cl.advance(time.Minute)
	out, errOut, code := cl.kubectl("cordon w1.example.com")
	if diff := cmp.Diff("node/w1.example.com cordoned\n", out); diff != "" || code != 0 {
		t.Errorf("cordon: %s (-want +got):\n%s", errOut, diff)
	}
	out, _, _ = cl.kubectl("get node w1.example.com --no-headers")
	if !strings.Contains(out, "Ready,SchedulingDisabled") {
		t.Errorf("cordoned node: %q", out)
	}
	out, errOut, code = cl.kubectl("drain w1.example.com --ignore-daemonsets --timeout=60s")
	if code != 0 {
		t.Fatalf("drain: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "node/w1.example.com drained") {
		t.Errorf("drain output: %s", out)
	}
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl("get pods -l app=web -o wide --no-headers")
	if strings.Contains(out, "w1.example.com") || strings.Count(out, "Running") != 4 {
		t.Errorf("after drain, web pods:\n%s", out)
	}
	out, _, _ = cl.kubectl("uncordon w1.example.com")
	if out != "node/w1.example.com uncordoned\n" {
		t.Errorf("uncordon: %q", out)
	}
}

// TestExplainSchedule: the explanation names every node with its verdict.
func TestExplainSchedule(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.kubectl("run myapache --image httpd:2.4")
	cl.advance(time.Minute)
	out, err := cl.c.ExplainSchedule("default", "myapache")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"m.example.com", "w1.example.com", "w2.example.com", "TaintToleration", "NodeResourcesFit"} {
		if !strings.Contains(out, want) {
			t.Errorf("explanation lacks %q:\n%s", want, out)
		}
	}
}

// TestVagrantHalt: a halted VM's node goes NotReady after the node monitor
// grace period, and Ready again after vagrant up.
func TestVagrantHalt(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Hour)
	env, err := practice.New(cl.c, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	run := func(line string) string {
		var out, errb strings.Builder
		env.Run(context.Background(), line, &out, &errb)
		return out.String() + errb.String()
	}
	run("vagrant halt w1.example.com")
	cl.advance(30 * time.Second)
	if out := run("kubectl get node w1.example.com --no-headers"); !strings.Contains(out, " Ready ") {
		t.Errorf("30s after halt (grace 40s): %q, want still Ready", out)
	}
	cl.advance(20 * time.Second)
	if out := run("kubectl get node w1.example.com --no-headers"); !strings.Contains(out, " NotReady ") {
		t.Errorf("50s after halt: %q, want NotReady", out)
	}
	if out := run("vagrant status w1.example.com"); !strings.Contains(out, "w1.example.com            poweroff (virtualbox)") {
		t.Errorf("vagrant status: %q", out)
	}
	run("vagrant up w1.example.com")
	cl.advance(time.Minute)
	if out := run("kubectl get node w1.example.com --no-headers"); !strings.Contains(out, " Ready ") {
		t.Errorf("after vagrant up: %q, want Ready", out)
	}
}

const packYAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: pack
spec:
  replicas: 4
  selector:
    matchLabels:
      app: pack
  template:
    metadata:
      labels:
        app: pack
    spec:
      containers:
      - name: web
        image: nginx:1.23
        resources:
          requests:
            cpu: 300m
`

// TestSchedulerProfile: the ClusterSpec's scheduler section changes where
// pods go: MostAllocated without spreading packs, the default spreads.
func TestSchedulerProfile(t *testing.T) {
	nodesOf := func(strategy string, disabled ...string) map[string]int {
		spec := sim.DefaultClusterSpec()
		spec.Scheduler.ScoringStrategy = strategy
		spec.Scheduler.Disabled = disabled
		cl := newCluster(t, spec)
		cl.advance(time.Minute)
		cl.apply(packYAML)
		cl.advance(time.Minute)
		out, _, _ := cl.kubectl("get pods -l app=pack -o jsonpath={.items[*].spec.nodeName}")
		count := map[string]int{}
		for _, n := range strings.Fields(out) {
			count[n]++
		}
		return count
	}
	// The default topology spread (weight 2) would spread a deployment's
	// pods whatever the fit strategy: switch it off to see packing.
	if most := nodesOf("MostAllocated", "PodTopologySpread", "NodeResourcesBalancedAllocation"); len(most) != 1 {
		t.Errorf("MostAllocated spread the pods: %v", most)
	}
	if least := nodesOf("LeastAllocated"); len(least) != 2 {
		t.Errorf("LeastAllocated did not spread the pods over both workers: %v", least)
	}
	spec := sim.DefaultClusterSpec()
	spec.Scheduler.Disabled = []string{"NoSuchPlugin"}
	if _, err := sim.New(spec, sim.Options{Dir: t.TempDir(), NoSync: true}); err == nil || !strings.Contains(err.Error(), `unknown plugin "NoSuchPlugin"`) {
		t.Errorf("unknown plugin: %v", err)
	}
}

const initYAML = `apiVersion: v1
kind: Pod
metadata:
  name: withinit
spec:
  initContainers:
  - name: wait
    image: busybox:1.36
    command: ["sh", "-c", "echo preparing; sleep 20"]
  containers:
  - name: web
    image: nginx:1.23
`

// TestInitContainers: Init:0/1 while the init container runs, then Running.
func TestInitContainers(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(initYAML)
	cl.advance(10 * time.Second)
	out, _, _ := cl.kubectl("get pod withinit --no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "0/1" || f[2] != "Init:0/1" {
		t.Errorf("during init: %q, want 0/1 Init:0/1", out)
	}
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl("get pod withinit --no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "1/1" || f[2] != "Running" {
		t.Errorf("after init: %q, want 1/1 Running", out)
	}
	out, _, _ = cl.kubectl("logs withinit -c wait")
	if out != "preparing\n" {
		t.Errorf("init logs %q", out)
	}
}

// TestJob: kubectl create job runs its pod to completion.
func TestJob(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	if out, errOut, code := cl.kubectl("create job hello --image busybox:1.36 -- echo hello from a job"); code != 0 || out != "job.batch/hello created\n" {
		t.Fatalf("create job: exit %d %q %q", code, out, errOut)
	}
	cl.advance(time.Minute)
	out, _, _ := cl.kubectl("get job hello --no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "Complete" && f[1] != "1/1" {
		t.Errorf("get job: %q", out)
	}
	if !strings.Contains(out, "1/1") {
		t.Errorf("get job: %q, want COMPLETIONS 1/1", out)
	}
	out, _, _ = cl.kubectl("get pods -l job-name=hello --no-headers")
	if !strings.Contains(out, "Completed") {
		t.Errorf("job pod: %q, want Completed", out)
	}
	out, errOut, _ := cl.kubectl("logs job/hello")
	if out != "hello from a job\n" {
		t.Errorf("logs job/hello: %q %q", out, errOut)
	}
}

const stsYAML = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.23
`

// TestStatefulSet: ordered creation with stable names, scale down from the top.
func TestStatefulSet(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(stsYAML)
	cl.advance(time.Second)
	out, _, _ := cl.kubectl("get pods -l app=web -o name")
	if out != "pod/web-0\n" {
		t.Errorf("first second: %q, want only web-0 (OrderedReady)", out)
	}
	cl.advance(2 * time.Minute)
	out, _, _ = cl.kubectl("get sts web --no-headers")
	if f := strings.Fields(out); len(f) < 2 || f[1] != "3/3" {
		t.Errorf("get sts: %q, want 3/3", out)
	}
	cl.kubectl("scale sts web --replicas 1")
	cl.advance(2 * time.Minute)
	out, _, _ = cl.kubectl("get pods -l app=web -o name")
	if out != "pod/web-0\n" {
		t.Errorf("after scale to 1: %q, want pod/web-0", out)
	}
}

const probeYAML = `apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  containers:
  - name: web
    image: nginx:1.23
    readinessProbe:
      httpGet: {path: /, port: 80}
      initialDelaySeconds: 5
    livenessProbe:
      httpGet: {path: /healthz, port: 80}
      initialDelaySeconds: 3
      periodSeconds: 5
`

// TestProbes: readiness after the initial delay; a liveness probe on a path
// nginx answers 404 restarts the container.
func TestProbes(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(probeYAML)
	cl.advance(40 * time.Second)
	out, _, _ := cl.kubectl("describe pod probed")
	for _, want := range []string{
		"Liveness probe failed: HTTP probe failed with statuscode: 404",
		"Container web failed liveness probe, will be restarted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("describe lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = cl.kubectl("get pod probed -o jsonpath={.status.containerStatuses[0].restartCount}")
	if out == "0" || out == "" {
		t.Errorf("restartCount %q, want at least 1", out)
	}
}

// TestCronJob: a Job per schedule, at most successfulJobsHistoryLimit kept.
func TestCronJob(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	if out, errOut, code := cl.kubectl(`create cronjob tick --image busybox:1.36 --schedule "*/1 * * * *" -- echo tick`); code != 0 || out != "cronjob.batch/tick created\n" {
		t.Fatalf("create cronjob: exit %d %q %q", code, out, errOut)
	}
	cl.advance(150 * time.Second)
	out, _, _ := cl.kubectl("get jobs --no-headers")
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("after 2.5 min: %d jobs, want 2:\n%s", n, out)
	}
	cl.advance(5 * time.Minute)
	out, _, _ = cl.kubectl("get jobs --no-headers")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("after 7.5 min: %d jobs, want 3 (successfulJobsHistoryLimit):\n%s", n, out)
	}
	out, _, _ = cl.kubectl("get cronjob tick --no-headers")
	if !strings.Contains(out, "*/1 * * * *") {
		t.Errorf("get cronjob: %q", out)
	}
}

const pdbYAML = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: web
`

// TestDrainRespectsPDB: an eviction that would break a PodDisruptionBudget
// is refused with the apiserver's 429 text, and drain gives up.
func TestDrainRespectsPDB(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	cl.apply(pdbYAML)
	cl.advance(10 * time.Second)
	out, errOut, code := cl.kubectl("drain w1.example.com --ignore-daemonsets --timeout=1s")
	if code == 0 {
		t.Fatalf("drain succeeded despite the PDB:\n%s", out)
	}
	if !strings.Contains(errOut, "Cannot evict pod as it would violate the pod's disruption budget.") {
		t.Errorf("drain stderr lacks the PDB refusal:\n%s\n%s", out, errOut)
	}
}

const envPodYAML = `apiVersion: v1
kind: Pod
metadata:
  name: greeter
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo $GREETING from $(MY_POD)"]
    env:
    - name: MY_POD
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: greetings
          key: hello
`

// TestEnvFromConfigMap: a missing ConfigMap is CreateContainerConfigError
// until it is created; then the container sees its value.
func TestEnvFromConfigMap(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.apply(envPodYAML)
	cl.advance(30 * time.Second)
	out, _, _ := cl.kubectl("get pod greeter --no-headers")
	if !strings.Contains(out, "CreateContainerConfigError") {
		t.Errorf("without the ConfigMap: %q, want CreateContainerConfigError", out)
	}
	out, _, _ = cl.kubectl("describe pod greeter")
	if !strings.Contains(out, `Error: configmap "greetings" not found`) {
		t.Errorf("describe lacks the config error:\n%s", out)
	}
	cl.kubectl("create configmap greetings --from-literal=hello=Hi")
	cl.advance(30 * time.Second)
	out, errOut, _ := cl.kubectl("logs greeter")
	if out != "Hi from greeter\n" {
		t.Errorf("logs %q %q, want the ConfigMap's value", out, errOut)
	}
}
