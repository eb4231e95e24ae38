package hosts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"kubesim/runtime/chain"
	"kubesim/runtime/shell"
)

// ctr and nerdctl on a node: containerd's own clients, over the same CRI
// view crictl has (the kubelet's runtime). The CRI plugin keeps its
// containers, sandboxes and images in containerd's "k8s.io" namespace
// (Docker's are in "moby"); a client's default namespace is "default",
// which holds nothing here. ctr: namespaces, containers, images and tasks
// ls (containerd 1.7's tables); nerdctl: ps [-a] and images (nerdctl
// 1.7's).

// ctrObject is one containerd container: a pod sandbox or a container.
type ctrObject struct {
	id, image string
	created   time.Time
	running   bool
	pid       int
	labels    map[string]string
	args      []string
	sandbox   bool
}

// ctrImage is one image with the containerd image records the CRI plugin
// makes for it (its tags, its repo digests and its config digest).
type ctrImage struct {
	id, digest string
	tags       []string
	digests    []string
	size       uint64
	pinned     bool
	created    time.Time
}

// ctrNamespace is where the node's runtime keeps the cluster's containers
// ("" when containerd is not the runtime's store).
func (h *Host) ctrNamespace() string {
	switch h.runtime {
	case "cri-o":
		return ""
	case "cri-dockerd", "docker":
		return "moby"
	}
	return "k8s.io"
}

// ctrState reads the node's containers and images through CRI.
func (h *Host) ctrState(rt *chain.Chain) ([]ctrObject, []ctrImage) {
	ctx := context.Background()
	rs, is := rt.Runtime(), rt.Images()
	var objs []ctrObject
	if resp, err := rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err == nil {
		for _, p := range resp.Items {
			o := ctrObject{id: p.Id, created: time.Unix(0, p.CreatedAt).UTC(), labels: p.Labels, sandbox: true, args: []string{"/pause"},
				running: p.State == runtimeapi.PodSandboxState_SANDBOX_READY}
			if st, err := rs.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: p.Id, Verbose: true}); err == nil {
				ci := chainInfo(st.Info["info"])
				o.image, _ = ci["image"].(string)
				if pid, ok := ci["pid"].(float64); ok && o.running {
					o.pid = int(pid)
				}
			}
			objs = append(objs, o)
		}
	}
	if resp, err := rs.ListContainers(ctx, &runtimeapi.ListContainersRequest{}); err == nil {
		for _, ct := range resp.Containers {
			o := ctrObject{id: ct.Id, created: time.Unix(0, ct.CreatedAt).UTC(), labels: ct.Labels, image: ct.Image.GetImage(),
				running: ct.State == runtimeapi.ContainerState_CONTAINER_RUNNING}
			if st, err := rs.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ct.Id, Verbose: true}); err == nil {
				ci := chainInfo(st.Info["info"])
				if pid, ok := ci["pid"].(float64); ok && o.running {
					o.pid = int(pid)
				}
				if args, ok := ci["args"].([]any); ok {
					for _, a := range args {
						o.args = append(o.args, fmt.Sprint(a))
					}
				}
			}
			if spec := rt.RuntimeSpec(ct.Id); len(spec) > 0 {
				var s struct {
					Process struct{ Args []string } `json:"process"`
				}
				if json.Unmarshal(spec, &s) == nil && len(s.Process.Args) > 0 {
					o.args = s.Process.Args
				}
			}
			objs = append(objs, o)
		}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].id < objs[j].id })

	var imgs []ctrImage
	if resp, err := is.ListImages(ctx, &runtimeapi.ListImagesRequest{}); err == nil {
		for _, im := range resp.Images {
			ci := ctrImage{id: im.Id, tags: im.RepoTags, digests: im.RepoDigests, size: im.Size, pinned: im.Pinned}
			if len(im.RepoDigests) > 0 {
				_, ci.digest, _ = strings.Cut(im.RepoDigests[0], "@")
			}
			// Pulled before its first container was created.
			for _, o := range objs {
				if (o.image != "" && slices.Contains(im.RepoTags, o.image)) && (ci.created.IsZero() || o.created.Before(ci.created)) {
					ci.created = o.created
				}
			}
			if ci.created.IsZero() {
				ci.created = h.now()
				if n := h.node(); n != nil {
					ci.created = n.CreationTimestamp.Time.UTC()
				}
			}
			imgs = append(imgs, ci)
		}
	}
	return objs, imgs
}

// imageRecord is one containerd image record: its name and its image.
type imageRecord struct {
	name string
	img  *ctrImage
}

// imageRecords are the containerd image records of imgs, sorted by name
// as containerd lists them.
func imageRecords(imgs []ctrImage) []imageRecord {
	var out []imageRecord
	for i := range imgs {
		im := &imgs[i]
		for _, t := range im.tags {
			out = append(out, imageRecord{t, im})
		}
		for _, d := range im.digests {
			out = append(out, imageRecord{d, im})
		}
		out = append(out, imageRecord{im.id, im})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// containerdClient runs fn with the node's runtime under the cluster lock;
// it reports containerd's socket error when the runtime has none.
func (h *Host) containerdClient(c *shell.Cmd, prog string, fn func(rt *chain.Chain) int) int {
	var containerdDown bool
	h.hs.c.Locked(func() {
		u := h.units["containerd.service"]
		containerdDown = u == nil || !u.active
	})
	if h.ctrNamespace() == "" || containerdDown {
		if prog == "ctr" {
			fmt.Fprintln(c.Stderr, `ctr: failed to dial "/run/containerd/containerd.sock": context deadline exceeded`)
		} else {
			fmt.Fprintln(c.Stderr, `time="`+c.Now().UTC().Format(time.RFC3339)+`" level=fatal msg="cannot access containerd socket \"/run/containerd/containerd.sock\": no such file or directory"`)
		}
		return 1
	}
	return h.onRuntime(fn)
}

// onRuntime runs fn with the node's runtime inside the loop (as the CRI
// clients reach it), charging the runtime's cost; 1 when the machine is down.
func (h *Host) onRuntime(fn func(rt *chain.Chain) int) int {
	var code int
	h.hs.c.Do(func() {
		k := h.hs.c.Node(h.Name)
		if k == nil || !k.MachineUp() {
			code = 1
			return
		}
		rt := k.Runtime()
		defer rt.TakeCost()
		code = fn(rt)
	})
	return code
}

// globalNamespace takes ctr's and nerdctl's -n/--namespace (or
// $CONTAINERD_NAMESPACE) off args.
func globalNamespace(c *shell.Cmd, args []string) (string, []string, bool) {
	ns := c.Getenv("CONTAINERD_NAMESPACE")
	if ns == "" {
		ns = "default"
	}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		switch {
		case a == "-n" || a == "--namespace":
			if len(args) < 2 {
				return "", nil, false
			}
			ns, args = args[1], args[2:]
			continue
		case strings.HasPrefix(a, "--namespace="):
			ns = strings.TrimPrefix(a, "--namespace=")
		case strings.HasPrefix(a, "-n="):
			ns = strings.TrimPrefix(a, "-n=")
		case a == "-a" || a == "--address":
			if len(args) > 1 {
				args = args[1:]
			}
		}
		args = args[1:]
	}
	return ns, args, true
}

// ctr: namespaces|ns, containers|c, images|i, tasks|t with ls|list [-q].
func (h *Host) ctr(c *shell.Cmd) int {
	ns, args, ok := globalNamespace(c, c.Args[1:])
	if !ok {
		fmt.Fprintln(c.Stderr, "Incorrect Usage: flag needs an argument: -n")
		return 1
	}
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "NAME:\n   ctr - \n        __\n  _____/ /______\n / ___/ __/ ___/\n/ /__/ /_/ /\n\\___/\\__/_/\n\ncontainerd CLI")
		return 0
	}
	obj, rest := args[0], args[1:]
	verb, quiet := "", false
	for _, a := range rest {
		switch {
		case a == "-q" || a == "--quiet":
			quiet = true
		case verb == "" && !strings.HasPrefix(a, "-"):
			verb = a
		}
	}
	kind := map[string]string{"namespaces": "ns", "namespace": "ns", "ns": "ns", "containers": "c", "container": "c", "c": "c",
		"images": "i", "image": "i", "i": "i", "tasks": "t", "task": "t", "t": "t"}[obj]
	if kind == "" {
		fmt.Fprintf(c.Stderr, "ctr: No help topic for '%s'\n", obj)
		return 3
	}
	if verb != "ls" && verb != "list" {
		if verb == "" {
			fmt.Fprintf(c.Stdout, "NAME:\n   ctr %s - manage %s\n", obj, obj)
			return 0
		}
		fmt.Fprintf(c.Stderr, "ctr: No help topic for '%s'\n", verb)
		return 3
	}
	return h.containerdClient(c, "ctr", func(rt *chain.Chain) int {
		objs, imgs := h.ctrState(rt)
		mine := ns == h.ctrNamespace()
		w := c.Stdout
		switch kind {
		case "ns":
			if quiet {
				fmt.Fprintln(w, h.ctrNamespace())
				return 0
			}
			tw := tabwriter.NewWriter(w, 1, 8, 1, ' ', 0)
			fmt.Fprintln(tw, "NAME\tLABELS\t")
			fmt.Fprintf(tw, "%s\t\t\n", h.ctrNamespace())
			tw.Flush()
		case "c":
			tw := tabwriter.NewWriter(w, 4, 8, 4, ' ', 0)
			if !quiet {
				fmt.Fprintln(tw, "CONTAINER\tIMAGE\tRUNTIME\t")
			}
			for _, o := range objs {
				if !mine {
					break
				}
				if quiet {
					fmt.Fprintln(tw, o.id)
					continue
				}
				image := o.image
				if image == "" || h.ctrNamespace() == "moby" {
					image = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t\n", o.id, image, "io.containerd.runc.v2")
			}
			tw.Flush()
		case "t":
			tw := tabwriter.NewWriter(w, 4, 8, 4, ' ', 0)
			if !quiet {
				fmt.Fprintln(tw, "TASK\tPID\tSTATUS\t")
			}
			for _, o := range objs {
				if !mine || !o.running {
					continue
				}
				if quiet {
					fmt.Fprintln(tw, o.id)
					continue
				}
				fmt.Fprintf(tw, "%s\t%d\t%s\n", o.id, o.pid, "RUNNING")
			}
			tw.Flush()
		case "i":
			tw := tabwriter.NewWriter(w, 1, 8, 1, ' ', 0)
			if !quiet {
				fmt.Fprintln(tw, "REF\tTYPE\tDIGEST\tSIZE\tPLATFORMS\tLABELS\t")
			}
			if !mine || h.ctrNamespace() != "k8s.io" {
				tw.Flush()
				return 0
			}
			for _, r := range imageRecords(imgs) {
				if quiet {
					fmt.Fprintln(tw, r.name)
					continue
				}
				labels := "io.cri-containerd.image=managed"
				if r.img.pinned {
					labels += ",io.cri-containerd.pinned=pinned"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.name, imageMediaType, r.img.digest, binaryBytes(float64(r.img.size)),
					imagePlatforms, labels)
			}
			tw.Flush()
		}
		return 0
	})
}

// imageMediaType and imagePlatforms stand for every image's index: a
// multi-platform manifest list. [guess: per image they differ]
const (
	imageMediaType = "application/vnd.docker.distribution.manifest.list.v2+json"
	imagePlatforms = "linux/amd64,linux/arm/v7,linux/arm64,linux/ppc64le,linux/s390x"
)

// binaryBytes is containerd's progress.Bytes: 1024-based, one decimal.
func binaryBytes(size float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	i := 0
	for size >= 1024 && i < len(units)-1 {
		size /= 1024
		i++
	}
	return fmt.Sprintf("%02.1f %s", size, units[i])
}

// nerdctl: ps [-a|--all] [-q] and images [-q], with -n NAMESPACE.
func (h *Host) nerdctl(c *shell.Cmd) int {
	ns, args, ok := globalNamespace(c, c.Args[1:])
	if !ok {
		fmt.Fprintln(c.Stderr, "Error: flag needs an argument: 'n' in -n")
		return 1
	}
	if len(args) == 0 {
		fmt.Fprintln(c.Stdout, "nerdctl is a command line interface for containerd\n\nUsage: nerdctl [flags]")
		return 0
	}
	verb := args[0]
	all, quiet := false, false
	for _, a := range args[1:] {
		switch a {
		case "-a", "--all":
			all = true
		case "-q", "--quiet":
			quiet = true
		case "-aq", "-qa":
			all, quiet = true, true
		}
	}
	switch verb {
	case "ps", "images":
	case "container", "image":
		if len(args) > 1 && (args[1] == "ls" || args[1] == "list") {
			verb = map[string]string{"container": "ps", "image": "images"}[verb]
			break
		}
		fallthrough
	default:
		fmt.Fprintf(c.Stderr, "time=%q level=fatal msg=\"unknown subcommand %q for \\\"nerdctl\\\"\"\n", c.Now().UTC().Format(time.RFC3339), verb)
		return 1
	}
	return h.containerdClient(c, "nerdctl", func(rt *chain.Chain) int {
		objs, imgs := h.ctrState(rt)
		mine := ns == h.ctrNamespace()
		now := h.now()
		tw := tabwriter.NewWriter(c.Stdout, 4, 8, 4, ' ', 0)
		defer tw.Flush()
		switch verb {
		case "ps":
			if !quiet {
				fmt.Fprintln(tw, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES")
			}
			for _, o := range objs {
				if !mine || (!all && !o.running) {
					continue
				}
				if quiet {
					fmt.Fprintln(tw, o.id[:min(12, len(o.id))])
					continue
				}
				status := "Up"
				if !o.running {
					// The CRI plugin deletes a task when it exits.
					status = "Created"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.id[:min(12, len(o.id))], o.image,
					strconv.Quote(ellipsis(strings.Join(o.args, " "), 20)), humanDuration(now.Sub(o.created))+" ago", status, "", nerdctlName(o))
			}
		case "images":
			if !quiet {
				fmt.Fprintln(tw, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tPLATFORM\tSIZE\tBLOB SIZE")
			}
			if !mine || h.ctrNamespace() != "k8s.io" {
				return 0
			}
			for _, r := range imageRecords(imgs) {
				id := strings.TrimPrefix(r.img.digest, "sha256:")
				id = id[:min(12, len(id))]
				if quiet {
					fmt.Fprintln(tw, id)
					continue
				}
				repo, tag := parseRepoTag(r.name)
				if r.name == r.img.id {
					repo, tag = "", ""
				}
				if repo == "" {
					repo = "<none>"
				}
				if tag == "" {
					tag = "<none>"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", repo, tag, id, humanDuration(now.Sub(r.img.created))+" ago", "linux/amd64",
					binaryBytes(float64(r.img.size)*unpackedRatio), binaryBytes(float64(r.img.size)))
			}
		}
		return 0
	})
}

// unpackedRatio is how much larger an image's unpacked layers are than
// its compressed blobs. [guess: about 2.3 for the images kubesim pulls]
const unpackedRatio = 2.3

// ellipsis is nerdctl's formatter.Ellipsis.
func ellipsis(s string, width int) string {
	if len(s) <= width {
		return s
	}
	return s[:width-1] + "…"
}

// nerdctlName is a CRI container's name in nerdctl: k8s://NS/POD[/NAME].
func nerdctlName(o ctrObject) string {
	ns, pod := o.labels["io.kubernetes.pod.namespace"], o.labels["io.kubernetes.pod.name"]
	if ns == "" || pod == "" {
		return ""
	}
	if name, ok := o.labels["io.kubernetes.container.name"]; ok && !o.sandbox {
		return fmt.Sprintf("k8s://%s/%s/%s", ns, pod, name)
	}
	return fmt.Sprintf("k8s://%s/%s", ns, pod)
}

// parseRepoTag is nerdctl's imgutil.ParseRepoTag: the familiar repository
// (docker.io/library/ dropped) and the tag, none for a digest reference.
func parseRepoTag(ref string) (string, string) {
	repo, tag := ref, ""
	if i := strings.Index(ref, "@"); i >= 0 {
		repo = ref[:i]
	} else if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		repo, tag = ref[:i], ref[i+1:]
	}
	repo = strings.TrimPrefix(repo, "docker.io/library/")
	repo = strings.TrimPrefix(repo, "docker.io/")
	return repo, tag
}
