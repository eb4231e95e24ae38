package verbs

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"kubesim/internal/curl"
	"kubesim/sim"
)

// Run runs one verb (see the package doc) against c and returns its exit
// code; "explain" is explain-schedule.
func Run(ctx context.Context, c *sim.Cluster, verb string, args []string, stdout, stderr io.Writer) int {
	switch verb {
	case "curl":
		cfg := curl.DefaultConfig()
		if cp := c.Spec.ControlPlane(); cp != nil {
			cfg.Client.Addr, _ = netip.ParseAddr(cp.IP)
		}
		cu, err := curl.New(cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		return cu.Run(ctx, c.Fabric(), args, stdout, stderr)
	case "node":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: kubesim node halt|start|restart NAME")
			return 2
		}
		var err error
		switch args[0] {
		case "halt":
			err = c.HaltNode(args[1])
		case "start":
			err = c.StartNode(args[1])
		case "restart":
			err = c.RestartNode(args[1])
		default:
			fmt.Fprintf(stderr, "unknown node action %q: want halt, start or restart\n", args[0])
			return 2
		}
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	case "vagrant":
		return Vagrant(c, args, stdout, stderr)
	case "explain":
		return explain(c, args, stdout, stderr)
	case "ssh":
		return SSH(ctx, c, args, nil, stdout, stderr)
	case "image":
		return Image(c, args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown verb %q\n", verb)
	return 2
}

// Vagrant answers `vagrant status|halt|up|reload` for the cluster's machines
// as Vagrant's VirtualBox provider prints them.
func Vagrant(c *sim.Cluster, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "Usage: vagrant [options] <command> [<args>]")
		return 1
	}
	if args[0] == "ssh" {
		// vagrant ssh NAME [-c COMMAND]
		if len(args) < 2 {
			fmt.Fprintln(stderr, "This command requires a specific VM name to target in a multi-VM environment.")
			return 1
		}
		rest := []string{args[1]}
		for i := 2; i < len(args); i++ {
			if (args[i] == "-c" || args[i] == "--command") && i+1 < len(args) {
				rest = append(rest, "--", args[i+1])
				i++
			}
		}
		return SSH(context.Background(), c, rest, nil, stdout, stderr)
	}
	names := c.Nodes()
	pick := names
	if len(args) > 1 {
		pick = args[1:]
		for _, n := range pick {
			if c.Node(n) == nil {
				fmt.Fprintf(stderr, "The machine with the name '%s' was not found configured for\nthis Vagrant environment.\n", n)
				return 1
			}
		}
	}
	switch args[0] {
	case "status":
		// Vagrant lists machines in Vagrantfile definition order; the
		// lecture's Vagrantfile defines the workers first.
		order := append([]string(nil), pick...)
		sort.SliceStable(order, func(i, j int) bool { return isWorker(c, order[i]) && !isWorker(c, order[j]) })
		fmt.Fprintln(stdout, "Current machine states:")
		fmt.Fprintln(stdout)
		for _, n := range order {
			state := "running"
			if !c.Node(n).MachineUp() {
				state = "poweroff"
			}
			fmt.Fprintf(stdout, "%-25s %s\n", n, state+" (virtualbox)")
		}
		fmt.Fprintln(stdout)
		if len(order) > 1 {
			fmt.Fprintln(stdout, "This environment represents multiple VMs. The VMs are all listed\nabove with their current state. For more information about a specific\nVM, run `vagrant status NAME`.")
		} else if len(order) == 1 {
			if c.Node(order[0]).MachineUp() {
				fmt.Fprintln(stdout, "The VM is running. To stop this VM, you can run `vagrant halt` to\nshut it down forcefully, or you can run `vagrant suspend` to simply\nsuspend the virtual machine. In either case, to restart it again,\nsimply run `vagrant up`.")
			} else {
				fmt.Fprintln(stdout, "The VM is powered off. To restart the VM, simply run `vagrant up`")
			}
		}
		return 0
	case "halt":
		for _, n := range pick {
			fmt.Fprintf(stdout, "==> %s: Attempting graceful shutdown of VM...\n", n)
			c.HaltNode(n)
		}
		return 0
	case "up":
		for _, n := range pick {
			if c.Node(n).MachineUp() {
				fmt.Fprintf(stdout, "==> %s: Machine already provisioned. Run `vagrant provision` or use the `--provision`\n==> %s: flag to force provisioning. Provisioners marked to run always will still run.\n", n, n)
				continue
			}
			fmt.Fprintf(stdout, "Bringing machine '%s' up with 'virtualbox' provider...\n==> %s: Booting VM...\n==> %s: Machine booted and ready!\n", n, n, n)
			c.StartNode(n)
		}
		return 0
	case "reload":
		for _, n := range pick {
			fmt.Fprintf(stdout, "==> %s: Attempting graceful shutdown of VM...\n==> %s: Booting VM...\n==> %s: Machine booted and ready!\n", n, n, n)
			c.RestartNode(n)
		}
		return 0
	}
	fmt.Fprintf(stderr, "vagrant: kubesim knows status, halt, up and reload, not %q\n", strings.Join(args, " "))
	return 1
}

func isWorker(c *sim.Cluster, name string) bool {
	for _, n := range c.Spec.Nodes {
		if n.Name == name {
			return n.Role != "control-plane"
		}
	}
	return false
}

// explain: explain-schedule POD [-n NAMESPACE].
func explain(c *sim.Cluster, args []string, stdout, stderr io.Writer) int {
	ns, pod := "default", ""
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "-n" || a == "--namespace") && i+1 < len(args):
			ns = args[i+1]
			i++
		case strings.HasPrefix(a, "--namespace="):
			ns = strings.TrimPrefix(a, "--namespace=")
		case pod == "":
			pod = strings.TrimPrefix(a, "pod/")
		default:
			fmt.Fprintf(stderr, "error: unexpected argument %q\n", a)
			return 1
		}
	}
	if pod == "" {
		fmt.Fprintln(stderr, "error: explain-schedule needs a pod name")
		return 1
	}
	out, err := c.ExplainSchedule(ns, pod)
	if err != nil {
		fmt.Fprintf(stderr, "Error from server (NotFound): pods %q not found\n", pod)
		return 1
	}
	io.WriteString(stdout, out)
	return 0
}
