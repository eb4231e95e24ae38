package kubectl

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestClientVersion: `kubectl version --client` prints the release of the
// k8s.io/kubectl module in the build and exits 0, not
// "v0.0.0-master+$Format:%H$" with exit 1.
func TestClientVersion(t *testing.T) {
	if !regexp.MustCompile(`^v1\.[0-9]+\.[0-9]+`).MatchString(ClientVersion()) {
		t.Fatalf("ClientVersion() = %q, want v1.X.Y", ClientVersion())
	}
	r := NewRemote("", t.TempDir())
	var out, errb bytes.Buffer
	if code := r.Run([]string{"version", "--client"}, nil, &out, &errb); code != 0 {
		t.Fatalf("kubectl version --client: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if want := "Client Version: " + ClientVersion() + "\n"; !strings.HasPrefix(out.String(), want) {
		t.Errorf("kubectl version --client printed\n%s\nwant it to start with %q", out.String(), want)
	}
	out.Reset()
	if code := r.Run([]string{"version", "--client", "-o", "json"}, nil, &out, &errb); code != 0 {
		t.Fatalf("kubectl version --client -o json: exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{`"gitVersion": "` + ClientVersion() + `"`, `"major": "1"`, `"gitTreeState": "clean"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("kubectl version -o json lacks %s:\n%s", want, out.String())
		}
	}
}

// TestStdinFirstCall: `kubectl apply -f -` as the first kubectl call of a
// remote runner, whose folder does not exist yet, reads stdin (it used to
// fail with "open …/kubectl/stdin-N.yaml: no such file or directory").
func TestStdinFirstCall(t *testing.T) {
	dir := t.TempDir() + "/state/kubectl"
	args, cleanup, err := stdinToFile([]string{"apply", "-f", "-"}, strings.NewReader("kind: Pod\n"), dir)
	if err != nil {
		t.Fatalf("stdinToFile into a folder not yet made: %v", err)
	}
	defer cleanup()
	if b, err := os.ReadFile(args[2]); err != nil || string(b) != "kind: Pod\n" {
		t.Errorf("stdin file %s: %q, %v", args[2], b, err)
	}
}
