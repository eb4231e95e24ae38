package kubelet_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// run runs cmd in the pod's container and returns its stdout and stderr
// together, and the exit code.
func (h *harness) run(name, container string, cmd ...string) (string, int) {
	h.t.Helper()
	var out string
	var code int
	h.c.Do(func() {
		o, e, c, err := h.c.PodExec("default", name, container, cmd)
		if err != nil {
			h.t.Fatalf("exec %v: %v", cmd, err)
		}
		out, code = o+e, c
	})
	return out, code
}

// apply creates or updates a ConfigMap or Secret in namespace default.
func (h *harness) apply(resource, manifest string) {
	h.t.Helper()
	var obj interface {
		runtime.Object
		metav1.Object
	}
	switch resource {
	case "configmaps":
		obj = &corev1.ConfigMap{}
	case "secrets":
		obj = &corev1.Secret{}
	}
	if err := yaml.Unmarshal([]byte(manifest), obj); err != nil {
		h.t.Fatal(err)
	}
	var err error
	h.c.Do(func() {
		if old, gerr := h.c.Registry.Get(res(resource), "default", obj.GetName()); gerr == nil {
			obj.SetResourceVersion(old.(metav1.Object).GetResourceVersion())
			_, err = h.c.Registry.Update(res(resource), "default", obj, "")
			return
		}
		_, err = h.c.Registry.Create(res(resource), "default", obj, false)
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) cat(name, file string) string {
	h.t.Helper()
	out, _ := h.run(name, "c", "cat", file)
	return out
}

// TestConfigMapVolumeUpdate: keys as files (items, defaultMode, an item's
// own mode); an update reaches the files at the pod's next sync, not
// before; a subPath mount keeps the old content; env vars never change.
func TestConfigMapVolumeUpdate(t *testing.T) {
	h := newHarness(t)
	h.apply("configmaps", `
metadata: {name: cfg}
data: {color: blue, size: L, extra: x}
`)
	h.create(`
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    env: [{name: COLOR, valueFrom: {configMapKeyRef: {name: cfg, key: color}}}]
    volumeMounts:
    - {name: all, mountPath: /etc/all}
    - {name: some, mountPath: /etc/some}
    - {name: all, mountPath: /etc/color, subPath: color}
  volumes:
  - name: all
    configMap: {name: cfg, defaultMode: 0600}
  - name: some
    configMap:
      name: cfg
      items: [{key: size, path: dims/size}, {key: color, path: c, mode: 0444}]
`)
	h.c.Advance(20 * time.Second)
	if out, _ := h.run("p", "c", "ls", "/etc/all"); out != "color\nextra\nsize\n" {
		t.Errorf("ls /etc/all = %q", out)
	}
	if out, _ := h.run("p", "c", "ls", "-l", "/etc/all/..data/color", "/etc/some/..data/c", "/etc/some/..data/dims/size"); !strings.HasPrefix(out, "-rw-------") ||
		!strings.Contains(out, "\n-r--r--r--") || !strings.Contains(out, "\n-rw-r--r--") {
		t.Errorf("modes:\n%s", out)
	}
	if got := h.cat("p", "/etc/some/dims/size"); got != "L" {
		t.Errorf("item: %q", got)
	}
	if out, code := h.run("p", "c", "sh", "-c", "echo x > /etc/all/new"); code == 0 || !strings.Contains(out, "Read-only file system") {
		t.Errorf("write to a configMap volume: %q %d", out, code)
	}
	h.apply("configmaps", `
metadata: {name: cfg}
data: {color: red, size: L}
`)
	if got := h.cat("p", "/etc/all/color"); got != "blue" {
		t.Errorf("right after the update: %q, want the old value until the next sync", got)
	}
	h.c.Advance(time.Minute)
	if got := h.cat("p", "/etc/all/color"); got != "red" {
		t.Errorf("a sync later: %q, want red", got)
	}
	if out, _ := h.run("p", "c", "ls", "/etc/all"); out != "color\nsize\n" {
		t.Errorf("after removing a key: ls = %q", out)
	}
	if got := h.cat("p", "/etc/color"); got != "blue" {
		t.Errorf("subPath mount: %q, want the old value (subPath mounts are not updated)", got)
	}
	if out, _ := h.run("p", "c", "printenv", "COLOR"); out != "blue\n" {
		t.Errorf("env: %q", out)
	}
}

// TestMissingConfigMapVolume: a missing ConfigMap keeps the pod
// ContainerCreating with FailedMount; created, the pod starts at the next
// attempt. An optional one that is missing mounts empty; a missing item key
// fails unless optional.
func TestMissingConfigMapVolume(t *testing.T) {
	h := newHarness(t)
	h.create(`
metadata: {name: p}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    volumeMounts: [{name: cfg, mountPath: /etc/cfg}, {name: opt, mountPath: /etc/opt}]
  volumes:
  - {name: cfg, configMap: {name: nope}}
  - {name: opt, configMap: {name: absent, optional: true}}
`)
	h.apply("secrets", `
metadata: {name: creds}
stringData: {user: admin}
`)
	h.create(`
metadata: {name: s}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    volumeMounts: [{name: sec, mountPath: /etc/sec}]
  volumes:
  - name: sec
    secret: {secretName: creds, items: [{key: password, path: pw}]}
`)
	h.c.Advance(time.Minute)
	if cs := h.pod("p").Status.ContainerStatuses[0]; cs.State.Waiting == nil || cs.State.Waiting.Reason != "ContainerCreating" {
		t.Fatalf("p: %+v", cs.State)
	}
	if evs := h.events("p"); !has(evs, `FailedMount x7: MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found`) || has(evs, `FailedMount x7: MountVolume.SetUp failed for volume "opt"`) {
		t.Errorf("p's events: %q", evs)
	}
	if evs := h.events("s"); !has(evs, `FailedMount x7: MountVolume.SetUp failed for volume "sec" : references non-existent secret key: password`) {
		t.Errorf("s's events: %q", evs)
	}
	h.apply("configmaps", `
metadata: {name: nope}
data: {k: v}
`)
	h.c.Advance(2*time.Minute + 2*time.Second)
	if cs := h.pod("p").Status.ContainerStatuses[0]; cs.State.Running == nil {
		t.Fatalf("p after the ConfigMap exists: %+v", cs.State)
	}
	if got := h.cat("p", "/etc/cfg/k"); got != "v" {
		t.Errorf("/etc/cfg/k = %q", got)
	}
	if out, code := h.run("p", "c", "ls", "/etc/opt"); out != "" || code != 0 {
		t.Errorf("optional missing: ls = %q %d", out, code)
	}
}

// TestDownwardAPIAndProjected: downwardAPI files from the pod's metadata and
// a container's resources; a label change reaches the file without waiting
// for the periodic sync; a projected volume merges a token, a ConfigMap, a
// Secret and the downward API under one defaultMode; the default
// service-account volume holds the token, kube-root-ca.crt and the
// namespace.
func TestDownwardAPIAndProjected(t *testing.T) {
	h := newHarness(t)
	h.apply("configmaps", `
metadata: {name: app}
data: {mode: prod}
`)
	h.apply("secrets", `
metadata: {name: creds}
stringData: {user: admin}
`)
	h.create(`
metadata:
  name: p
  labels: {app: web, tier: front}
  annotations: {note: "a \"quoted\" one"}
spec:
  containers:
  - name: c
    image: busybox:1.36
    command: ["sleep", "86400"]
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {memory: 128Mi}
    volumeMounts: [{name: info, mountPath: /etc/info}, {name: all, mountPath: /etc/all}]
  volumes:
  - name: info
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: tier, fieldRef: {fieldPath: "metadata.labels['tier']"}}
      - {path: cpu_request, resourceFieldRef: {containerName: c, resource: requests.cpu, divisor: 1m}}
      - {path: mem_limit, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
  - name: all
    projected:
      defaultMode: 0400
      sources:
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
      - configMap: {name: app}
      - secret: {name: creds, items: [{key: user, path: secret/user}]}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
`)
	h.c.Advance(20 * time.Second)
	for file, want := range map[string]string{
		"/etc/info/labels":      "app=\"web\"\ntier=\"front\"",
		"/etc/info/annotations": `note="a \"quoted\" one"`,
		"/etc/info/name":        "p",
		"/etc/info/tier":        "front",
		"/etc/info/cpu_request": "250",
		"/etc/info/mem_limit":   "128",
		"/etc/all/mode":         "prod",
		"/etc/all/secret/user":  "admin",
		"/etc/all/ns":           "default",
		"/var/run/secrets/kubernetes.io/serviceaccount/namespace": "default",
	} {
		if got := h.cat("p", file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	if out, _ := h.run("p", "c", "ls", "-l", "/etc/all/..data/mode"); !strings.HasPrefix(out, "-r--------") {
		t.Errorf("projected defaultMode: %q", out)
	}
	if tok := h.cat("p", "/etc/all/token"); strings.Count(tok, ".") != 2 {
		t.Errorf("token %q", tok)
	}
	if ca := h.cat("p", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"); !strings.HasPrefix(ca, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("ca.crt %q", ca)
	}
	p := h.pod("p").DeepCopy()
	h.c.Do(func() {
		p.Labels["tier"] = "back"
		if _, err := h.c.Registry.Update(res("pods"), "default", p, ""); err != nil {
			t.Fatal(err)
		}
	})
	h.c.Advance(time.Second)
	if got := h.cat("p", "/etc/info/tier"); got != "back" {
		t.Errorf("a second after the label change: tier = %q", got)
	}
}
