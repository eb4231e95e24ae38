// Package chain implements the CRI v1 RuntimeService and ImageService
// (k8s.io/cri-api) by a chain of hops, each doing the translation of its layer
// and nothing more:
//
//	docker       kubelet → dockershim → dockerd → containerd → containerd-shim-runc-v2 → runc
//	containerd   kubelet → containerd (CRI plugin) → containerd-shim-runc-v2 → runc
//	cri-o        kubelet → crio → conmon → runc
//	cri-dockerd  kubelet → cri-dockerd → dockerd → containerd → containerd-shim-runc-v2 → runc
//
// dockershim and cri-dockerd speak the Docker Engine API (JSON bodies as the
// Docker client sends them) to dockerd; dockerd speaks the containerd API;
// containerd speaks ttRPC task requests to a shim; shims, conmon and crio run
// runc with an OCI config.json; runc starts a simulated process from the image
// catalog (runtime/images). Transport is in-process: a request crossing a
// process boundary is encoded and decoded (protobuf for CRI, JSON otherwise),
// so measured cost grows with the hops. Each hop records what it received
// (Trace) and charges its modelled latency and CPU from runtime/cost.
//
// The chain owns sandbox, container and image state and their IDs (derived
// from Config.Seed, never crypto/rand). CRI-visible state is kept once, at the
// front; hops keep only what their translation needs.
//
// Pod networking is the runtime's, as in Kubernetes: RunPodSandbox calls
// the node's CNI plugin (Config.CNI, ADD) where each runtime does, and the
// IP it returns is the sandbox's, reported in PodSandboxStatus; stopping
// the sandbox calls the plugin's DEL.
//
// It also owns the containers' filesystems (fs.go): one runtime/containerfs
// filesystem per container from CreateContainer to RemoveContainer over the
// image's shared layer, the node's host paths containers bind-mount (the
// kubelet's pod directories), and the sandbox's hostname and resolv.conf.
// Exec (Chain.Exec, and runc exec under ExecSync) runs runtime/shell there.
//
// It must not: read the wall clock (time comes from Config.Now), allocate pod
// IPs itself (the CNI plugin does), know about the API server, or start
// goroutines (an exec'd process runs on runtime/shell's goroutine while the
// caller waits for it). All methods are safe for concurrent use (one mutex), so a gRPC
// server (runtime/cri) may call it while the simulation runs. The callbacks
// of Config (Now, CNI, Network and the images.Network it
// returns) run with that mutex held and must not call back into the same
// Chain.
package chain
