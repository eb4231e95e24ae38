package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// sshCmd: kubesim ssh NODE [-- COMMAND...] opens a root shell on a node's
// host (the simulated machine, never this one). With a command it runs it;
// with a script on stdin it runs the script; on a terminal it reads lines
// and runs each in the host's shell, keeping the working directory.
func sshCmd() *cobra.Command {
	return &cobra.Command{
		Use:                "ssh NODE [-- COMMAND...]",
		Short:              "A root shell on a node's host: systemctl, journalctl, crictl, the kubeadm files",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if wantsHelp(args) || len(args) == 0 {
				return cmd.Help()
			}
			out, errw := cmd.OutOrStdout(), cmd.ErrOrStderr()
			send := func(args []string) (int, error) {
				resp, err := control("ssh", args)
				if err != nil {
					return 0, err
				}
				fmt.Fprint(out, resp.Stdout)
				fmt.Fprint(errw, resp.Stderr)
				return resp.Code, nil
			}
			code := 0
			var err error
			switch {
			case len(args) > 1:
				code, err = send(args)
			case !isTerminal(os.Stdin):
				b, rerr := io.ReadAll(os.Stdin)
				if rerr != nil {
					return rerr
				}
				code, err = send([]string{args[0], "--", string(b)})
			default:
				code, err = sshSession(args[0], send, out)
			}
			if err != nil {
				return err
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
}

// sshSession reads lines from the terminal and runs each on the host until
// exit or end of input.
func sshSession(node string, send func([]string) (int, error), out io.Writer) (int, error) {
	in := bufio.NewScanner(os.Stdin)
	code := 0
	for {
		resp, err := control("ssh", []string{"--prompt", node})
		if err != nil {
			return 0, err
		}
		fmt.Fprint(out, resp.Stdout)
		if !in.Scan() {
			fmt.Fprintln(out, "logout")
			return code, nil
		}
		line := strings.TrimSpace(in.Text())
		if line == "exit" || line == "logout" {
			fmt.Fprintln(out, "logout")
			return code, nil
		}
		if line == "" {
			continue
		}
		if code, err = send([]string{"--session", node, "--", line}); err != nil {
			return 0, err
		}
	}
}

// isTerminal reports whether f is a terminal (a character device is not
// enough: /dev/null is one, and `kubesim shell </dev/null` has no one to
// ask).
func isTerminal(f *os.File) bool {
	return term.IsTerminal(int(f.Fd()))
}
