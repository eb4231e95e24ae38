package e2e

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kubesim/internal/kubectl"
	"kubesim/sim"
)

// Workload behaviour of issue 11 item 8: each test is a repro that got a
// different answer from a real cluster.

// TestDeleteCascadeOrphan: kubectl delete --cascade=orphan sends
// propagationPolicy Orphan; the owner goes, its dependents stay and lose
// their ownerReference to it.
func TestDeleteCascadeOrphan(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	rsName, _, _ := cl.kubectl("get rs -l app=web -o jsonpath={.items[0].metadata.name}")
	out, errOut, code := cl.kubectl("delete deployment web --cascade=orphan")
	if diff := cmp.Diff("deployment.apps \"web\" deleted from default namespace\n", out); diff != "" || code != 0 {
		t.Fatalf("delete: exit %d %s (-want +got):\n%s", code, errOut, diff)
	}
	cl.advance(time.Minute)
	if out, _, _ := cl.kubectl("get deployment web"); out != "" {
		t.Errorf("the deployment is still there:\n%s", out)
	}
	out, _, _ = cl.kubectl("get rs " + rsName + " -o jsonpath={.metadata.ownerReferences}")
	if out != "" {
		t.Errorf("orphaned replicaset keeps owner references %s", out)
	}
	out, _, _ = cl.kubectl("get pods -l app=web --no-headers")
	if n := strings.Count(out, "Running"); n != 2 {
		t.Errorf("want the 2 pods of the orphaned replicaset running, got:\n%s", out)
	}
	// The same one level down: the pods stay, without owner.
	out, errOut, code = cl.kubectl("delete rs " + rsName + " --cascade=orphan")
	if code != 0 {
		t.Fatalf("delete rs: exit %d %s %s", code, out, errOut)
	}
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl("get pods -l app=web --no-headers -o custom-columns=P:.status.phase,O:.metadata.ownerReferences")
	if diff := cmp.Diff("Running   <none>\nRunning   <none>\n", out); diff != "" {
		t.Errorf("pods after the replicaset's orphaning delete (-want +got):\n%s", diff)
	}
	// Background (kubectl's default) still takes the dependents along.
	cl.kubectl("create deployment db --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	cl.kubectl("delete deployment db")
	cl.advance(time.Minute)
	if out, _, _ := cl.kubectl("get rs,pods -l app=db --no-headers"); out != "" {
		t.Errorf("background deletion left dependents:\n%s", out)
	}
}

// TestServerDryRun: --dry-run=server answers as the write would and
// changes nothing, on every write path.
func TestServerDryRun(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("create deployment web --image nginx:1.23 --replicas 2")
	cl.advance(time.Minute)
	rv := func() string {
		out, _, _ := cl.kubectl("get deployment web -o jsonpath={.metadata.resourceVersion}/{.spec.replicas}/{.spec.template.spec.containers[0].image}/{.metadata.labels}")
		return out
	}
	before := rv()
	for _, tc := range []struct{ cmd, want string }{
		{"scale deployment web --replicas 5 --dry-run=server", "deployment.apps/web scaled (server dry run)\n"},
		{"set image deployment/web nginx=nginx:1.21 --dry-run=server", "deployment.apps/web image updated (server dry run)\n"},
		{"label deployment web tier=front --dry-run=server", "deployment.apps/web labeled (server dry run)\n"},
		{"patch deployment web -p '{\"spec\":{\"replicas\":7}}' --dry-run=server", "deployment.apps/web patched\n"},
		{"delete deployment web --dry-run=server", "deployment.apps \"web\" deleted from default namespace (server dry run)\n"},
	} {
		out, errOut, code := cl.kubectl(tc.cmd)
		if diff := cmp.Diff(tc.want, out); diff != "" || code != 0 {
			t.Errorf("%s: exit %d %s (-want +got):\n%s", tc.cmd, code, errOut, diff)
		}
		cl.advance(10 * time.Second)
		if got := rv(); got != before {
			t.Errorf("%s changed the deployment: %s, was %s", tc.cmd, got, before)
		}
	}
	// A dry run still validates.
	_, errOut, code := cl.kubectl("scale deployment web --replicas -3 --dry-run=server")
	if code == 0 {
		t.Errorf("negative dry-run scale accepted")
	}
	_ = errOut
	if out, _, _ := cl.kubectl("get pods -l app=web --no-headers"); strings.Count(out, "\n") != 2 {
		t.Errorf("pods after dry runs:\n%s", out)
	}
}

const webSTS = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: %d
  selector:
    matchLabels:
      app: web
  updateStrategy:
    rollingUpdate:
      partition: %d
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.23
`

// TestStatefulSetKeepsPods: a new StatefulSet's pods are created once and
// kept (the revision of the first status write used to differ from the
// pods' and pod -0 was replaced half a minute in).
func TestStatefulSetKeepsPods(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(fmt.Sprintf(webSTS, 2, 0))
	cl.advance(10 * time.Second)
	uid := func() string {
		out, _, _ := cl.kubectl("get pod web-0 -o jsonpath={.metadata.uid}")
		return out
	}
	first := uid()
	cl.advance(5 * time.Minute)
	if got := uid(); got != first || first == "" {
		t.Errorf("web-0 was replaced: uid %q, then %q", first, got)
	}
	out, _, _ := cl.kubectl("get pods -l app=web --no-headers")
	if !strings.Contains(out, "web-0   1/1   Running   0     5m10s") || !strings.Contains(out, "web-1   1/1   Running   0") {
		t.Errorf("get pods:\n%s", out)
	}
	if out, _, _ := cl.kubectl("get events --field-selector reason=SuccessfulDelete"); out != "" {
		t.Errorf("the controller deleted pods:\n%s", out)
	}
	out, _, _ = cl.kubectl("get sts web -o jsonpath={.status.currentRevision}/{.status.updateRevision}/{.status.currentReplicas}/{.status.updatedReplicas}")
	rev, _, _ := cl.kubectl("get pod web-0 -o jsonpath={.metadata.labels.controller-revision-hash}")
	if want := rev + "/" + rev + "/2/2"; out != want || !strings.HasPrefix(rev, "web-") {
		t.Errorf("status revisions %q, want %q", out, want)
	}
}

// TestStatefulSetPartition: a rolling update replaces only the ordinals at
// or above the partition; the others keep the current revision.
func TestStatefulSetPartition(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(fmt.Sprintf(webSTS, 3, 2))
	cl.advance(2 * time.Minute)
	oldRev, _, _ := cl.kubectl("get pod web-0 -o jsonpath={.metadata.labels.controller-revision-hash}")
	if out, errOut, code := cl.kubectl("set image sts/web nginx=nginx:1.21"); code != 0 {
		t.Fatalf("set image: %s %s", out, errOut)
	}
	cl.advance(3 * time.Minute)
	out, _, _ := cl.kubectl("get pods -l app=web --no-headers -o custom-columns=N:.metadata.name,I:.spec.containers[0].image")
	want := "web-0   nginx:1.23\nweb-1   nginx:1.23\nweb-2   nginx:1.21\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("images with partition 2 (-want +got):\n%s", diff)
	}
	newRev, _, _ := cl.kubectl("get pod web-2 -o jsonpath={.metadata.labels.controller-revision-hash}")
	out, _, _ = cl.kubectl("get sts web -o jsonpath={.status.currentRevision}/{.status.updateRevision}/{.status.currentReplicas}/{.status.updatedReplicas}")
	if want := oldRev + "/" + newRev + "/2/1"; out != want || oldRev == newRev {
		t.Errorf("status %q, want %q", out, want)
	}
	// A deleted pod below the partition comes back at the current revision.
	cl.kubectl("delete pod web-0")
	cl.advance(2 * time.Minute)
	out, _, _ = cl.kubectl("get pod web-0 -o jsonpath={.spec.containers[0].image}")
	if out != "nginx:1.23" {
		t.Errorf("recreated web-0 runs %q, want nginx:1.23", out)
	}
	// Lowering the partition to 0 finishes the rollout.
	if out, errOut, code := cl.kubectl(`patch sts web -p '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'`); code != 0 {
		t.Fatalf("patch: %s %s", out, errOut)
	}
	cl.advance(5 * time.Minute)
	out, _, _ = cl.kubectl("get pods -l app=web --no-headers -o custom-columns=N:.metadata.name,I:.spec.containers[0].image")
	if diff := cmp.Diff("web-0   nginx:1.21\nweb-1   nginx:1.21\nweb-2   nginx:1.21\n", out); diff != "" {
		t.Errorf("images with partition 0 (-want +got):\n%s", diff)
	}
	out, _, _ = cl.kubectl("get sts web -o jsonpath={.status.currentRevision}/{.status.updateRevision}/{.status.currentReplicas}/{.status.updatedReplicas}")
	if want := newRev + "/" + newRev + "/3/3"; out != want {
		t.Errorf("status %q, want %q", out, want)
	}
}

const livenessPod = `apiVersion: v1
kind: Pod
metadata:
  name: live
spec:
  containers:
  - name: web
    image: nginx:1.23
    livenessProbe:
      httpGet:
        port: 8080
      initialDelaySeconds: 5
      periodSeconds: 5
`

// TestProbeDefaults: the API server fills a probe's defaults and the
// kubelet restarts a container after failureThreshold (3) failures, each
// of them an Unhealthy event.
func TestProbeDefaults(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(livenessPod)
	out, _, _ := cl.kubectl("get pod live -o jsonpath={.spec.containers[0].livenessProbe}")
	want := `{"failureThreshold":3,"httpGet":{"path":"/","port":8080,"scheme":"HTTP"},"initialDelaySeconds":5,"periodSeconds":5,"successThreshold":1,"timeoutSeconds":1}`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("stored probe (-want +got):\n%s", diff)
	}
	out, _, _ = cl.kubectl("describe pod live")
	if want := "Liveness:       http-get http://:8080/ delay=5s timeout=1s period=5s successThreshold=1 failureThreshold=3"; !strings.Contains(out, want) {
		t.Errorf("describe lacks %q:\n%s", want, out)
	}
	restarts := func() string {
		out, _, _ := cl.kubectl("get pod live -o jsonpath={.status.containerStatuses[0].restartCount}")
		return out
	}
	// Running from about 3s; probes fail at 5s, 10s and 15s after the start.
	cl.advance(15 * time.Second)
	if got := restarts(); got != "0" {
		t.Errorf("after two failed probes restartCount = %s, want 0", got)
	}
	cl.advance(5 * time.Second)
	if got := restarts(); got != "1" {
		t.Errorf("after three failed probes restartCount = %s, want 1", got)
	}
	out, _, _ = cl.kubectl("get events --field-selector involvedObject.name=live,reason=Unhealthy -o jsonpath={.items[*].count}")
	if out != "3" {
		t.Errorf("Unhealthy event count %q, want 3", out)
	}
}

// TestCrashLoopPhase: under restartPolicy Always a crash-looping pod stays
// Running (getPhase: a container waiting after it ran counts as stopped).
func TestCrashLoopPhase(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("run crash --image busybox:1.36 -- sh -c 'sleep 2; exit 3'")
	for i := 0; i < 12; i++ {
		cl.advance(10 * time.Second)
		out, _, _ := cl.kubectl("get pod crash -o jsonpath={.status.phase}/{.status.containerStatuses[0].state}")
		if i > 0 && !strings.HasPrefix(out, "Running/") {
			t.Errorf("after %ds: %s, want phase Running", 10*(i+1), out)
		}
	}
	out, _, _ := cl.kubectl("get pod crash --no-headers")
	if !strings.Contains(out, "CrashLoopBackOff") && !strings.Contains(out, "Error") {
		t.Errorf("get pod: %s", out)
	}
}

const slowJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: slow
spec:
  activeDeadlineSeconds: 20
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox:1.36
        command: ["sleep", "3600"]
`

// TestJobActiveDeadline: a Job active for activeDeadlineSeconds fails
// with DeadlineExceeded and its pods are killed; from 1.31 FailureTarget
// comes first.
func TestJobActiveDeadline(t *testing.T) {
	for _, tc := range []struct{ version, conds string }{
		{"v1.27.1", "Failed:DeadlineExceeded:Job was active longer than specified deadline;"},
		{"v1.31.0", "FailureTarget:DeadlineExceeded:Job was active longer than specified deadline;Failed:DeadlineExceeded:Job was active longer than specified deadline;"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			spec := sim.DefaultClusterSpec()
			spec.KubernetesVersion = tc.version
			cl := newCluster(t, spec)
			cl.advance(time.Minute)
			cl.apply(slowJob)
			conds := func() string {
				out, _, _ := cl.kubectl(`get job slow -o 'jsonpath={range .status.conditions[*]}{.type}:{.reason}:{.message};{end}'`)
				return out
			}
			cl.advance(15 * time.Second)
			if got := conds(); got != "" {
				t.Errorf("conditions before the deadline: %q", got)
			}
			cl.advance(time.Minute)
			if got := conds(); got != tc.conds {
				t.Errorf("conditions %q, want %q", got, tc.conds)
			}
			if out, _, _ := cl.kubectl("get pods -l job-name=slow --no-headers"); out != "" {
				t.Errorf("pods left:\n%s", out)
			}
			out, _, _ := cl.kubectl("get events --field-selector involvedObject.name=slow,reason=DeadlineExceeded -o jsonpath={.items[*].message}")
			if out != "Job was active longer than specified deadline" {
				t.Errorf("DeadlineExceeded event %q", out)
			}
			if out, _, _ := cl.kubectl("get job slow -o jsonpath={.status.failed}/{.status.active}"); out != "1/" {
				t.Errorf("failed/active %q, want 1/ (active 0 is omitted)", out)
			}
		})
	}
}

const failJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: fail
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox:1.36
        command: ["sh", "-c", "exit 1"]
`

// TestJobBackoff: a failed pod is replaced 10s after its failure, then 20s,
// 40s; past backoffLimit the Job fails with BackoffLimitExceeded.
func TestJobBackoff(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.apply(failJob)
	cl.advance(5 * time.Minute)
	out, _, _ := cl.kubectl(`get pods -l job-name=fail --sort-by=.metadata.creationTimestamp -o 'jsonpath={range .items[*]}{.metadata.creationTimestamp},{.status.containerStatuses[0].state.terminated.finishedAt};{end}'`)
	var created, finished []time.Time
	for _, rec := range strings.Split(strings.TrimSuffix(out, ";"), ";") {
		c, f, _ := strings.Cut(rec, ",")
		ct, err1 := time.Parse(time.RFC3339, c)
		ft, err2 := time.Parse(time.RFC3339, f)
		if err1 != nil || err2 != nil {
			t.Fatalf("pods: %q", out)
		}
		created, finished = append(created, ct), append(finished, ft)
	}
	if len(created) != 4 {
		t.Fatalf("want 4 pods (backoffLimit 3), got %q", out)
	}
	for i, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second} {
		if got := created[i+1].Sub(finished[i]); got < want || got > want+time.Second {
			t.Errorf("pod %d created %v after pod %d failed, want %v", i+2, got, i+1, want)
		}
	}
	out, _, _ = cl.kubectl(`get job fail -o 'jsonpath={range .status.conditions[*]}{.type}:{.reason}:{.message};{end}'`)
	if want := "Failed:BackoffLimitExceeded:Job has reached the specified backoff limit;"; out != want {
		t.Errorf("conditions %q, want %q", out, want)
	}
}

// TestSetImagePod: kubectl set image on a running pod restarts that
// container with the new image.
func TestSetImagePod(t *testing.T) {
	cl := newCluster(t, sim.DefaultClusterSpec())
	cl.advance(time.Minute)
	cl.kubectl("run web --image nginx:1.23")
	cl.advance(time.Minute)
	if out, errOut, code := cl.kubectl("set image pod/web web=nginx:1.21"); code != 0 || out != "pod/web image updated\n" {
		t.Fatalf("set image: exit %d %q %s", code, out, errOut)
	}
	cl.advance(time.Minute)
	out, _, _ := cl.kubectl("get pod web -o jsonpath={.status.containerStatuses[0].image}/{.status.containerStatuses[0].restartCount}/{.status.phase}/{.status.containerStatuses[0].ready}")
	if want := "docker.io/library/nginx:1.21/1/Running/true"; out != want {
		t.Errorf("status %q, want %q", out, want)
	}
	out, _, _ = cl.kubectl(`get events --field-selector involvedObject.name=web --sort-by=.lastTimestamp -o 'jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}'`)
	want := `Killing: Container web definition changed, will be restarted
Pulling: Pulling image "nginx:1.21"
`
	if !strings.Contains(out, want) || !strings.Contains(out, `Pulled: Successfully pulled image "nginx:1.21"`) {
		t.Errorf("events:\n%s", out)
	}
	// A pod stuck on a bad image starts as soon as the image is fixed.
	cl.kubectl("run bad --image httpd:9.9")
	cl.advance(2 * time.Minute)
	cl.kubectl("set image pod/bad bad=httpd:2.4")
	cl.advance(20 * time.Second)
	out, _, _ = cl.kubectl("get pod bad -o jsonpath={.status.phase}/{.status.containerStatuses[0].image}/{.status.containerStatuses[0].restartCount}")
	if want := "Running/docker.io/library/httpd:2.4/0"; out != want {
		t.Errorf("fixed image: %q, want %q", out, want)
	}
}

const sidecarPod = `apiVersion: v1
kind: Pod
metadata:
  name: side
spec:
  restartPolicy: %s
  initContainers:
  - name: prep
    image: busybox:1.36
    command: ["sh", "-c", "echo ready"]
  - name: logshipper
    image: busybox:1.36
    restartPolicy: Always
    command: ["sleep", "infinity"]
  - name: wait
    image: busybox:1.36
    command: ["sh", "-c", "sleep 2"]
  containers:
  - name: app
    image: %s
`

// TestNativeSidecar: a restartable init container starts in order, lets
// the next init container run, counts in READY, runs beside the app and
// is stopped after it.
func TestNativeSidecar(t *testing.T) {
	spec := sim.DefaultClusterSpec()
	spec.KubernetesVersion = "v1.29.0" // the SidecarContainers feature is on by default from 1.29
	cl := newCluster(t, spec)
	cl.advance(time.Minute)
	cl.apply(fmt.Sprintf(sidecarPod, "Always", "nginx:1.23"))
	cl.advance(time.Minute)
	out, _, _ := cl.kubectl("get pod side --no-headers")
	if f := strings.Fields(out); len(f) < 3 || f[1] != "2/2" || f[2] != "Running" {
		t.Errorf("get pod: %q, want 2/2 Running", out)
	}
	out, _, _ = cl.kubectl(`get pod side -o 'jsonpath={range .status.initContainerStatuses[*]}{.name}:{.started}:{.ready}:{.state}{"\n"}{end}'`)
	for _, want := range []string{`prep:false:true:{"terminated":`, `logshipper:true:true:{"running":`, `wait:false:true:{"terminated":`} {
		if !strings.Contains(out, want) {
			t.Errorf("init statuses lack %q:\n%s", want, out)
		}
	}
	// Deletion stops the app first, then the sidecar.
	cl.kubectl("delete pod side --wait=false")
	cl.advance(time.Minute)
	out, _, _ = cl.kubectl(`get events --field-selector involvedObject.name=side,reason=Killing --sort-by=.lastTimestamp -o 'jsonpath={range .items[*]}{.message}{"\n"}{end}'`)
	if want := "Stopping container app\nStopping container logshipper\n"; out != want {
		t.Errorf("Killing events %q, want %q", out, want)
	}
	// In a pod that runs to completion the sidecar is stopped once the app
	// is done, and the pod succeeds.
	cl.apply(fmt.Sprintf(sidecarPod, "Never", "busybox:1.36\n    command: [\"sh\", \"-c\", \"echo done\"]"))
	cl.advance(2 * time.Minute)
	out, _, _ = cl.kubectl("get pod side -o jsonpath={.status.phase}")
	if out != "Succeeded" {
		t.Errorf("run-to-completion pod with a sidecar: phase %q, want Succeeded", out)
	}
}

// TestNativeSidecarResume: a cluster reopened while a sidecar runs and
// the init container after it is still running goes on to start the app.
func TestNativeSidecarResume(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	spec := sim.DefaultClusterSpec()
	spec.KubernetesVersion = "v1.29.0"
	c, err := sim.New(spec, sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	k, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k1"))
	var out, errb bytes.Buffer
	if code := k.Run([]string{"apply", "-f", "-"}, strings.NewReader(strings.Replace(fmt.Sprintf(sidecarPod, "Always", "nginx:1.23"), "sleep 2", "sleep 30", 1)), &out, &errb); code != 0 {
		t.Fatalf("apply: %s", errb.String())
	}
	c.Advance(15 * time.Second)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = sim.New(spec, sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Advance(time.Minute)
	k2, _ := kubectl.New(apiHandler(t, c), filepath.Join(dir, "k2"))
	out.Reset()
	k2.Run([]string{"get", "pod", "side", "--no-headers"}, nil, &out, &errb)
	if f := strings.Fields(out.String()); len(f) < 3 || f[1] != "2/2" || f[2] != "Running" {
		t.Errorf("after resume: %q, want 2/2 Running", out.String())
	}
}
