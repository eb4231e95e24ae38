package hosts

import (
	"fmt"
	"strings"
	"time"
)

// unit is one systemd service of the host.
type unit struct {
	name, description, docs string
	fragment                string   // its unit file
	dropIns                 []string // drop-in directory, then its files
	execStart               string   // the ExecStart line as written
	cmdline                 string   // the main process's command line
	ident                   string   // the journal identifier (kubelet, containerd)
	active, enabled         bool
	since                   time.Time
	pid                     int
	cpu                     time.Duration // CPU time of the last run, at since
	cpuRate                 float64       // CPU seconds per second while active
	mem                     string
	tasks                   int
	// failing: the process exits at start and systemd restarts it every
	// RestartSec (lastTry: the last attempt; restarts: the counter).
	failing  bool
	lastTry  time.Time
	restarts int
}

// bootUnits sets up the units as they stand after kubeadm: everything
// enabled and running since the node joined.
func (h *Host) bootUnits() {
	c := h.cluster()
	v := c.Spec.KubernetesVersion
	docs := "https://kubernetes.io/docs/"
	if minorOf(v) < 28 {
		docs = "https://kubernetes.io/docs/home/" // apt.kubernetes.io's package
	}
	// The services started when the node joined.
	start := h.now()
	if n := h.node(); n != nil {
		start = n.CreationTimestamp.Time
	}
	h.units = map[string]*unit{}
	kubeletArgs := "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=" + h.criEndpoint() + " --pod-infra-container-image=registry.k8s.io/pause:3.9"
	add := func(u *unit) {
		u.active, u.enabled, u.since = true, true, start
		u.pid = h.newPID()
		h.units[u.name] = u
	}
	switch h.runtime {
	case "cri-dockerd":
		add(&unit{name: "containerd.service", description: "containerd container runtime", docs: "https://containerd.io", fragment: "/lib/systemd/system/containerd.service", execStart: "/usr/bin/containerd", cmdline: "/usr/bin/containerd", ident: "containerd", cpuRate: 0.004, mem: "38.2M", tasks: 9})
		add(&unit{name: "docker.service", description: "Docker Application Container Engine", docs: "https://docs.docker.com", fragment: "/lib/systemd/system/docker.service", execStart: "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", cmdline: "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", ident: "dockerd", cpuRate: 0.006, mem: "72.4M", tasks: 12})
		add(&unit{name: "cri-docker.service", description: "CRI Interface for Docker Application Container Engine", docs: "https://docs.mirantis.com", fragment: "/etc/systemd/system/cri-docker.service", execStart: "/usr/bin/cri-dockerd --container-runtime-endpoint fd://", cmdline: "/usr/bin/cri-dockerd --container-runtime-endpoint fd://", ident: "cri-dockerd", cpuRate: 0.003, mem: "21.3M", tasks: 11})
	case "cri-o":
		add(&unit{name: "crio.service", description: "Container Runtime Interface for OCI (CRI-O)", docs: "https://github.com/cri-o/cri-o", fragment: "/lib/systemd/system/crio.service", execStart: "/usr/bin/crio $CRIO_CONFIG_OPTIONS $CRIO_RUNTIME_OPTIONS $CRIO_STORAGE_OPTIONS $CRIO_NETWORK_OPTIONS $CRIO_METRICS_OPTIONS", cmdline: "/usr/bin/crio", ident: "crio", cpuRate: 0.005, mem: "41.0M", tasks: 10})
	default:
		add(&unit{name: "containerd.service", description: "containerd container runtime", docs: "https://containerd.io", fragment: "/lib/systemd/system/containerd.service", execStart: "/usr/bin/containerd", cmdline: "/usr/bin/containerd", ident: "containerd", cpuRate: 0.005, mem: "61.7M", tasks: 11})
	}
	add(&unit{name: "kubelet.service", description: "kubelet: The Kubernetes Node Agent", docs: docs, fragment: "/lib/systemd/system/kubelet.service",
		dropIns:   []string{"/usr/lib/systemd/system/kubelet.service.d", "10-kubeadm.conf"},
		execStart: "/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS",
		cmdline:   "/usr/bin/kubelet " + kubeletArgs, ident: "kubelet", cpuRate: 0.012, mem: "48.9M", tasks: 13})
	h.write("/lib/systemd/system/kubelet.service", kubeletUnitFile(docs), 0o644)
	h.write("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", kubeadmDropIn, 0o644)
	for _, name := range sortedKeys(h.units) {
		u := h.units[name]
		h.journalf(start, "systemd", 1, u.name, "Started %s.", u.description)
		if u.ident == "kubelet" {
			h.journalf(start, u.ident, u.pid, u.name, "I%s   %d server.go:415] \"Kubelet version\" kubeletVersion=\"%s\"", klogTime(start), u.pid, v)
		}
	}
}

// unitNamed finds a unit by its name, with or without ".service".
func (h *Host) unitNamed(name string) *unit {
	if !strings.Contains(name, ".") {
		name += ".service"
	}
	return h.units[name]
}

// startUnit and stopUnit change a unit's state, as systemd does, and carry
// it to the cluster (the kubelet service).
func (h *Host) startUnit(u *unit) {
	if u.active || u.failing {
		return
	}
	now := h.now()
	h.journalf(now, "systemd", 1, u.name, "Started %s.", u.description)
	if u.ident == "kubelet" {
		u.restarts = 0
		h.kubeletExec(u, now)
		return
	}
	u.active, u.since, u.pid = true, now, h.newPID()
	h.runtimeUnitChanged(u) // runtime_unit.go
}

func (h *Host) stopUnit(u *unit) {
	now := h.now()
	if u.failing {
		u.failing, u.since = false, now
		h.journalf(now, "systemd", 1, u.name, "Stopped %s.", u.description)
		return
	}
	if !u.active {
		return
	}
	u.cpu = u.cpuTime(now)
	u.active, u.since = false, now
	h.journalf(now, "systemd", 1, u.name, "Stopping %s...", u.description)
	h.journalf(now, "systemd", 1, u.name, "%s: Deactivated successfully.", u.name)
	h.journalf(now, "systemd", 1, u.name, "Stopped %s.", u.description)
	h.journalf(now, "systemd", 1, u.name, "%s: Consumed %s CPU time.", u.name, timespan(u.cpu))
	if u.ident == "kubelet" {
		h.cluster().StopKubelet(h.Name)
	}
	h.runtimeUnitChanged(u) // runtime_unit.go
}

// cpuTime is the CPU time of the unit's current run at now.
func (u *unit) cpuTime(now time.Time) time.Duration {
	if !u.active {
		return u.cpu
	}
	d := now.Sub(u.since)
	return time.Duration(float64(d)*u.cpuRate).Truncate(time.Millisecond) + 311*time.Millisecond
}

// status is `systemctl status UNIT`'s block (systemd 249, Ubuntu 22.04).
func (h *Host) status(u *unit) string {
	now := h.now()
	var b strings.Builder
	dot := "○"
	if u.active {
		dot = "●"
	}
	fmt.Fprintf(&b, "%s %s - %s\n", dot, u.name, u.description)
	enabled := "disabled"
	if u.enabled {
		enabled = "enabled"
	}
	fmt.Fprintf(&b, "     Loaded: loaded (%s; %s; vendor preset: enabled)\n", u.fragment, enabled)
	if len(u.dropIns) > 0 {
		fmt.Fprintf(&b, "    Drop-In: %s\n", u.dropIns[0])
		for _, f := range u.dropIns[1:] {
			fmt.Fprintf(&b, "             └─%s\n", f)
		}
	}
	switch {
	case u.active:
		fmt.Fprintf(&b, "     Active: active (running) since %s; %s\n", systemdTime(u.since), relative(now.Sub(u.since)))
	case u.failing:
		fmt.Fprintf(&b, "     Active: activating (auto-restart) (Result: exit-code) since %s; %s\n", systemdTime(u.since), relative(now.Sub(u.since)))
	default:
		fmt.Fprintf(&b, "     Active: inactive (dead) since %s; %s\n", systemdTime(u.since), relative(now.Sub(u.since)))
	}
	fmt.Fprintf(&b, "       Docs: %s\n", u.docs)
	if u.active {
		fmt.Fprintf(&b, "   Main PID: %d (%s)\n", u.pid, baseName(strings.Fields(u.cmdline)[0]))
		fmt.Fprintf(&b, "      Tasks: %d (limit: 2219)\n", u.tasks)
		fmt.Fprintf(&b, "     Memory: %s\n", u.mem)
		fmt.Fprintf(&b, "        CPU: %s\n", timespan(u.cpuTime(now)))
		fmt.Fprintf(&b, "     CGroup: /system.slice/%s\n", u.name)
		fmt.Fprintf(&b, "             └─%d %s\n", u.pid, u.cmdline)
	} else {
		status := "0/SUCCESS"
		if u.failing {
			status = "1/FAILURE"
		}
		fmt.Fprintf(&b, "    Process: %d ExecStart=%s (code=exited, status=%s)\n", u.pid, u.execStart, status)
		fmt.Fprintf(&b, "   Main PID: %d (code=exited, status=%s)\n", u.pid, status)
		if u.failing {
			fmt.Fprintf(&b, "        CPU: %s\n", timespan(96*time.Millisecond))
		} else {
			fmt.Fprintf(&b, "        CPU: %s\n", timespan(u.cpu))
		}
	}
	lines := h.journalLines(journalFilter{unit: u.name}, 10)
	if len(lines) > 0 {
		b.WriteString("\n")
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func baseName(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// systemdTime is format_timestamp's style: "Wed 2023-04-19 13:00:00 UTC".
func systemdTime(t time.Time) string { return t.UTC().Format("Mon 2006-01-02 15:04:05 MST") }

// relative is systemd's format_timestamp_relative ("2min 23s ago").
func relative(d time.Duration) string {
	const (
		day   = 24 * time.Hour
		week  = 7 * day
		month = 2629800 * time.Second
		year  = 31557600 * time.Second
	)
	pl := func(n int64, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	}
	switch {
	case d >= year:
		y, m := int64(d/year), int64(d%year/month)
		return fmt.Sprintf("%d %s %d %s ago", y, pl(y, "year", "years"), m, pl(m, "month", "months"))
	case d >= month:
		m, dd := int64(d/month), int64(d%month/day)
		return fmt.Sprintf("%d %s %d %s ago", m, pl(m, "month", "months"), dd, pl(dd, "day", "days"))
	case d >= week:
		w, dd := int64(d/week), int64(d%week/day)
		return fmt.Sprintf("%d %s %d %s ago", w, pl(w, "week", "weeks"), dd, pl(dd, "day", "days"))
	case d >= 2*day:
		return fmt.Sprintf("%d days ago", d/day)
	case d >= 25*time.Hour:
		return fmt.Sprintf("1 day %dh ago", (d-day)/time.Hour)
	case d >= 6*time.Hour:
		return fmt.Sprintf("%dh ago", d/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh %dmin ago", d/time.Hour, d%time.Hour/time.Minute)
	case d >= 5*time.Minute:
		return fmt.Sprintf("%dmin ago", d/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%dmin %ds ago", d/time.Minute, d%time.Minute/time.Second)
	case d >= time.Second:
		return fmt.Sprintf("%ds ago", d/time.Second)
	case d >= time.Millisecond:
		return fmt.Sprintf("%dms ago", d/time.Millisecond)
	case d > 0:
		return fmt.Sprintf("%dus ago", d/time.Microsecond)
	}
	return "now"
}

// timespan is systemd's format_timespan with millisecond accuracy, as the
// CPU: line prints it ("3.157s", "1min 3.120s").
func timespan(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	var parts []string
	if d >= time.Hour {
		parts = append(parts, fmt.Sprintf("%dh", d/time.Hour))
		d %= time.Hour
	}
	if d >= time.Minute {
		parts = append(parts, fmt.Sprintf("%dmin", d/time.Minute))
		d %= time.Minute
	}
	d = d.Truncate(time.Millisecond)
	switch s, rem := d/time.Second, d%time.Second; {
	case s > 0 && rem > 0:
		parts = append(parts, fmt.Sprintf("%d.%03ds", s, rem/time.Millisecond))
	case s > 0:
		parts = append(parts, fmt.Sprintf("%ds", s))
	case rem > 0:
		parts = append(parts, fmt.Sprintf("%dms", rem/time.Millisecond))
	}
	return strings.Join(parts, " ")
}

func kubeletUnitFile(docs string) string {
	return `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=` + docs + `
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`
}

const kubeadmDropIn = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`
