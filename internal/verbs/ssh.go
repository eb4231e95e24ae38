package verbs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"kubesim/hosts"
	"kubesim/internal/kubectl"
	"kubesim/sim"
	"kubesim/sim/apiserver"
)

// SSH runs `ssh [--session] NODE [--] [CMD…]` on a node's host: CMD (or,
// with none, the script read from stdin) runs as root in the host's shell.
// NODE is a node name, its short name (w1) or its IP. --session keeps the
// working directory between calls (an interactive client's lines);
// `ssh --prompt NODE` prints the prompt for its next line.
func SSH(ctx context.Context, c *sim.Cluster, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	session := false
	switch {
	case len(args) == 2 && args[0] == "--prompt":
		// The interactive client's prompt for its next line.
		io.WriteString(stdout, hosts.For(c).Prompt(args[1]))
		return 0
	case len(args) > 0 && args[0] == "--session":
		session, args = true, args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: kubesim ssh NODE [-- COMMAND...]")
		return 255
	}
	node, rest := args[0], args[1:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	script := strings.Join(rest, " ")
	if len(rest) == 0 && stdin != nil {
		b, _ := io.ReadAll(stdin)
		script = string(b)
	}
	code, err := hosts.For(c).Run(ctx, node, script, hosts.RunOptions{Stdout: stdout, Stderr: stderr, Kubectl: HostKubectl(c), Session: session})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 255
	}
	return code
}

type kubectlKey struct{}

// HostKubectl is the kubectl the hosts' shells run: the in-process kubectl
// against c, its files in the cluster's state directory.
func HostKubectl(c *sim.Cluster) hosts.KubectlFunc {
	r, _ := c.Extension(kubectlKey{}, func() any {
		api, err := apiserver.ForCluster(c)
		if err != nil {
			return err
		}
		k, err := kubectl.New(api, filepath.Join(c.StateDir(), "hosts", "kubectl"))
		if err != nil {
			return err
		}
		return k
	}).(*kubectl.Runner)
	if r == nil {
		return nil
	}
	return func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return r.Run(args, stdin, stdout, stderr)
	}
}
