package transcript_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"kubesim/scenarios/transcript"
)

// exampleEnv stands in for the cluster: it knows two commands.
type exampleEnv struct{}

func (exampleEnv) Run(_ context.Context, line string, stdout, stderr io.Writer) (int, error) {
	switch line {
	case "kubectl get pods -n kube-flannel":
		io.WriteString(stdout, "NAME                    READY   STATUS    RESTARTS   AGE\n"+
			"kube-flannel-ds-8pqh5   1/1     Running   0          2d12h\n")
		return 0, nil
	case "curl http://10.244.2.2":
		io.WriteString(stdout, "<html><body><h1>It works!</h1></body></html>\n")
		return 0, nil
	}
	fmt.Fprintf(stderr, "%s: command not found\n", strings.Fields(line)[0])
	return 127, nil
}
func (exampleEnv) Advance(time.Duration) error      { return nil }
func (exampleEnv) Directive(string, []string) error { return nil }
func (exampleEnv) ScriptEnv() []string              { return nil }

func ExampleReplay() {
	src := `# kubesim: seed 42
# kubesim: advance 2d12h
$ kubectl get pods -n kube-flannel
NAME                    READY   STATUS    RESTARTS   AGE
kube-flannel-ds-{{suffix5}}   1/1     Running   0          2d12h
$ curl http://10.244.2.2
It Works!
`
	tr, err := transcript.Parse("example.txt", strings.NewReader(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The caller builds the cluster with tr.Seed, then replays.
	fmt.Println("seed", tr.Seed)
	err = transcript.Replay(context.Background(), tr, exampleEnv{}, nil)
	// go-cmp varies its spacing on purpose; print the error with it evened out.
	fmt.Println(strings.NewReplacer("\u00a0", " ", "\t", " ").Replace(err.Error()))
	// Output:
	// seed 42
	// example.txt:6: $ curl http://10.244.2.2
	// output differs from the transcript (-want +got):
	//   []string{
	// -  "It Works!",
	// +  "<html><body><h1>It works!</h1></body></html>",
	//   }
}
