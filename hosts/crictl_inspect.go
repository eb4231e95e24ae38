package hosts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"reflect"
	"sort"
	"strings"
	"text/template"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"sigs.k8s.io/yaml"

	"kubesim/runtime/chain"
	"kubesim/runtime/shell"
)

// crictl inspect CONTAINER, inspectp POD and inspecti IMAGE, as cri-tools
// prints them: the CRI status (jsonpb with defaults, the container's and
// pod's fields in the API struct's order, times as RFC 3339) and the
// runtime's verbose info (on containerd: the CRI plugin's ContainerInfo and
// SandboxInfo, with the bundle's OCI runtime spec), as JSON (the default),
// YAML, a go-template over that JSON (--template '{{.info.pid}}') or, for
// inspect, a table.
func (h *Host) crictlInspect(c *shell.Cmd, rt *chain.Chain, verb string, args []string) int {
	output, tmpl, quiet := "", "", false
	var ids []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case !strings.HasPrefix(a, "-"):
			ids = append(ids, a)
		case name == "o" || name == "output" || name == "template":
			if !hasVal {
				if i+1 >= len(args) {
					fmt.Fprintf(c.Stderr, "Incorrect Usage: flag needs an argument: %s\n", a)
					return 1
				}
				i++
				val = args[i]
			}
			if name == "template" {
				tmpl = val
			} else {
				output = val
			}
		case name == "q" || name == "quiet":
			quiet = true
		default:
			fmt.Fprintf(c.Stderr, "Incorrect Usage: flag provided but not defined: %s\n", a)
			return 1
		}
	}
	if output == "" {
		output = "json"
	}
	if len(ids) == 0 {
		fmt.Fprintf(c.Stderr, "NAME:\n   crictl %s\n", verb)
		return 1
	}
	ctx := context.Background()
	rs, is := rt.Runtime(), rt.Images()
	minor := minorOf(h.cluster().Spec.KubernetesVersion)
	for _, id := range ids {
		var status string
		var info map[string]string
		var what string
		var table func()
		switch verb {
		case "inspect":
			what = "getting the status of the container"
			full, err := resolveID(ctx, rs, id)
			if err != nil {
				return crictlFatal(c, "%s %q: %v", what, id, err)
			}
			r, err := rs.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: full, Verbose: !quiet})
			if err != nil {
				return crictlFatal(c, "%s %q: %v", what, id, err)
			}
			s := r.Status
			times := map[string]any{"createdAt": rfc3339(s.CreatedAt)}
			var started, finished time.Time
			if s.State != runtimeapi.ContainerState_CONTAINER_CREATED {
				started = time.Unix(0, s.StartedAt).UTC()
			}
			if s.State == runtimeapi.ContainerState_CONTAINER_EXITED || (s.State == runtimeapi.ContainerState_CONTAINER_UNKNOWN && s.FinishedAt > 0) {
				finished = time.Unix(0, s.FinishedAt).UTC()
			}
			times["startedAt"], times["finishedAt"] = started.Format(time.RFC3339Nano), finished.Format(time.RFC3339Nano)
			status = statusInOrder(s, times, minor)
			info = r.Info
			if !quiet && h.runtime != "cri-dockerd" && h.runtime != "cri-o" {
				info = map[string]string{"info": containerdContainerInfo(rt, s, r.Info["info"])}
			}
			table = func() { inspectTable(c.Stdout, s, h.now()) }
		case "inspectp":
			what = "getting the pod sandbox status"
			full, err := resolveSandbox(ctx, rs, id)
			if err != nil {
				return crictlFatal(c, "%s for %q: %v", what, id, err)
			}
			r, err := rs.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: full, Verbose: !quiet})
			if err != nil {
				return crictlFatal(c, "%s for %q: %v", what, id, err)
			}
			status = statusInOrder(r.Status, map[string]any{"createdAt": rfc3339(r.Status.CreatedAt)}, minor)
			info = r.Info
			if !quiet && h.runtime != "cri-dockerd" && h.runtime != "cri-o" {
				info = map[string]string{"info": containerdSandboxInfo(rt, r.Status, r.Info["info"])}
			}
		case "inspecti":
			what = "image status for"
			r, err := is.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: id}, Verbose: !quiet})
			if err != nil {
				return crictlFatal(c, "%s %q request: %v", what, id, err)
			}
			if r.Image == nil {
				return crictlFatal(c, "no such image %q present", id)
			}
			// jsonpb's order is the struct's: statusInOrder keeps it.
			status = statusInOrder(r.Image, nil, minor)
			info = r.Info
			if !quiet && len(info) == 0 {
				info = map[string]string{"info": imageInfo(rt, r.Image)}
			}
		}
		if output == "table" && table != nil {
			table()
			continue
		}
		if err := writeStatusInfo(c.Stdout, status, info, output, tmpl); err != nil {
			return crictlFatal(c, "%s %q: %v", what, id, err)
		}
	}
	return 0
}

// crictlFatal is logrus.Fatal's line on a terminal, crictl's way to fail.
func crictlFatal(c *shell.Cmd, format string, a ...any) int {
	fmt.Fprintf(c.Stderr, "FATA[0000] "+format+"\n", a...)
	return 1
}

func rfc3339(nanos int64) string { return time.Unix(0, nanos).UTC().Format(time.RFC3339Nano) }

// newerFields are CRI status fields, and the image spec's, with the
// minor version whose cri-tools first prints them: an older cluster's
// crictl does not know them. [guess: the minor each came in]
var (
	newerFields          = map[string]int{"resources": 26, "imageId": 30, "user": 31, "stopSignal": 33}
	newerImageSpecFields = map[string]int{"userSpecifiedImage": 28, "runtimeHandler": 29, "imageRef": 32}
)

// statusInOrder is cri-tools' marshalMapInOrder: the message as jsonpb
// with defaults, with overrides, its fields in the Go struct's order
// (nested objects' keys sorted, as encoding/json writes a map), without
// the fields cri-tools of minor does not know.
func statusInOrder(msg proto.Message, overrides map[string]any, minor int) string {
	b, _ := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(msg)
	var m map[string]any
	json.Unmarshal(b, &m)
	for k, v := range overrides {
		m[k] = v
	}
	for _, key := range []string{"image", "spec"} { // a container's ImageSpec, an image's
		if img, ok := m[key].(map[string]any); ok {
			for field, since := range newerImageSpecFields {
				if minor < since {
					delete(img, field)
				}
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString("{")
	t := reflect.TypeOf(msg).Elem()
	first := true
	for i := 0; i < t.NumField(); i++ {
		field := jsonFieldFromTag(t.Field(i).Tag)
		if since, newer := newerFields[field]; field == "" || field == "-" || (newer && minor < since) {
			continue
		}
		value, _ := json.Marshal(m[field])
		if !first {
			buf.WriteString(",")
		}
		first = false
		fmt.Fprintf(&buf, "%q:%s", field, value)
	}
	buf.WriteString("}")
	return buf.String()
}

// jsonFieldFromTag is the JSON name of a generated CRI field.
func jsonFieldFromTag(tag reflect.StructTag) string {
	field := strings.Split(tag.Get("json"), ",")[0]
	for _, f := range strings.Split(tag.Get("protobuf"), ",") {
		if v, ok := strings.CutPrefix(f, "json="); ok {
			field = v
		}
	}
	return field
}

// writeStatusInfo is cri-tools' outputStatusInfo: {"status": …, then the
// info keys sorted, each as JSON when it parses, else as a string}.
func writeStatusInfo(w io.Writer, status string, info map[string]string, format, tmplStr string) error {
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var raw bytes.Buffer
	raw.WriteString(`{"status":` + status)
	for _, k := range keys {
		var x any
		if json.Unmarshal([]byte(info[k]), &x) == nil {
			raw.WriteString(`,"` + k + `":` + info[k])
		} else {
			raw.WriteString(`,"` + k + `":"` + info[k] + `"`)
		}
	}
	raw.WriteString("}")
	switch format {
	case "json":
		var out bytes.Buffer
		if err := json.Indent(&out, raw.Bytes(), "", "  "); err != nil {
			return err
		}
		fmt.Fprintln(w, out.String())
	case "yaml":
		y, err := yaml.JSONToYAML(raw.Bytes())
		if err != nil {
			return err
		}
		fmt.Fprintln(w, string(y))
	case "go-template":
		out, err := executeTemplate(tmplStr, raw.Bytes())
		if err != nil {
			return err
		}
		fmt.Fprintln(w, out)
	default:
		return fmt.Errorf("output option cannot be %s", format)
	}
	return nil
}

// executeTemplate is cri-tools' tmplExecuteRawJSON: the template over the
// JSON decoded with numbers kept as written, a missing key an error.
func executeTemplate(tmplStr string, raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var data any
	if err := dec.Decode(&data); err != nil {
		return "", fmt.Errorf("failed to decode json: %w", err)
	}
	funcs := template.FuncMap{
		"json": func(v any) string {
			var b bytes.Buffer
			json.NewEncoder(&b).Encode(v)
			return b.String()
		},
		"title": func(s string) string {
			if s == "" {
				return s
			}
			return strings.ToUpper(s[:1]) + s[1:]
		},
		"lower": strings.ToLower, "upper": strings.ToUpper,
	}
	t, err := template.New("tmplExecuteRawJSON").Funcs(funcs).Parse(tmplStr)
	if err != nil {
		return "", fmt.Errorf("failed to generate go-template: %w", err)
	}
	var out bytes.Buffer
	if err := t.Option("missingkey=error").Execute(&out, data); err != nil {
		return "", fmt.Errorf("failed to template data: %w", err)
	}
	return out.String(), nil
}

// chainInfo reads the chain's own verbose info (pid, sandboxID, image).
func chainInfo(raw string) map[string]any {
	m := map[string]any{}
	json.Unmarshal([]byte(raw), &m)
	return m
}

func orNull(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return json.RawMessage(b)
}

// containerdContainerInfo is the CRI plugin's ContainerInfo (containerd
// 1.7), in its field order.
func containerdContainerInfo(rt *chain.Chain, s *runtimeapi.ContainerStatus, raw string) string {
	ci := chainInfo(raw)
	pid, _ := ci["pid"].(float64)
	sandboxID, _ := ci["sandboxID"].(string)
	logPath := s.LogPath
	if dir := path.Dir(logPath); logPath != "" {
		logPath = path.Base(dir) + "/" + path.Base(logPath)
	}
	config := struct {
		Metadata    *runtimeapi.ContainerMetadata `json:"metadata"`
		Image       map[string]string             `json:"image"`
		Labels      map[string]string             `json:"labels,omitempty"`
		Annotations map[string]string             `json:"annotations,omitempty"`
		LogPath     string                        `json:"log_path,omitempty"`
	}{s.Metadata, map[string]string{"image": s.ImageId}, s.Labels, s.Annotations, logPath}
	cfg, _ := json.Marshal(config)
	info := struct {
		SandboxID      string          `json:"sandboxID"`
		Pid            int             `json:"pid"`
		Removing       bool            `json:"removing"`
		SnapshotKey    string          `json:"snapshotKey"`
		Snapshotter    string          `json:"snapshotter"`
		RuntimeType    string          `json:"runtimeType"`
		RuntimeOptions map[string]bool `json:"runtimeOptions"`
		Config         json.RawMessage `json:"config"`
		RuntimeSpec    json.RawMessage `json:"runtimeSpec"`
	}{sandboxID, int(pid), false, s.Id, "overlayfs", "io.containerd.runc.v2", map[string]bool{"systemd_cgroup": true}, cfg, orNull(rt.RuntimeSpec(s.Id))}
	b, _ := json.Marshal(info)
	return string(b)
}

// containerdSandboxInfo is the CRI plugin's SandboxInfo (containerd 1.7).
func containerdSandboxInfo(rt *chain.Chain, s *runtimeapi.PodSandboxStatus, raw string) string {
	ci := chainInfo(raw)
	pid, _ := ci["pid"].(float64)
	image, _ := ci["image"].(string)
	md := s.Metadata
	procStatus := "running"
	if s.State != runtimeapi.PodSandboxState_SANDBOX_READY {
		procStatus, pid = "stopped", 0
	}
	config := struct {
		Metadata     *runtimeapi.PodSandboxMetadata `json:"metadata"`
		LogDirectory string                         `json:"log_directory,omitempty"`
		Labels       map[string]string              `json:"labels,omitempty"`
		Annotations  map[string]string              `json:"annotations,omitempty"`
	}{md, fmt.Sprintf("/var/log/pods/%s_%s_%s", md.GetNamespace(), md.GetName(), md.GetUid()), s.Labels, s.Annotations}
	cfg, _ := json.Marshal(config)
	info := struct {
		Pid            int             `json:"pid"`
		Status         string          `json:"processStatus"`
		NetNSClosed    bool            `json:"netNamespaceClosed"`
		Image          string          `json:"image"`
		SnapshotKey    string          `json:"snapshotKey"`
		Snapshotter    string          `json:"snapshotter"`
		RuntimeHandler string          `json:"runtimeHandler"`
		RuntimeType    string          `json:"runtimeType"`
		RuntimeOptions map[string]bool `json:"runtimeOptions"`
		Config         json.RawMessage `json:"config"`
		RuntimeSpec    json.RawMessage `json:"runtimeSpec"`
	}{int(pid), procStatus, procStatus != "running", image, s.Id, "overlayfs", s.RuntimeHandler, "io.containerd.runc.v2",
		map[string]bool{"systemd_cgroup": true}, cfg, orNull(rt.RuntimeSpec(s.Id))}
	b, _ := json.Marshal(info)
	return string(b)
}

// imageInfo is containerd's verbose image info: the chain ID and the OCI
// image config (from the catalog; the layer ids are stand-ins derived from
// the image id, as its digests are).
func imageInfo(rt *chain.Chain, img *runtimeapi.Image) string {
	type imageConfig struct {
		User         string              `json:"User,omitempty"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
		Env          []string            `json:"Env,omitempty"`
		Entrypoint   []string            `json:"Entrypoint,omitempty"`
		Cmd          []string            `json:"Cmd,omitempty"`
		WorkingDir   string              `json:"WorkingDir,omitempty"`
		StopSignal   string              `json:"StopSignal,omitempty"`
	}
	var cfg imageConfig
	ref := img.GetSpec().GetImage()
	if len(img.RepoTags) > 0 {
		ref = img.RepoTags[0]
	}
	if cat := rt.Catalog(); cat != nil {
		if ci, err := cat.Resolve(ref); err == nil {
			c := ci.Config
			cfg = imageConfig{User: c.User, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd, WorkingDir: c.WorkingDir, StopSignal: c.StopSignal}
			for _, p := range c.ExposedPorts {
				if cfg.ExposedPorts == nil {
					cfg.ExposedPorts = map[string]struct{}{}
				}
				cfg.ExposedPorts[fmt.Sprintf("%d/tcp", p)] = struct{}{}
			}
		}
	}
	var diffIDs []string
	chainID := ""
	for i := range 3 {
		d := fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(fmt.Sprintf("%s/layer/%d", img.Id, i))))
		diffIDs = append(diffIDs, d)
		if chainID == "" {
			chainID = d
		} else {
			chainID = fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(chainID+" "+d)))
		}
	}
	info := struct {
		ChainID   string `json:"chainID"`
		ImageSpec struct {
			Architecture string      `json:"architecture"`
			OS           string      `json:"os"`
			Config       imageConfig `json:"config,omitempty"`
			RootFS       struct {
				Type    string   `json:"type"`
				DiffIDs []string `json:"diff_ids"`
			} `json:"rootfs"`
		} `json:"imageSpec"`
	}{ChainID: chainID}
	info.ImageSpec.Architecture, info.ImageSpec.OS, info.ImageSpec.Config = "amd64", "linux", cfg
	info.ImageSpec.RootFS.Type, info.ImageSpec.RootFS.DiffIDs = "layers", diffIDs
	b, _ := json.Marshal(info)
	return string(b)
}

// inspectTable is `crictl inspect -o table`.
func inspectTable(w io.Writer, s *runtimeapi.ContainerStatus, now time.Time) {
	fmt.Fprintf(w, "ID: %s\n", s.Id)
	if md := s.Metadata; md != nil {
		if md.Name != "" {
			fmt.Fprintf(w, "Name: %s\n", md.Name)
		}
		if md.Attempt != 0 {
			fmt.Fprintf(w, "Attempt: %v\n", md.Attempt)
		}
	}
	fmt.Fprintf(w, "State: %s\n", s.State)
	fmt.Fprintf(w, "Created: %s\n", ago(now, s.CreatedAt))
	if s.State != runtimeapi.ContainerState_CONTAINER_CREATED {
		fmt.Fprintf(w, "Started: %s\n", ago(now, s.StartedAt))
	}
	if s.State == runtimeapi.ContainerState_CONTAINER_EXITED {
		if s.FinishedAt > 0 {
			fmt.Fprintf(w, "Finished: %s\n", ago(now, s.FinishedAt))
		}
		fmt.Fprintf(w, "Exit Code: %v\n", s.ExitCode)
	}
	if len(s.Labels) > 0 {
		fmt.Fprintln(w, "Labels:")
		for _, k := range sortedKeys(s.Labels) {
			fmt.Fprintf(w, "\t%s -> %s\n", k, s.Labels[k])
		}
	}
	if len(s.Annotations) > 0 {
		fmt.Fprintln(w, "Annotations:")
		for _, k := range sortedKeys(s.Annotations) {
			fmt.Fprintf(w, "\t%s -> %s\n", k, s.Annotations[k])
		}
	}
}

// resolveSandbox finds a pod sandbox by id or a unique id prefix.
func resolveSandbox(ctx context.Context, rs runtimeapi.RuntimeServiceServer, prefix string) (string, error) {
	resp, err := rs.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return "", err
	}
	var found []string
	for _, p := range resp.Items {
		if strings.HasPrefix(p.Id, prefix) {
			found = append(found, p.Id)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return "", fmt.Errorf("rpc error: code = NotFound desc = an error occurred when try to find sandbox %q: not found", prefix)
}
