package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const storageClaim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`

const storagePod = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sleep", "3600"]
    volumeMounts:
    - name: data
      mountPath: /data
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
`

var pvName = regexp.MustCompile(`pvc-[0-9a-f-]{36}`)

// TestSystemKubectlStorage: with the system kubectl (1.27 and 1.33), the
// default StorageClass is kind's local-path one; a claim waits for its
// first consumer (upstream's event), is provisioned and bound when the pod
// using it is scheduled, and a file written to it survives deleting and
// recreating the pod; kubectl get sc/pvc/pv print upstream's columns.
func TestSystemKubectlStorage(t *testing.T) {
	for _, tc := range []struct{ version, pvcHead, pvHead string }{
		{"v1.27.1",
			"NAME   STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE",
			"NAME     CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM          STORAGECLASS   REASON   AGE"},
		{"v1.33.0",
			"NAME   STATUS   VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE",
			"NAME     CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM          STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			s := startServed(t, tc.version)
			if out, code := s.run(s.bin, "clock", "freeze"); code != 0 {
				t.Fatalf("kubesim clock freeze: %s", out)
			}
			kubectl := func(args ...string) string {
				t.Helper()
				out, code := s.run("kubectl", args...)
				if code != 0 {
					t.Fatalf("kubectl %v: exit %d\n%s", args, code, out)
				}
				return out
			}
			out := kubectl("get", "sc")
			if !strings.HasPrefix(out, "NAME                 PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n"+
				"standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer   false                  ") {
				t.Errorf("kubectl get sc:\n%s", out)
			}
			if out, code := s.runStdin(storageClaim, "kubectl", "apply", "-f", "-"); code != 0 || out != "persistentvolumeclaim/data created\n" {
				t.Fatalf("apply claim: %d %s", code, out)
			}
			if err := s.Advance(20 * time.Second); err != nil {
				t.Fatal(err)
			}
			out = kubectl("get", "pvc", "data", "-o", "jsonpath={.status.phase} {.spec.storageClassName}")
			if out != "Pending standard" {
				t.Errorf("claim before its consumer: %q", out)
			}
			out = kubectl("describe", "pvc", "data")
			if !strings.Contains(out, "WaitForFirstConsumer  ") || !strings.Contains(out, "persistentvolume-controller  waiting for first consumer to be created before binding") {
				t.Errorf("describe pvc lacks the WaitForFirstConsumer event:\n%s", out)
			}
			if out, code := s.runStdin(storagePod, "kubectl", "apply", "-f", "-"); code != 0 {
				t.Fatalf("apply pod: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			pv := pvName.FindString(kubectl("get", "pvc", "data", "-o", "jsonpath={.spec.volumeName}"))
			if pv == "" {
				t.Fatalf("claim not bound after its pod was scheduled:\n%s", kubectl("describe", "pvc", "data"))
			}
			pvcOut := kubectl("get", "pvc")
			if diff := cmp.Diff(strings.Fields(tc.pvcHead), strings.Fields(strings.SplitN(pvcOut, "\n", 2)[0])); diff != "" {
				t.Errorf("kubectl get pvc header (-want +got):\n%s", diff)
			}
			if !strings.Contains(pvcOut, "\ndata   Bound    "+pv+"   1Gi        RWO            standard       ") {
				t.Errorf("kubectl get pvc:\n%s", pvcOut)
			}
			pvOut := kubectl("get", "pv")
			wantPV := strings.Fields(tc.pvHead)
			if diff := cmp.Diff(wantPV, strings.Fields(strings.SplitN(pvOut, "\n", 2)[0])); diff != "" {
				t.Errorf("kubectl get pv header (-want +got):\n%s", diff)
			}
			if !strings.Contains(pvOut, pv+"   1Gi        RWO            Delete           Bound    default/data   standard") {
				t.Errorf("kubectl get pv:\n%s", pvOut)
			}
			if out, code := s.run("kubectl", "exec", "app", "--", "sh", "-c", "echo kept > /data/note"); code != 0 {
				t.Fatalf("exec: %s", out)
			}
			kubectl("delete", "pod", "app", "--grace-period=0", "--force")
			if out, code := s.runStdin(storagePod, "kubectl", "apply", "-f", "-"); code != 0 {
				t.Fatalf("apply pod again: %s", out)
			}
			if err := s.Advance(time.Minute); err != nil {
				t.Fatal(err)
			}
			if out, code := s.run("kubectl", "exec", "app", "--", "cat", "/data/note"); code != 0 || out != "kept\n" {
				t.Errorf("the file after the pod was recreated: exit %d %q", code, out)
			}
		})
	}
}
