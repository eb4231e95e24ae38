package hosts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
	"kubesim/runtime/images"
	"kubesim/runtime/shell"
)

// crictl speaks CRI to the node's runtime, the same runtime service the
// kubelet calls (cri-tools' output: tabwriter 20/1/3, ids cut to 13
// characters, newest first). ps, pods, images, logs, inspect, stop, exec,
// stats, version, info.
func (h *Host) crictl(c *shell.Cmd) int {
	args := c.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if (args[0] == "-r" || args[0] == "--runtime-endpoint" || args[0] == "-i" || args[0] == "--image-endpoint" || args[0] == "-t" || args[0] == "--timeout") && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "NAME:\n   crictl - client for CRI\n\nUSAGE:\n   crictl [global options] command [command options] [arguments...]")
		return 0
	}
	if h.crictlRefused(c) { // runtime_unit.go
		return 1
	}
	code := h.onRuntime(func(rt *chain.Chain) int { return h.crictlVerb(c, rt, args[0], args[1:]) })
	return code
}

func (h *Host) crictlVerb(c *shell.Cmd, rt *chain.Chain, verb string, args []string) int {
	ctx := context.Background()
	rs, is := rt.Runtime(), rt.Images()
	now := h.now()
	flags, rest := splitFlags(args, "name", "namespace", "pod", "p", "tail", "state", "s", "label", "image", "o", "output", "timeout", "t")
	tw := tabwriter.NewWriter(c.Stdout, 20, 1, 3, ' ', 0)
	defer tw.Flush()
	nsCol := minorOf(h.hs.c.Spec.KubernetesVersion) >= 30
	switch verb {
	case "ps":
		resp, err := rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
		if err != nil {
			return crictlErr(c, err)
		}
		cs := resp.Containers
		sort.SliceStable(cs, func(i, j int) bool { return cs[i].CreatedAt > cs[j].CreatedAt })
		quiet := flags["q"] != "" || flags["quiet"] != ""
		if !quiet {
			hdr := "CONTAINER\tIMAGE\tCREATED\tSTATE\tNAME\tATTEMPT\tPOD ID\tPOD"
			if nsCol {
				hdr += "\tNAMESPACE"
			}
			fmt.Fprintln(tw, hdr)
		}
		all := flags["a"] != "" || flags["all"] != ""
		for _, ct := range cs {
			if !all && ct.State != runtimeapi.ContainerState_CONTAINER_RUNNING && flags["state"] == "" && flags["s"] == "" {
				continue
			}
			if st := firstOf(flags["state"], flags["s"]); st != "" && !strings.EqualFold(stateText(ct.State), st) {
				continue
			}
			name := ct.Metadata.GetName()
			if n := flags["name"]; n != "" && !strings.Contains(name, n) {
				continue
			}
			pod := ct.Labels["io.kubernetes.pod.name"]
			if quiet {
				fmt.Fprintln(c.Stdout, ct.Id)
				continue
			}
			line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s", trunc(ct.Id), trunc(imageID(ctx, is, ct)), ago(now, ct.CreatedAt), stateText(ct.State), name, ct.Metadata.GetAttempt(), trunc(ct.PodSandboxId), pod)
			if nsCol {
				line += "\t" + ct.Labels["io.kubernetes.pod.namespace"]
			}
			fmt.Fprintln(tw, line)
		}
	case "pods":
		resp, err := rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
		if err != nil {
			return crictlErr(c, err)
		}
		ps := resp.Items
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].CreatedAt > ps[j].CreatedAt })
		fmt.Fprintln(tw, "POD ID\tCREATED\tSTATE\tNAME\tNAMESPACE\tATTEMPT\tRUNTIME")
		for _, p := range ps {
			if n := flags["name"]; n != "" && !strings.Contains(p.Metadata.GetName(), n) {
				continue
			}
			if n := flags["namespace"]; n != "" && p.Metadata.GetNamespace() != n {
				continue
			}
			state := "Ready"
			if p.State != runtimeapi.PodSandboxState_SANDBOX_READY {
				state = "NotReady"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t(default)\n", trunc(p.Id), ago(now, p.CreatedAt), state, p.Metadata.GetName(), p.Metadata.GetNamespace(), p.Metadata.GetAttempt())
		}
	case "images", "image", "img":
		resp, err := is.ListImages(ctx, &runtimeapi.ListImagesRequest{})
		if err != nil {
			return crictlErr(c, err)
		}
		fmt.Fprintln(tw, "IMAGE\tTAG\tIMAGE ID\tSIZE")
		type row struct{ repo, tag, id, size string }
		var rows []row
		for _, im := range resp.Images {
			for _, rt := range im.RepoTags {
				i := strings.LastIndex(rt, ":")
				rows = append(rows, row{rt[:i], rt[i+1:], trunc(strings.TrimPrefix(im.Id, "sha256:")), humanSize(float64(im.Size))})
			}
		}
		sort.Slice(rows, func(i, j int) bool {
			if rows[i].repo != rows[j].repo {
				return rows[i].repo < rows[j].repo
			}
			return rows[i].tag < rows[j].tag
		})
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.repo, r.tag, r.id, r.size)
		}
	case "logs", "log":
		if len(rest) != 1 {
			fmt.Fprintln(c.Stderr, "E0000 ID cannot be empty")
			return 1
		}
		id, err := resolveID(ctx, rs, rest[0])
		if err != nil {
			return crictlErr(c, err)
		}
		_, lines, err := rt.ContainerLogs(id)
		if err != nil {
			return crictlErr(c, err)
		}
		if t := flags["tail"]; t != "" {
			var n int
			fmt.Sscan(t, &n)
			if n >= 0 && n < len(lines) {
				lines = lines[len(lines)-n:]
			}
		}
		for _, l := range lines {
			w := c.Stdout
			if l.Stream == images.Stderr {
				w = c.Stderr
			}
			io.WriteString(w, l.Text+"\n")
		}
	case "stop":
		if len(rest) == 0 {
			fmt.Fprintln(c.Stderr, "ID cannot be empty")
			return 1
		}
		for _, a := range rest {
			id, err := resolveID(ctx, rs, a)
			if err != nil {
				return crictlErr(c, err)
			}
			if _, err := rs.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: 10}); err != nil {
				return crictlErr(c, err)
			}
			fmt.Fprintln(c.Stdout, a)
			// The kubelet's next relist sees the exit.
			h.hs.c.Node(h.Name).ContainerStopped(id)
		}
	case "inspect", "inspectp", "inspecti":
		return h.crictlInspect(c, rt, verb, args)
	case "exec":
		if len(rest) < 2 {
			fmt.Fprintln(c.Stderr, "command must include a container ID and a command")
			return 1
		}
		id, err := resolveID(ctx, rs, rest[0])
		if err != nil {
			return crictlErr(c, err)
		}
		resp, err := rs.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: rest[1:], Timeout: 0})
		if err != nil {
			return crictlErr(c, err)
		}
		c.Stdout.Write(resp.Stdout)
		c.Stderr.Write(resp.Stderr)
		return int(resp.ExitCode)
	case "stats":
		resp, err := rs.ListContainerStats(ctx, &runtimeapi.ListContainerStatsRequest{})
		if err != nil {
			return crictlErr(c, err)
		}
		fmt.Fprintln(tw, "CONTAINER\tNAME\tCPU %\tMEM\tDISK\tINODES")
		for _, s := range resp.Stats {
			fmt.Fprintf(tw, "%s\t%s\t%.2f\t%s\t%s\t%d\n", trunc(s.Attributes.GetId()), s.Attributes.GetMetadata().GetName(), float64(s.GetCpu().GetUsageNanoCores().GetValue())/1e7, humanSizePrec(float64(s.GetMemory().GetWorkingSetBytes().GetValue()), 4), humanSizePrec(float64(s.GetWritableLayer().GetUsedBytes().GetValue()), 4), s.GetWritableLayer().GetInodesUsed().GetValue())
		}
	case "version":
		v, err := rs.Version(ctx, &runtimeapi.VersionRequest{})
		if err != nil {
			return crictlErr(c, err)
		}
		fmt.Fprintf(c.Stdout, "Version:  0.1.0\nRuntimeName:  %s\nRuntimeVersion:  %s\nRuntimeApiVersion:  %s\n", v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	case "info":
		st, err := rs.Status(ctx, &runtimeapi.StatusRequest{Verbose: true})
		if err != nil {
			return crictlErr(c, err)
		}
		b, _ := json.MarshalIndent(map[string]any{"status": st.Status}, "", "  ")
		fmt.Fprintln(c.Stdout, string(b))
	default:
		fmt.Fprintf(c.Stderr, "No help topic for '%s'\n", verb)
		return 3
	}
	return 0
}

// imageID is the container's image id without "sha256:" (crictl ps's IMAGE).
func imageID(ctx context.Context, is runtimeapi.ImageServiceServer, ct *runtimeapi.Container) string {
	if id, ok := strings.CutPrefix(ct.ImageRef, "sha256:"); ok {
		return id
	}
	if st, err := is.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: ct.Image}); err == nil && st.Image != nil {
		return strings.TrimPrefix(st.Image.Id, "sha256:")
	}
	return ct.ImageRef
}

// splitFlags separates --flag value / -f pairs (valued names listed) and
// boolean flags from operands.
func splitFlags(args []string, valued ...string) (map[string]string, []string) {
	takes := map[string]bool{}
	for _, v := range valued {
		takes[v] = true
	}
	flags := map[string]string{}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			rest = append(rest, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		if k, v, ok := strings.Cut(name, "="); ok {
			flags[k] = v
			continue
		}
		if takes[name] && i+1 < len(args) {
			flags[name] = args[i+1]
			i++
			continue
		}
		if !strings.HasPrefix(a, "--") && len(name) > 1 {
			for _, ch := range name {
				flags[string(ch)] = "true"
			}
			continue
		}
		flags[name] = "true"
	}
	return flags, rest
}

func firstOf(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

// resolveID finds a container by id or a unique id prefix, as crictl does.
func resolveID(ctx context.Context, rs runtimeapi.RuntimeServiceServer, prefix string) (string, error) {
	resp, err := rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return "", err
	}
	var found []string
	for _, ct := range resp.Containers {
		if strings.HasPrefix(ct.Id, prefix) {
			found = append(found, ct.Id)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", fmt.Errorf("rpc error: code = NotFound desc = an error occurred when try to find container %q: not found", prefix)
}

func crictlErr(c *shell.Cmd, err error) int {
	fmt.Fprintf(c.Stderr, "E%s    %d remote_runtime.go:415] %v\n", klogTime(c.Now()), 4021, err)
	return 1
}

func trunc(id string) string {
	if len(id) > 13 {
		return id[:13]
	}
	return id
}

func stateText(s runtimeapi.ContainerState) string {
	switch s {
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		return "Running"
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		return "Exited"
	case runtimeapi.ContainerState_CONTAINER_CREATED:
		return "Created"
	}
	return "Unknown"
}

// ago is crictl's CREATED: go-units' HumanDuration and " ago".
func ago(now time.Time, createdNanos int64) string {
	return humanDuration(now.Sub(time.Unix(0, createdNanos))) + " ago"
}

func humanDuration(d time.Duration) string {
	if s := int(d.Seconds()); s < 1 {
		return "Less than a second"
	} else if s == 1 {
		return "1 second"
	} else if s < 60 {
		return fmt.Sprintf("%d seconds", s)
	} else if m := int(d.Minutes()); m == 1 {
		return "About a minute"
	} else if m < 60 {
		return fmt.Sprintf("%d minutes", m)
	} else if hr := int(d.Hours() + 0.5); hr == 1 {
		return "About an hour"
	} else if hr < 48 {
		return fmt.Sprintf("%d hours", hr)
	} else if hr < 24*7*2 {
		return fmt.Sprintf("%d days", hr/24)
	} else if hr < 24*30*2 {
		return fmt.Sprintf("%d weeks", hr/24/7)
	} else if hr < 24*365*2 {
		return fmt.Sprintf("%d months", hr/24/30)
	}
	return fmt.Sprintf("%d years", int(d.Hours())/24/365)
}

// humanSize is go-units' HumanSizeWithPrecision(size, 3): decimal units.
func humanSize(size float64) string { return humanSizePrec(size, 3) }

// humanSizePrec is go-units' HumanSizeWithPrecision (crictl stats uses
// HumanSize: 4 significant digits, 298.8MB; crictl images 3).
func humanSizePrec(size float64, prec int) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	i := 0
	for size >= 1000 && i < len(units)-1 {
		size /= 1000
		i++
	}
	return fmt.Sprintf("%.*g%s", prec, size, units[i])
}
