// Command kubesim is a Kubernetes cluster in one process: a control plane
// and workers on a virtual clock, served to real kubectl, with the lecture
// and killercoda scenarios built in.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"kubesim/sim"
)

func main() {
	sim.TuneGC()
	os.Exit(run(os.Args[1:]))
}

// exitError carries a command's exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(args []string) int {
	root := &cobra.Command{
		Use:           "kubesim",
		Short:         "A Kubernetes cluster in one process, on a virtual clock",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(startCmd(), serveCmd(), stopCmd(), statusCmd(), deleteCmd(),
		kubectlCmd(), shellCmd(), curlCmd(), vagrantCmd(), nodeCmd(), advanceCmd(), clockCmd(), explainCmd(),
		replayCmd(), scenarioCmd(), runtimeCmd())
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	if e, ok := err.(exitError); ok {
		return e.code
	}
	fmt.Fprintln(os.Stderr, "Error:", err)
	return 1
}
