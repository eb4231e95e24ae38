package hosts

import (
	"bytes"
	"context"
	"fmt"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// The container log files the runtime writes on the node, in the CRI log
// format ("<RFC3339Nano> stdout F <line>"):
// /var/log/pods/<ns>_<pod>_<uid>/<container>/<restarts>.log and the
// /var/log/containers/<pod>_<ns>_<container>-<id>.log links to them. They
// are brought up to date before each command a host's shell runs.

// syncPodLogs writes the node's container logs. Call it with the cluster
// lock held.
func (h *Host) syncPodLogs() {
	k := h.cluster().Node(h.Name)
	if k == nil || !k.MachineUp() {
		return
	}
	rt := k.Runtime()
	defer rt.TakeCost()
	resp, err := rt.Runtime().ListContainers(context.Background(), &runtimeapi.ListContainersRequest{})
	if err != nil {
		return
	}
	for _, ct := range resp.Containers {
		l := ct.Labels
		ns, pod, uid, name := l["io.kubernetes.pod.namespace"], l["io.kubernetes.pod.name"], l["io.kubernetes.pod.uid"], ct.Metadata.GetName()
		if ns == "" || pod == "" {
			continue
		}
		started, lines, err := rt.ContainerLogs(ct.Id)
		if err != nil {
			continue
		}
		var b bytes.Buffer
		for _, ln := range lines {
			fmt.Fprintf(&b, "%s %s F %s\n", started.Add(ln.Offset).UTC().Format("2006-01-02T15:04:05.000000000Z07:00"), ln.Stream, ln.Text)
		}
		dir := fmt.Sprintf("/var/log/pods/%s_%s_%s/%s", ns, pod, uid, name)
		file := fmt.Sprintf("%s/%d.log", dir, ct.Metadata.GetAttempt())
		if old, err := h.fs.ReadFile(file); err == nil && bytes.Equal(old, b.Bytes()) {
			continue
		}
		h.fs.MkdirAll(dir, 0o755)
		h.fs.WriteFile(file, b.Bytes(), 0o640)
		link := fmt.Sprintf("/var/log/containers/%s_%s_%s-%s.log", pod, ns, name, ct.Id)
		if _, err := h.fs.Lstat(link); err != nil {
			h.fs.MkdirAll("/var/log/containers", 0o755)
			h.fs.Symlink(file, link)
		}
	}
}
