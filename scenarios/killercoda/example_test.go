package killercoda_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"kubesim/scenarios/killercoda"
)

// env stands in for the cluster. The real one's ScriptEnv puts kubectl, k
// and curl shims on PATH; this one only passes the test's environment on.
type env struct{}

func (env) Run(_ context.Context, line string, stdout, _ io.Writer) (int, error) {
	fmt.Fprintf(stdout, "ran %q\n", line)
	return 0, nil
}
func (env) Advance(time.Duration) error      { return nil }
func (env) Directive(string, []string) error { return nil }
func (env) ScriptEnv() []string              { return os.Environ() }

func ExampleTest() {
	fsys := fstest.MapFS{
		"index.json": {Data: []byte(`{
  "title": "Files",
  "details": {"steps": [
    {"title": "Make a file", "text": "step1.md", "verify": "verify1.sh"},
    {"title": "Nothing to do", "text": "step2.md", "verify": "verify2.sh"}
  ]},
  "backend": {"imageid": "kubernetes-kubeadm-1node"}
}`)},
		"step1.md":   {Data: []byte("# Make a file\n\n`touch hello`{{exec}}\n")},
		"verify1.sh": {Data: []byte("test -f hello\n")},
		"step2.md":   {Data: []byte("`true`{{exec}}\n")},
		"verify2.sh": {Data: []byte("true\n")},
	}
	sc, err := killercoda.Load(fsys, "files", "files")
	if err != nil {
		fmt.Println(err)
		return
	}
	// The topology is what the cluster must look like.
	fmt.Println(sc.Topology.Nodes[0].Name, sc.Topology.Nodes[0].NoScheduleTaint)
	res, err := killercoda.Test(context.Background(), sc, env{}, os.Stdout, killercoda.TestConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ok:", res.OK())
	// Output:
	// controlplane false
	// PASS step 1/2 Make a file
	// FAIL step 2/2 Nothing to do: verify passes before the step is done
	// 1 passed, 1 failed
	// ok: false
}

func ExamplePlay() {
	fsys := fstest.MapFS{
		"index.json": {Data: []byte(`{"title": "Hello", "details": {"steps": [{"text": "step1.md"}]},
  "backend": {"imageid": "kubernetes-kubeadm-2nodes"}}`)},
		"step1.md": {Data: []byte("# Say hello\n\n`echo hello`{{exec}}\n")},
	}
	sc, err := killercoda.Load(fsys, "hello", "hello")
	if err != nil {
		fmt.Println(err)
		return
	}
	in := strings.NewReader("kubectl get nodes\nexec 1\nnext\n")
	if err := killercoda.Play(context.Background(), sc, env{}, in, os.Stdout, killercoda.PlayConfig{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Hello
	// Cluster: controlplane, node01 (kubernetes-kubeadm-2nodes)
	// Type `help` for the commands.
	//
	// ── Step 1 of 1: Say hello ──
	//
	// Say hello
	// =========
	//
	// `echo hello` [exec 1]
	//
	// [1/1] $ ran "kubectl get nodes"
	// [1/1] $ $ echo hello
	// hello
	// [1/1] $ Scenario complete: 1 of 1 steps done.
}
