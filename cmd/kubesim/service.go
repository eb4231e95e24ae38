package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"kubesim/internal/kubectl"
	"kubesim/server"
)

// serviceCmd is minikube's `service NAME --url` on the Docker driver: the
// nodes' addresses are not reachable from the host, so a tunnel on the
// host's loopback (kubectl port-forward to the Service, in process) stands
// for each NodePort, its URL is printed, and the tunnel lasts as long as
// the command runs. Connections go to one pod of the Service, as
// port-forward's do, not through kube-proxy's balancing.
func serviceCmd() *cobra.Command {
	var url bool
	var ns string
	cmd := &cobra.Command{
		Use:   "service NAME --url",
		Short: "Open a tunnel on the host to a NodePort Service and print its URL (like minikube service --url)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !url {
				return fmt.Errorf("only --url is supported: kubesim opens no browser")
			}
			kc := os.Getenv("KUBECONFIG")
			if kc == "" {
				kc = server.KubeconfigPath()
			}
			r := kubectl.NewRemote(kc, filepath.Join(stateDir(), "kubectl"))
			var out, errOut bytes.Buffer
			get := []string{"get", "service", args[0], "-n", ns, "-o", "jsonpath={.spec.type} {.spec.ports[*].port}"}
			if code := r.Run(get, nil, &out, &errOut); code != 0 {
				io.Copy(cmd.ErrOrStderr(), &errOut)
				return exitError{code}
			}
			fields := strings.Fields(out.String())
			if len(fields) < 2 || fields[0] != "NodePort" && fields[0] != "LoadBalancer" {
				fmt.Fprintf(cmd.ErrOrStderr(), "Exiting due to SVC_UNREACHABLE: service not available: no node port\n")
				return exitError{1}
			}
			pfArgs := []string{"port-forward", "-n", ns, "service/" + args[0]}
			for _, p := range fields[1:] {
				pfArgs = append(pfArgs, ":"+p)
			}
			pr, pw := io.Pipe()
			done := make(chan int, 1)
			go func() {
				done <- r.Run(pfArgs, nil, pw, pw)
				pw.Close()
			}()
			fmt.Fprintln(cmd.ErrOrStderr(), "! The tunnel is open while this command runs: keep the terminal open (Ctrl-C closes it).")
			forwarding := regexp.MustCompile(`^Forwarding from 127\.0\.0\.1:(\d+) -> `)
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				if m := forwarding.FindStringSubmatch(sc.Text()); m != nil {
					fmt.Fprintf(cmd.OutOrStdout(), "http://127.0.0.1:%s\n", m[1])
				} else if !strings.HasPrefix(sc.Text(), "Forwarding from [::1]") && !strings.HasPrefix(sc.Text(), "Handling connection") {
					fmt.Fprintln(cmd.ErrOrStderr(), sc.Text())
				}
			}
			if code := <-done; code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&url, "url", false, "print the URL instead of opening a browser")
	cmd.Flags().StringVarP(&ns, "namespace", "n", "default", "the Service's namespace")
	return cmd
}
