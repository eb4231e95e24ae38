package chain

import (
	"maps"
	"slices"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// statsWindow is the window a stats call's CPU rate covers (the cadvisor
// housekeeping interval the runtime's figures come from).
const statsWindow = 10 * time.Second

// containerStats are the running containers' figures, as
// ListContainerStats returns them to crictl stats: CPU
// from the metrics model (usage.go), the working set, and the writable
// layer's bytes and inodes. Call it with the lock held.
func (c *Chain) containerStats(f *runtimeapi.ContainerStatsFilter) []*runtimeapi.ContainerStats {
	now := c.now()
	var out []*runtimeapi.ContainerStats
	for _, id := range slices.Sorted(maps.Keys(c.containers)) {
		ct := c.containers[id]
		if c.refresh(ct) != runtimeapi.ContainerState_CONTAINER_RUNNING {
			continue
		}
		if f != nil && (f.Id != "" && f.Id != ct.id || f.PodSandboxId != "" && f.PodSandboxId != ct.sandboxID || !labelsMatch(ct.cfg.GetLabels(), f.LabelSelector)) {
			continue
		}
		u, ok := c.usageLocked(ct, now.Add(-statsWindow), now)
		if !ok {
			continue
		}
		ts := now.UnixNano()
		running := max(now.Sub(ct.startedAt), 0)
		out = append(out, &runtimeapi.ContainerStats{
			Attributes: &runtimeapi.ContainerAttributes{Id: ct.id, Metadata: ct.cfg.GetMetadata(), Labels: ct.cfg.GetLabels(), Annotations: ct.cfg.GetAnnotations()},
			Cpu: &runtimeapi.CpuUsage{Timestamp: ts, UsageNanoCores: &runtimeapi.UInt64Value{Value: uint64(u.MilliCPU) * 1e6},
				UsageCoreNanoSeconds: &runtimeapi.UInt64Value{Value: uint64(u.MilliCPU) * uint64(running/time.Millisecond)}},
			Memory: &runtimeapi.MemoryUsage{Timestamp: ts, WorkingSetBytes: &runtimeapi.UInt64Value{Value: uint64(u.Memory)}},
			WritableLayer: &runtimeapi.FilesystemUsage{Timestamp: ts, FsId: &runtimeapi.FilesystemIdentifier{Mountpoint: "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs"},
				UsedBytes: &runtimeapi.UInt64Value{Value: writableBytes}, InodesUsed: &runtimeapi.UInt64Value{Value: writableInodes}},
		})
	}
	return out
}

// A container's writable layer as crictl stats shows it for a container
// that has written nothing of its own [guess: the few directories and
// files the runtime creates in the upper dir, as seen on containerd 1.6].
const (
	writableBytes  = 12288
	writableInodes = 3
)
