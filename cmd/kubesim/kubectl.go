package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"kubesim/internal/kubectl"
	"kubesim/server"
)

func kubectlCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "kubectl [args]",
		Short:              "Run the embedded kubectl against the running cluster",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			kc := os.Getenv("KUBECONFIG")
			if kc == "" {
				kc = server.KubeconfigPath()
			}
			r := kubectl.NewRemote(kc, filepath.Join(stateDir(), "kubectl"))
			if code := r.Run(args, os.Stdin, os.Stdout, os.Stderr); code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
}
