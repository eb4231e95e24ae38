package hosts

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The mirror pods a cluster boots with are the manifests on the control
// plane's disk: `kubectl describe pod etcd-…` shows the cert flags and host
// paths the CKA's etcd backup reads from it.
func TestMirrorPodsMatchManifests(t *testing.T) {
	c, hs := newCluster(t)
	for _, component := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"} {
		out, errs, code := run(t, hs, "m", "cat /etc/kubernetes/manifests/"+component+".yaml")
		if code != 0 {
			t.Fatalf("%s: %d %s", component, code, errs)
		}
		var file corev1.Pod
		if err := yaml.Unmarshal([]byte(out), &file); err != nil {
			t.Fatal(err)
		}
		p := podStatus(t, c, "kube-system", component+"-m.example.com")
		if p == nil {
			t.Fatalf("no mirror pod for %s", component)
		}
		got, want := p.Spec.Containers[0], file.Spec.Containers[0]
		if diff := cmp.Diff(want.Command, got.Command); diff != "" {
			t.Errorf("%s command (-manifest +mirror pod):\n%s", component, diff)
		}
		if diff := cmp.Diff(want.VolumeMounts, got.VolumeMounts); diff != "" {
			t.Errorf("%s volume mounts (-manifest +mirror pod):\n%s", component, diff)
		}
		if len(p.Spec.Volumes) != len(file.Spec.Volumes) {
			t.Errorf("%s: %d volumes in the mirror pod, %d in the manifest", component, len(p.Spec.Volumes), len(file.Spec.Volumes))
		}
		for k, v := range file.Annotations {
			if p.Annotations[k] != v {
				t.Errorf("%s: annotation %s = %q, manifest %q", component, k, p.Annotations[k], v)
			}
		}
	}
}

// An edited manifest is a new static pod: its config.hash changes with the
// content, as the kubelet's file source derives it from the pod.
func TestMirrorPodHashFollowsManifest(t *testing.T) {
	c, hs := newCluster(t)
	before := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com").Annotations["kubernetes.io/config.hash"]
	if _, errs, code := run(t, hs, "m", "sed -i 's#--leader-elect=true#--leader-elect=false#' /etc/kubernetes/manifests/kube-scheduler.yaml; sleep 30"); code != 0 {
		t.Fatalf("sed: %d %s", code, errs)
	}
	after := podStatus(t, c, "kube-system", "kube-scheduler-m.example.com").Annotations["kubernetes.io/config.hash"]
	if before == "" || after == "" || before == after {
		t.Errorf("config.hash before %q, after the edit %q: want two different hashes", before, after)
	}
}
