package kubelet

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/runtime/containerfs"
)

// The volume manager's part of a pod's start (pkg/kubelet/volumemanager):
// before the sandbox is created every volume of the pod is set up
// (MountVolume.SetUp); a volume that fails is retried with the operation
// executor's exponential back-off (500 ms doubling to 2m2s), each failure
// a FailedMount event, and the pod stays ContainerCreating until every
// volume is up. The pod worker's wait (WaitForAttachAndMount) gives up
// after 2m3s with its own FailedMount event and waits again.

const (
	mountRetryFirst = 500 * time.Millisecond        // initialDurationBeforeRetry
	mountRetryMax   = 2*time.Minute + 2*time.Second // maxDurationBeforeRetry
	mountWaitLimit  = 2*time.Minute + 3*time.Second // podAttachAndMountTimeout
	// syncRetry is the pod worker's back-off before it syncs a pod whose
	// sync failed again [guess: workerBackOffPeriod, without jitter].
	syncRetry = 10 * time.Second
)

// mountRetry is the delay after the n-th consecutive failure (n ≥ 0).
func mountRetry(n int) time.Duration {
	d := mountRetryFirst
	for ; n > 0 && d < mountRetryMax; n-- {
		d *= 2
	}
	return min(d, mountRetryMax)
}

// HostFS is the node's host filesystem, its "/" (the runtime chain's; see
// chain.Chain.HostFS): hostPath volumes mount subtrees of it.
func (k *Kubelet) HostFS() *containerfs.Volume { return k.cfg.Runtime.HostFS() }

// volumeError is one volume whose SetUp failed; process marks a volume
// the desired-state populator could not resolve (an unbound claim), which
// gets no SetUp event.
type volumeError struct {
	name    string
	err     error
	process bool
}

// setUpVolumes runs SetUp for every volume of the pod, in spec order, and
// returns the failures.
func (k *Kubelet) setUpVolumes(ps *podState) []volumeError {
	var out []volumeError
	for i := range ps.pod.Spec.Volumes {
		v := &ps.pod.Spec.Volumes[i]
		var err error
		process := false
		switch {
		case v.HostPath != nil:
			err = k.setUpHostPath(v.HostPath)
		case v.EmptyDir != nil:
			vol := k.cfg.Runtime.HostDir(k.podDir(ps) + "/volumes/kubernetes.io~empty-dir/" + v.Name)
			if v.EmptyDir.SizeLimit != nil && v.EmptyDir.SizeLimit.Sign() > 0 {
				k.watchSized(ps, v.Name, vol)
			}
		case atomicPlugin(v) != "":
			_, err = k.setUpAtomic(ps, v)
		case v.PersistentVolumeClaim != nil:
			process, err = k.setUpClaim(ps.ns, v.PersistentVolumeClaim)
		}
		if err != nil {
			out = append(out, volumeError{v.Name, err, process})
		}
	}
	return out
}

// mountThenRun sets up the pod's volumes and, once they all are, creates
// its sandbox; until then it retries with back-off.
func (k *Kubelet) mountThenRun(ps *podState) {
	errs := k.setUpVolumes(ps)
	if len(errs) == 0 {
		ps.mountFails, ps.mountWaitSince = 0, time.Time{}
		ps.volumesUp = true
		k.runSandbox(ps)
		return
	}
	now := k.cfg.Clock.Now()
	if ps.mountWaitSince.IsZero() {
		ps.mountWaitSince = now
	}
	var unprocessed, why []string
	for _, e := range errs {
		if e.process {
			unprocessed, why = append(unprocessed, e.name), append(why, e.err.Error())
			continue
		}
		k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, "FailedMount",
			fmt.Sprintf("MountVolume.SetUp failed for volume %q : %v", e.name, e.err))
	}
	if len(unprocessed) > 0 {
		// WaitForAttachAndMount returns the populator's errors at once.
		k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, "FailedMount",
			"Unable to attach or mount volumes: unmounted volumes=["+strings.Join(unprocessed, " ")+"], unattached volumes=[], failed to process volumes=["+
				strings.Join(unprocessed, " ")+"]: "+strings.Join(why, "; "))
	}
	if now.Sub(ps.mountWaitSince) >= mountWaitLimit && len(unprocessed) == 0 {
		names := make([]string, len(errs))
		for i, e := range errs {
			names[i] = e.name
		}
		// [guess: the 1.27 wording; later releases read the same through
		// wait.ErrorInterrupted]
		k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, "FailedMount",
			"Unable to attach or mount volumes: unmounted volumes=["+strings.Join(names, " ")+"], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition")
		ps.mountWaitSince = now.Add(syncRetry)
	}
	d := mountRetry(ps.mountFails)
	ps.mountFails++
	if len(unprocessed) > 0 {
		d = syncRetry // the pod worker syncs again; the populator has retried by then
	}
	k.after(ps, d, func() { k.mountThenRun(ps) })
}

// setUpHostPath is the hostPath plugin's SetUp: the type check against the
// node's host filesystem, creating the directory or file for the
// …OrCreate types (pkg/volume/hostpath/host_path.go checkType). Messages
// are those of 1.27–1.33 (later releases say "hostPath %s doesn't exist"
// and "…, it's a %s").
func (k *Kubelet) setUpHostPath(src *corev1.HostPathVolumeSource) error {
	t := corev1.HostPathUnset
	if src.Type != nil {
		t = *src.Type
	}
	if t == corev1.HostPathUnset {
		return nil
	}
	host := k.HostFS().FS()
	p := src.Path
	st, err := host.Stat(p)
	exists := err == nil
	is := func(want string) bool { return exists && fileType(st.Mode()) == want }
	failed := func(what string) error { return fmt.Errorf("hostPath type check failed: %s is not a %s", p, what) }
	switch t {
	case corev1.HostPathDirectoryOrCreate:
		if !exists {
			return host.MkdirAll(p, 0o755)
		}
		fallthrough
	case corev1.HostPathDirectory:
		if !is("Directory") {
			return failed("directory")
		}
	case corev1.HostPathFileOrCreate:
		if !exists {
			f, err := host.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			return f.Close()
		}
		fallthrough
	case corev1.HostPathFile:
		if !is("File") {
			return failed("file")
		}
	case corev1.HostPathSocket:
		if !is("Socket") {
			return failed("socket file")
		}
	case corev1.HostPathCharDev:
		if !is("CharDevice") {
			return failed("character device")
		}
	case corev1.HostPathBlockDev:
		if !is("BlockDevice") {
			return failed("block device")
		}
	default:
		return fmt.Errorf("%s is an invalid volume type", t)
	}
	return nil
}

// fileType names a mode as the kubelet's hostutil GetFileType does.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "Directory"
	case m&fs.ModeSocket != 0:
		return "Socket"
	case m&fs.ModeCharDevice != 0:
		return "CharDevice"
	case m&fs.ModeDevice != 0:
		return "BlockDevice"
	case m.IsRegular():
		return "File"
	}
	return "Unknown"
}

// syncFrequency is the kubelet's periodic pod sync (syncFrequency, 1m): each
// sync has the volume manager remount the pod's atomic volumes, so a
// ConfigMap or Secret update reaches the files at the pod's next sync
// (the Watch change-detection strategy's cache is current at once).
const syncFrequency = time.Minute

// refreshVolumes remounts the pod's atomic volumes (the reconciler after a
// pod sync): files change where their source did. A source that is gone is
// a FailedMount event and the files stay as they were.
func (k *Kubelet) refreshVolumes(ps *podState) {
	if !ps.volumesUp || ps.killing {
		return
	}
	for i := range ps.pod.Spec.Volumes {
		v := &ps.pod.Spec.Volumes[i]
		if atomicPlugin(v) == "" {
			continue
		}
		if _, err := k.setUpAtomic(ps, v); err != nil {
			k.cfg.Recorder.Event(ps.pod, "", k.source(), corev1.EventTypeWarning, "FailedMount",
				fmt.Sprintf("MountVolume.SetUp failed for volume %q : %v", v.Name, err))
		}
	}
}

// syncVolumesSoon remounts the pod's atomic volumes at its next periodic
// sync (one timer, however many changes come before it).
func (k *Kubelet) syncVolumesSoon(ps *podState) {
	if !ps.volumesUp || ps.volumeSyncArmed {
		return
	}
	ps.volumeSyncArmed = true
	d := syncFrequency - k.cfg.Clock.Now().Sub(ps.startTime.Time)%syncFrequency
	k.after(ps, d, func() {
		ps.volumeSyncArmed = false
		k.refreshVolumes(ps)
	})
}

// mountsObject: one of the pod's volumes takes its files from the
// ConfigMap (configMap true) or Secret name.
func mountsObject(p *corev1.Pod, configMap bool, name string) bool {
	for i := range p.Spec.Volumes {
		v := &p.Spec.Volumes[i]
		switch {
		case configMap && v.ConfigMap != nil && v.ConfigMap.Name == name,
			!configMap && v.Secret != nil && v.Secret.SecretName == name:
			return true
		case v.Projected != nil:
			for _, s := range v.Projected.Sources {
				if configMap && s.ConfigMap != nil && s.ConfigMap.Name == name ||
					!configMap && s.Secret != nil && s.Secret.Name == name {
					return true
				}
			}
		}
	}
	return false
}
