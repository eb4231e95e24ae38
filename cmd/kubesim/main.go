// Command kubesim is a Kubernetes cluster in one process: a control plane
// and workers on a virtual clock, served to real kubectl, with the lecture
// and killercoda scenarios built in.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
	return runTo(args, os.Stdout, os.Stderr)
}

func runTo(args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	if e, ok := err.(exitError); ok {
		return e.code
	}
	fmt.Fprintln(stderr, "Error:", err)
	if strings.HasPrefix(err.Error(), "unknown command ") {
		// What cobra prints after it when it prints errors itself.
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return 1
}

func newRoot() *cobra.Command {
	var showVersion bool
	var output string
	root := &cobra.Command{
		Use:           "kubesim",
		Short:         "A Kubernetes cluster in one process, on a virtual clock",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return printVersion(cmd.OutOrStdout(), output)
			}
			return cmd.Help()
		},
	}
	root.Flags().BoolVar(&showVersion, "version", false, "print the version (as kubesim version does)")
	root.Flags().StringVarP(&output, "output", "o", "", "with --version: one of 'yaml' or 'json'")
	root.AddCommand(startCmd(), serveCmd(), stopCmd(), statusCmd(), deleteCmd(), versionCmd(),
		kubectlCmd(), serviceCmd(), shellCmd(), curlCmd(), vagrantCmd(), nodeCmd(), imageCmd(), advanceCmd(), clockCmd(), explainCmd(),
		replayCmd(), scenarioCmd(), scenarioCtlCmd(), runtimeCmd(), sshCmd(), mapCmd(), dashboardCmd())
	return root
}

// groupRunE is the RunE of a command that only groups subcommands
// (scenario, runtime): with no argument it prints its help; an unknown
// subcommand is an error with cobra's suggestions, as an unknown verb is
// at the root (cobra itself prints a group's help and exits 0).
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default for the root
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n"
		for _, v := range s {
			msg += "\t" + v + "\n"
		}
	}
	return errors.New(msg)
}
