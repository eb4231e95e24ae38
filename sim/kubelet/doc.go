// Package kubelet is one node's agent: it registers the Node and its Lease,
// runs the control plane's static pods, and takes every pod bound to its node
// through the node's CRI runtime chain (sandbox, image pull, create, start,
// stop), writing the pod status a real kubelet writes and the events it
// records. Every step costs the virtual time the runtime chain charges.
//
// Container lifecycle follows kuberuntime: init containers one after
// another, native sidecars (restartable init containers) started in that
// order and kept running beside the app containers, restarts with the
// crash-loop back-off, a restart when a container's image changes, probes
// counted against their thresholds, and the pod phase of getPhase
// (phase.go, sidecar.go, probes.go).
//
// A container whose main process is a shell script runs in runtime/shell
// (runtime/chain's script.go); the kubelet drives it on the virtual clock
// (procs.go: a timer per wake, a filesystem watch while a polling loop is
// parked) and exits the container with its status. Probes are one worker
// per probe (probes.go), probing each period the live container; a passing
// one waits for the filesystem to change instead of ticking.
//
// Before a pod's sandbox is created its volumes are set up (volumes.go,
// the volume manager's MountVolume.SetUp): a hostPath is type-checked
// against the node's host filesystem (HostFS, the runtime chain's "/");
// configMap, secret, downwardAPI and projected volumes get their payload
// from the plugins' rules (projected.go) through the atomic writer; a
// volume that fails (a missing ConfigMap, a missing item key) keeps the
// pod ContainerCreating, retried with back-off and reported in FailedMount
// events with upstream's text. A ConfigMap or Secret update reaches the
// files at the pod's next periodic sync (one timer), a label or annotation
// change at once; subPath mounts keep what they mounted.
// A persistentVolumeClaim volume (pvc.go) waits until its claim is bound
// and mounts the bound volume's directory of HostFS (local-path's
// /opt/local-path-provisioner/pvc-<uid>_<ns>_<claim>), so its files
// outlive the pod; a deleted local-path volume of the node takes its
// directory.
//
// The eviction manager (eviction.go) checks memory.available against the
// 100Mi hard threshold and emptyDir usage against sizeLimit on the 10 s
// monitoring interval, but only when a container's memory or a sized
// emptyDir changed (one timer, no ticking); it evicts one pod per pass
// (Failed, Evicted, upstream's message), posts MemoryPressure (the node
// lifecycle controller adds the NoSchedule taint), rejects BestEffort pods
// while it lasts and clears it five minutes after the threshold was last
// met.
//
// Ephemeral containers (ephemeral.go, kubectl debug) added through
// pods/ephemeralcontainers are started as soon as the kubelet sees them,
// never restarted, and reported in status.ephemeralContainerStatuses.
//
// It talks to the rest of the cluster only through sim/registry and
// the store events the cluster loop hands it; it never reads the wall clock.
package kubelet
