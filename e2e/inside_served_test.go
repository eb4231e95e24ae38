package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServedProbesOOMInit: issue 12's acceptance against kubesim start with
// the system kubectl, in one started cluster: the documentation's
// liveness-exec example is restarted with upstream's events, polinux/stress
// over its memory limit is OOMKilled (137), and an app container reads the
// file its init container wrote. (TestExecFilesystem covers the shared
// emptyDir and the read-only mount, TestConfigMapVolumeUpdate the
// ConfigMap's keys and update.)
func TestServedProbesOOMInit(t *testing.T) {
	s := startServed(t, "v1.27.1")
	for _, y := range []string{livenessExec, memoryDemo2, initWrites} {
		if out, code := s.runStdin(y, "kubectl", "apply", "-f", "-"); code != 0 {
			t.Fatalf("apply: exit %d %s", code, out)
		}
	}
	if err := s.Advance(45 * time.Second); err != nil {
		t.Fatal(err)
	}
	out, _ := s.run("kubectl", "get", "pod", "liveness-exec", "-o", "jsonpath={.status.containerStatuses[0].restartCount}")
	if out == "" || out == "0" {
		t.Errorf("liveness-exec after 45s: restartCount %q, want at least 1", out)
	}
	out, _ = s.run("kubectl", "describe", "pod", "liveness-exec")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Warning  Unhealthy  \S+ \(x\d over \S+\)\s+kubelet\s+(spec.containers{liveness}: )?Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n`),
		regexp.MustCompile(`Normal   Killing    \S+\s+kubelet\s+(spec.containers{liveness}: )?Container liveness failed liveness probe, will be restarted\n`),
	} {
		if !want.MatchString(out) {
			t.Errorf("describe liveness-exec lacks %s:\n%s", want, out)
		}
	}
	out, _ = s.run("kubectl", "get", "pod", "memory-demo-2", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.reason}/{.status.containerStatuses[0].lastState.terminated.exitCode}")
	if out != "OOMKilled/137" {
		t.Errorf("memory-demo-2 last state %q, want OOMKilled/137", out)
	}
	out, _ = s.run("kubectl", "describe", "pod", "memory-demo-2")
	if !strings.Contains(out, "Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n") {
		t.Errorf("describe memory-demo-2 lacks the OOMKilled last state:\n%s", out)
	}
	out, _ = s.run("kubectl", "logs", "init-demo", "-c", "app")
	if out != "configured by init\n" {
		t.Errorf("logs init-demo -c app: %q, want %q", out, "configured by init\n")
	}
	out, _ = s.run("kubectl", "exec", "init-demo", "-c", "app", "--", "cat", "/work/config")
	if out != "configured by init\n" {
		t.Errorf("exec init-demo cat /work/config: %q", out)
	}
}
