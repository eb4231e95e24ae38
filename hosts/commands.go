package hosts

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strings"

	"kubesim/internal/curl"
	"kubesim/internal/manifests"
	"kubesim/runtime/shell"
)

// hostCommandNames are the node's programs beyond the shell's applets.
func hostCommandNames() []string {
	return append([]string{"systemctl", "journalctl", "crictl", "ip", "kubectl", "curl", "kubeadm", "kubelet", "ssh", "etcdctl", "etcdutl", "containerd", "ctr", "nerdctl", "openssl"}, packageCommandNames()...)
}

// commands are the host's programs for a shell run with o.
func (h *Host) commands(o RunOptions) map[string]shell.Command {
	locked := func(fn func(c *shell.Cmd) int) shell.Command {
		return func(c *shell.Cmd) int {
			var code int
			h.hs.c.Do(func() {
				h.catchUp()
				h.syncPodLogs()
				code = fn(c)
			})
			return code
		}
	}
	cmds := map[string]shell.Command{
		"systemctl":  locked(h.systemctl),
		"journalctl": func(c *shell.Cmd) int { h.hs.c.Do(h.catchUp); return h.journalctl(c) },
		"crictl":     h.crictl,
		"ip":         locked(h.ip),
		"ps":         locked(h.ps),
		"kubectl":    func(c *shell.Cmd) int { return h.kubectl(c, o) },
		"ssh":        func(c *shell.Cmd) int { return h.ssh(c, o) },
		"curl":       h.curl,
		"etcdctl":    h.etcdctl,
		"etcdutl":    h.etcdutl,
		"kubeadm":    h.kubeadm,
		"kubelet":    h.kubeletCmd,
		"openssl":    locked(h.openssl),
		"ctr":        h.ctr,
		"nerdctl":    h.nerdctl,
	}
	for name, cmd := range h.packageCommands() {
		cmds[name] = cmd
	}
	return cmds
}

// systemctl: status, start, stop, restart, enable, disable, is-active,
// is-enabled, daemon-reload.
func (h *Host) systemctl(c *shell.Cmd) int {
	var verb string
	var names []string
	for _, a := range c.Args[1:] {
		switch {
		case strings.HasPrefix(a, "-"):
			// --no-pager, -l, --now, --full: accepted
		case verb == "":
			verb = a
		default:
			names = append(names, a)
		}
	}
	if verb == "" {
		verb = "list-units"
	}
	units := make([]*unit, 0, len(names))
	for _, n := range names {
		u := h.unitNamed(n)
		if u == nil {
			full := n
			if !strings.Contains(n, ".") {
				full += ".service"
			}
			switch verb {
			case "status":
				fmt.Fprintf(c.Stderr, "Unit %s could not be found.\n", full)
				return 4
			case "is-active":
				fmt.Fprintln(c.Stdout, "inactive")
				return 3
			case "is-enabled":
				fmt.Fprintf(c.Stderr, "Failed to get unit file state for %s: No such file or directory\n", full)
				return 1
			default:
				fmt.Fprintf(c.Stderr, "Failed to %s %s: Unit %s not found.\n", verb, full, full)
				return 5
			}
		}
		units = append(units, u)
	}
	needUnit := func() bool {
		if len(units) == 0 {
			fmt.Fprintln(c.Stderr, "Too few arguments.")
			return false
		}
		return true
	}
	switch verb {
	case "status":
		if len(units) == 0 {
			fmt.Fprintf(c.Stdout, "● %s\n    State: running\n     Jobs: 0 queued\n   Failed: 0 units\n", h.Name)
			return 0
		}
		code := 0
		for i, u := range units {
			if i > 0 {
				fmt.Fprintln(c.Stdout)
			}
			io.WriteString(c.Stdout, h.status(u))
			if !u.active {
				code = 3
			}
		}
		return code
	case "start":
		if !needUnit() {
			return 1
		}
		for _, u := range units {
			h.startUnit(u)
		}
	case "stop":
		if !needUnit() {
			return 1
		}
		for _, u := range units {
			h.stopUnit(u)
		}
	case "restart", "reload-or-restart", "try-restart":
		if !needUnit() {
			return 1
		}
		for _, u := range units {
			if u.active || u.failing || verb == "restart" {
				h.stopUnit(u)
				h.startUnit(u)
			}
		}
	case "enable", "disable":
		if !needUnit() {
			return 1
		}
		for _, u := range units {
			want := verb == "enable"
			if u.enabled != want {
				link := "/etc/systemd/system/multi-user.target.wants/" + u.name
				if want {
					fmt.Fprintf(c.Stderr, "Created symlink %s → %s.\n", link, u.fragment)
				} else {
					fmt.Fprintf(c.Stderr, "Removed %s.\n", link)
				}
				u.enabled = want
			}
			if strings.Contains(strings.Join(c.Args, " "), "--now") {
				if want {
					h.startUnit(u)
				} else {
					h.stopUnit(u)
				}
			}
		}
	case "is-active":
		if !needUnit() {
			return 1
		}
		code := 0
		for _, u := range units {
			switch {
			case u.active:
				fmt.Fprintln(c.Stdout, "active")
			case u.failing:
				fmt.Fprintln(c.Stdout, "activating")
				code = 3
			default:
				fmt.Fprintln(c.Stdout, "inactive")
				code = 3
			}
		}
		return code
	case "is-enabled":
		if !needUnit() {
			return 1
		}
		code := 0
		for _, u := range units {
			if u.enabled {
				fmt.Fprintln(c.Stdout, "enabled")
			} else {
				fmt.Fprintln(c.Stdout, "disabled")
				code = 1
			}
		}
		return code
	case "daemon-reload":
	case "list-units":
		fmt.Fprintf(c.Stdout, "  %-24s %-6s %-6s %-7s %s\n", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION")
		for _, n := range sortedKeys(h.units) {
			u := h.units[n]
			if !u.active {
				continue
			}
			fmt.Fprintf(c.Stdout, "  %-24s %-6s %-6s %-7s %s\n", u.name, "loaded", "active", "running", u.description)
		}
	default:
		fmt.Fprintf(c.Stderr, "Unknown command verb %s.\n", verb)
		return 1
	}
	return 0
}

// ip: addr (a) and route (r), with the node's flannel interfaces.
func (h *Host) ip(c *shell.Cmd) int {
	args := c.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	obj := "help"
	if len(args) > 0 {
		obj = args[0]
	}
	sub := h.podCIDR()
	gw, flannelAddr := "", ""
	if sub != "" {
		base := strings.TrimSuffix(sub, "/24")
		base = base[:strings.LastIndex(base, ".")]
		gw, flannelAddr = base+".1", base+".0"
	}
	mac := func(i int) string {
		s := h.seed(fmt.Sprint("mac", i))
		sum := 0
		for _, ch := range s {
			sum = sum*31 + int(ch)
		}
		return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", 0x02|(sum&0xfc), (sum>>8)&0xff, (sum>>16)&0xff, (sum>>24)&0xff, (sum>>3)&0xff, (sum>>11)&0xff)
	}
	switch {
	case strings.HasPrefix("address", obj) || obj == "a" || obj == "addr":
		w := c.Stdout
		fmt.Fprintln(w, "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000")
		fmt.Fprintln(w, "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00")
		fmt.Fprintln(w, "    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever")
		fmt.Fprintf(w, "2: enp0s3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac(2))
		fmt.Fprintln(w, "    inet 10.0.2.15/24 metric 100 brd 10.0.2.255 scope global dynamic enp0s3\n       valid_lft 85913sec preferred_lft 85913sec")
		fmt.Fprintf(w, "3: enp0s8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac(3))
		fmt.Fprintf(w, "    inet %s/24 brd %s.255 scope global enp0s8\n       valid_lft forever preferred_lft forever\n", h.IP, h.IP[:strings.LastIndex(h.IP, ".")])
		if sub != "" {
			fmt.Fprintf(w, "4: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN group default \n    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac(4))
			fmt.Fprintf(w, "    inet %s/32 scope global flannel.1\n       valid_lft forever preferred_lft forever\n", flannelAddr)
			fmt.Fprintf(w, "5: cni0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default qlen 1000\n    link/ether %s brd ff:ff:ff:ff:ff:ff\n", mac(5))
			fmt.Fprintf(w, "    inet %s/24 brd %s.255 scope global cni0\n       valid_lft forever preferred_lft forever\n", gw, gw[:strings.LastIndex(gw, ".")])
		}
	case strings.HasPrefix("route", obj) || obj == "r":
		w := c.Stdout
		fmt.Fprintln(w, "default via 10.0.2.2 dev enp0s3 proto dhcp src 10.0.2.15 metric 100 ")
		fmt.Fprintln(w, "10.0.2.0/24 dev enp0s3 proto kernel scope link src 10.0.2.15 metric 100 ")
		fmt.Fprintln(w, "10.0.2.2 dev enp0s3 proto dhcp scope link src 10.0.2.15 metric 100 ")
		var routes []string
		for _, name := range h.hs.order {
			o := h.hs.hosts[name]
			osub := o.podCIDR()
			if osub == "" {
				continue
			}
			if o == h {
				routes = append(routes, fmt.Sprintf("%s dev cni0 proto kernel scope link src %s ", osub, gw))
			} else {
				b := strings.TrimSuffix(osub, "/24")
				routes = append(routes, fmt.Sprintf("%s via %s dev flannel.1 onlink ", osub, b))
			}
		}
		sort.Strings(routes)
		for _, r := range routes {
			fmt.Fprintln(w, r)
		}
		fmt.Fprintf(w, "%s.0/24 dev enp0s8 proto kernel scope link src %s \n", h.IP[:strings.LastIndex(h.IP, ".")], h.IP)
	default:
		fmt.Fprintln(c.Stderr, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }")
		return 255
	}
	return 0
}

// ps: procps' default, -ef and aux forms, over the host's units and
// the containers its kubelet runs.
func (h *Host) ps(c *shell.Cmd) int {
	form := "default"
	for _, a := range c.Args[1:] {
		switch a {
		case "-ef", "-e", "-A", "-eF", "-elf":
			form = "ef"
		case "aux", "-aux", "auxww", "-auxww", "axu", "faux":
			form = "aux"
		}
	}
	boot := h.hs.c.Spec.Start.UTC().Format("15:04")
	procs := []proc{{1, boot, "/sbin/init"}}
	for _, n := range sortedKeys(h.units) {
		u := h.units[n]
		if u.active {
			procs = append(procs, proc{u.pid, u.since.UTC().Format("15:04"), u.cmdline})
		}
	}
	procs = append(procs, h.containerProcs()...)
	sort.Slice(procs, func(i, j int) bool { return procs[i].pid < procs[j].pid })
	switch form {
	case "ef":
		fmt.Fprintln(c.Stdout, "UID          PID    PPID  C STIME TTY          TIME CMD")
		for _, p := range procs {
			fmt.Fprintf(c.Stdout, "root     %7d %7d  0 %s ?        00:00:01 %s\n", p.pid, 1, p.start, p.cmd)
		}
	case "aux":
		fmt.Fprintln(c.Stdout, "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND")
		for _, p := range procs {
			fmt.Fprintf(c.Stdout, "root     %7d  0.1  1.2 1281044 48740 ?      Ssl  %s   0:01 %s\n", p.pid, p.start, p.cmd)
		}
	default:
		fmt.Fprintln(c.Stdout, "    PID TTY          TIME CMD")
		fmt.Fprintf(c.Stdout, "%7d pts/0    00:00:00 bash\n", 2000+h.index)
		fmt.Fprintf(c.Stdout, "%7d pts/0    00:00:00 ps\n", 2001+h.index)
	}
	return 0
}

// curl from the host's address, through the cluster's network.
func (h *Host) curl(c *shell.Cmd) int {
	cfg := curl.DefaultConfig()
	cfg.Client.Addr, _ = netip.ParseAddr(h.IP)
	cu, err := curl.New(cfg)
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 2
	}
	return cu.Run(c.Ctx, h.hs.c.Fabric(), c.Args[1:], c.Stdout, c.Stderr)
}

// ssh NAME [CMD]: another host of the cluster, as root.
func (h *Host) ssh(c *shell.Cmd, o RunOptions) int {
	args := c.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if (args[0] == "-i" || args[0] == "-p" || args[0] == "-o" || args[0] == "-l") && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr, "usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] destination [command [argument ...]]")
		return 255
	}
	dest := args[0]
	if _, host, ok := strings.Cut(dest, "@"); ok {
		dest = host
	}
	to, ok := h.hs.Lookup(dest)
	if !ok {
		fmt.Fprintf(c.Stderr, "ssh: Could not resolve hostname %s: Name or service not known\n", dest)
		return 255
	}
	up := true
	h.hs.c.Locked(func() { up = h.hs.c.Node(to.Name).MachineUp() })
	if !up {
		fmt.Fprintf(c.Stderr, "ssh: connect to host %s port 22: No route to host\n", dest)
		return 255
	}
	if len(args) == 1 {
		fmt.Fprintln(c.Stderr, "Pseudo-terminal will not be allocated because stdin is not a terminal.")
		o.Stdout, o.Stderr = c.Stdout, c.Stderr
		script, _ := io.ReadAll(c.Stdin)
		return to.run(c.Ctx, string(script), o, c.Now())
	}
	o.Stdout, o.Stderr = c.Stdout, c.Stderr
	return to.run(c.Ctx, strings.Join(args[1:], " "), o, c.Now())
}

// kubectl runs the cluster's kubectl when the host has a kubeconfig for it
// ($KUBECONFIG or /root/.kube/config), as kubectl on a node does.
func (h *Host) kubectl(c *shell.Cmd, o RunOptions) int {
	kc := c.Getenv("KUBECONFIG")
	if kc == "" {
		kc = "/root/.kube/config"
	}
	for _, a := range c.Args[1:] {
		if v, ok := strings.CutPrefix(a, "--kubeconfig="); ok {
			kc = v
		}
	}
	if _, err := h.fs.Stat(c.Abs(kc)); err != nil || o.Kubectl == nil {
		line := fmt.Sprintf("E%s    %d memcache.go:265] couldn't get current server API group list: Get \"http://localhost:8080/api?timeout=32s\": dial tcp 127.0.0.1:8080: connect: connection refused\n", klogTime(c.Now()), 2001+h.index)
		io.WriteString(c.Stderr, strings.Repeat(line, 5))
		fmt.Fprintln(c.Stderr, "The connection to the server localhost:8080 was refused - did you specify the right host or port?")
		return 1
	}
	if h.apiRefused(c, kc) { // controlplane.go
		return 1
	}
	var args []string
	stdin := c.Stdin
	verb := ""
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if a == "--" {
			// What follows is the command exec or debug runs: its
			// flags are not kubectl's.
			args = append(args, c.Args[i:]...)
			break
		}
		if verb == "" && !strings.HasPrefix(a, "-") {
			verb = a
		}
		switch {
		case verb == "logs":
			// -f is --follow there, not a file.
			args = append(args, a)
			continue
		case strings.HasPrefix(a, "--kubeconfig="):
			continue
		case a == "--kubeconfig" && i+1 < len(c.Args):
			i++
			continue
		}
		// kubectl reads -f files from the host it runs on.
		file, isF := "", false
		switch {
		case (a == "-f" || a == "--filename") && i+1 < len(c.Args):
			file, isF = c.Args[i+1], true
			i++
		case strings.HasPrefix(a, "--filename="):
			file, isF = strings.TrimPrefix(a, "--filename="), true
		case strings.HasPrefix(a, "-f") && len(a) > 2 && !strings.HasPrefix(a, "--"):
			file, isF = a[2:], true
		}
		if !isF {
			args = append(args, a)
			continue
		}
		if file == "-" {
			// Read the pipe before kubectl runs: in-process kubectl runs
			// one at a time, so `kubectl … -o yaml | kubectl apply -f -`
			// would wait on the writer while the writer waits its turn.
			data, err := io.ReadAll(c.Stdin)
			if err != nil {
				fmt.Fprintf(c.Stderr, "error: %v\n", err)
				return 1
			}
			args = append(args, "-f", "-")
			stdin = bytes.NewReader(data)
			continue
		}
		if strings.Contains(file, "://") {
			if m, ok := manifests.Lookup(file); ok {
				// A manifest of the catalog: no network needed.
				args = append(args, "-f", "-")
				stdin = strings.NewReader(m)
				continue
			}
			args = append(args, "-f", file)
			continue
		}
		data, err := h.readManifests(c.Abs(file))
		if err != nil {
			fmt.Fprintf(c.Stderr, "error: the path \"%s\" does not exist\n", file)
			return 1
		}
		args = append(args, "-f", "-")
		stdin = strings.NewReader(data)
	}
	if verb == "drain" {
		return h.kubectlWaiting(c, func() int { return o.Kubectl(args, stdin, c.Stdout, c.Stderr) })
	}
	return o.Kubectl(args, stdin, c.Stdout, c.Stderr)
}

// readManifests reads a file, or a directory's .yaml, .yml and .json
// files in name order, as kubectl -f does.
func (h *Host) readManifests(p string) (string, error) {
	st, err := h.fs.Stat(p)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		b, err := h.fs.ReadFile(p)
		return string(b), err
	}
	ents, err := h.fs.ReadDir(p)
	if err != nil {
		return "", err
	}
	var docs []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !(strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json")) {
			continue
		}
		b, err := h.fs.ReadFile(p + "/" + n)
		if err != nil {
			return "", err
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "\n---\n"), nil
}
