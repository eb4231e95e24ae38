package tools

import (
	"path/filepath"
	"strings"
	"testing"

	"kubesim/kubesimtest"
)

// TestHelm: helm (built from the module proxy, or $HELM_BINARY) installs
// a local chart (a Deployment with a readiness probe and a Service),
// waits for it to be ready, and `helm test` runs the chart's test pod,
// which fetches the page through the Service's cluster DNS name.
func TestHelm(t *testing.T) {
	helm := tool(t, "HELM_BINARY", "helm.sh/helm/v4/cmd/helm", "v4.3.2")
	c := kubesimtest.Start(t, kubesimtest.Options{})
	home := t.TempDir()
	env := []string{
		"KUBECONFIG=" + c.Kubeconfig,
		"HOME=" + home,
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}
	chart, _ := filepath.Abs("testdata/web")
	out := run(t, env, helm, "install", "web", chart, "--wait", "--timeout", "2m")
	if !strings.Contains(out, "STATUS: deployed") {
		t.Errorf("helm install:\n%s", out)
	}
	out = run(t, env, helm, "test", "web", "--logs")
	if !strings.Contains(out, "Phase:          Succeeded") || !strings.Contains(out, "It works!") {
		t.Errorf("helm test:\n%s", out)
	}
	out = run(t, env, helm, "list")
	if !strings.Contains(out, "web ") || !strings.Contains(out, "deployed") {
		t.Errorf("helm list:\n%s", out)
	}
	run(t, env, helm, "uninstall", "web", "--wait")
}
