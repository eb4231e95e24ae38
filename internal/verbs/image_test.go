package verbs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"kubesim/sim"
	"kubesim/sim/registry"
)

// TestImageLoad: `image load NAME --from FILE` makes a user's image
// pullable on every node, with the files and shell its entry gives; it is
// still there when the cluster is reopened; a bad entry or a missing file
// is an error.
func TestImageLoad(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	c, err := sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "myapp.yaml")
	os.WriteFile(entry, []byte(`
size: 7000000
config: {cmd: [sh], env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
shell: busybox
files: {/etc/myapp.conf: "greeting=hello\n"}
`), 0o644)
	out, errOut, code := run(t, c, "image", "load", "myapp:1.0", "--from", entry)
	if code != 0 || !strings.HasPrefix(out, `Image: "myapp:1.0" with ID "sha256:`) || !strings.HasSuffix(out, `not yet present on node "w2.example.com", loading...`+"\n") || strings.Count(out, "\n") != 3 {
		t.Fatalf("image load: exit %d\n%s%s", code, out, errOut)
	}
	c.Advance(time.Minute)
	pods, _ := registry.Lookup(schema.GroupResource{Resource: "pods"})
	create := func(c *sim.Cluster, name, image string) {
		var pod corev1.Pod
		yaml.Unmarshal([]byte(`
metadata: {name: `+name+`}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: "`+image+`", command: ["cat", "/etc/myapp.conf"]}
`), &pod)
		c.Do(func() {
			if _, err := c.Registry.Create(pods, "default", &pod, false); err != nil {
				t.Fatal(err)
			}
		})
	}
	create(c, "a", "myapp:1.0")
	create(c, "b", "myapp:2.0")
	c.Advance(time.Minute)
	var logs []byte
	c.Do(func() { logs, err = c.PodLogs("default", "a", "c", false, false, nil) })
	if string(logs) != "greeting=hello\n" || err != nil {
		t.Errorf("pod a's log %q, %v", logs, err)
	}
	c.Do(func() {
		obj, _ := c.Registry.Get(pods, "default", "b")
		if w := obj.(*corev1.Pod).Status.ContainerStatuses[0].State.Waiting; w == nil || !strings.Contains(w.Reason, "ImagePull") {
			t.Errorf("pod b (a tag never loaded): %+v", obj.(*corev1.Pod).Status.ContainerStatuses[0].State)
		}
	})
	c.Close()

	c, err = sim.New(sim.DefaultClusterSpec(), sim.Options{Dir: state, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Advance(time.Minute)
	create(c, "again", "docker.io/library/myapp:1.0")
	c.Advance(time.Minute)
	c.Do(func() { logs, err = c.PodLogs("default", "again", "c", false, false, nil) })
	if string(logs) != "greeting=hello\n" || err != nil {
		t.Errorf("after reopening: log %q, %v", logs, err)
	}

	os.WriteFile(entry, []byte("colour: red\n"), 0o644)
	if _, errOut, code := run(t, c, "image", "load", "x:1", "--from", entry); code != 1 || !strings.Contains(errOut, `unknown field "colour"`) {
		t.Errorf("bad entry: exit %d %q", code, errOut)
	}
	if _, errOut, code := run(t, c, "image", "load", "x:1"); code != 2 || errOut != "usage: kubesim image load NAME --from FILE\n" {
		t.Errorf("no --from: exit %d %q", code, errOut)
	}
}
