package manifests

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestFlannel: the course's URL serves kube-flannel.yml, whose documents
// parse and name what `kubectl apply` creates, in its order.
func TestFlannel(t *testing.T) {
	m, ok := Lookup("https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml")
	if !ok {
		t.Fatal("the course's flannel URL is not in the catalog")
	}
	var got []string
	for _, doc := range strings.Split(m, "\n---\n") {
		var obj struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		got = append(got, obj.Kind+"/"+obj.Metadata.Name)
	}
	want := "Namespace/kube-flannel ClusterRole/flannel ClusterRoleBinding/flannel ServiceAccount/flannel ConfigMap/kube-flannel-cfg DaemonSet/kube-flannel-ds"
	if strings.Join(got, " ") != want {
		t.Errorf("documents %v, want %s", got, want)
	}
	if _, ok := Lookup("https://example.com/kube-flannel.yml"); ok {
		t.Error("an unknown URL is in the catalog")
	}
}
