package chain

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// recordingCNI answers ADD with one IP and records every call.
type recordingCNI struct{ calls []string }

func (r *recordingCNI) Add(ns, name, uid, id string) (string, error) {
	r.calls = append(r.calls, "ADD "+ns+"/"+name+" "+uid+" "+id)
	return "10.244.2.7", nil
}

func (r *recordingCNI) Del(ns, name, uid, id string) {
	r.calls = append(r.calls, "DEL "+ns+"/"+name+" "+uid+" "+id)
}

// TestCNI: every chain calls the plugin's ADD inside RunPodSandbox with the
// pod and the new sandbox's id, reports the IP in PodSandboxStatus, calls
// DEL once when the sandbox stops (not again when it is stopped twice or
// removed).
func TestCNI(t *testing.T) {
	for _, kind := range Kinds {
		t.Run(string(kind), func(t *testing.T) {
			cni := &recordingCNI{}
			c, err := New(Config{Kind: kind, KubernetesVersion: versionFor(kind), Node: "w2", CNI: cni})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			rs := c.Runtime()
			sb, err := rs.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: sandboxConfig("web")})
			if err != nil {
				t.Fatal(err)
			}
			id := sb.PodSandboxId
			st, err := rs.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: id})
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Status.GetNetwork().GetIp(); got != "10.244.2.7" {
				t.Errorf("PodSandboxStatus network ip = %q, want the plugin's 10.244.2.7", got)
			}
			if _, err := rs.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
				t.Fatal(err)
			}
			if _, err := rs.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id}); err != nil {
				t.Fatal(err)
			}
			if _, err := rs.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id}); err != nil {
				t.Fatal(err)
			}
			want := []string{"ADD default/web uid-web " + id, "DEL default/web uid-web " + id}
			if diff := cmp.Diff(want, cni.calls); diff != "" {
				t.Errorf("plugin calls (-want, +got):\n%s", diff)
			}
		})
	}
}
