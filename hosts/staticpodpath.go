package hosts

import (
	"time"

	"sigs.k8s.io/yaml"
)

// The kubelet's file source is config.yaml's staticPodPath as the kubelet
// read it when it last started: a path that does not exist is logged and
// ignored (file_linux.go: "Unable to read config path" … "path does not
// exist, ignoring") and the source reports no pods, so the kubelet stops
// every static pod it ran (on the control plane: the API goes with
// kube-apiserver's); an empty one means no file source at all.

// podPathState is what the running kubelet took from config.yaml.
type podPathState struct {
	read bool   // the kubelet has started since the host was built
	dir  string // its staticPodPath
}

func (h *Host) podPath() *podPathState {
	type key struct{ host string }
	return h.cluster().Extension(key{h.Name}, func() any { return &podPathState{} }).(*podPathState)
}

// staticPodDir is the directory the kubelet takes static pods from, ""
// for none.
func (h *Host) staticPodDir() string {
	if st := h.podPath(); st.read {
		return st.dir
	}
	return manifestDir
}

// kubeletReadsPodPath is the started kubelet (pid) reading its
// staticPodPath at t. Call it with the cluster lock held.
func (h *Host) kubeletReadsPodPath(t time.Time, pid int) {
	var cfg struct {
		StaticPodPath string `json:"staticPodPath"`
		CgroupDriver  string `json:"cgroupDriver"`
	}
	if b, err := h.fs.ReadFile("/var/lib/kubelet/config.yaml"); err == nil {
		yaml.Unmarshal(b, &cfg)
	}
	h.kubeletCgroupDriver(cfg.CgroupDriver) // cgroupdriver.go
	st := h.podPath()
	st.read, st.dir = true, cfg.StaticPodPath
	if st.dir == "" {
		return
	}
	if _, err := h.fs.Stat(st.dir); err != nil {
		h.journalf(t, "kubelet", pid, "kubelet.service", "E%s %7d file_linux.go:61] \"Unable to read config path\" err=\"path does not exist, ignoring\" path=%q", klogTime(t), pid, st.dir)
	}
}
