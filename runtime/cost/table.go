package cost

import "time"

const (
	us = time.Microsecond
	ms = time.Millisecond
)

// Source notes used below.
const (
	noFigure   = "no published figure; modelled"
	calibrated = "no published per-call figure; per-item CPU calibrated so the 105-pod steady state (runtime/compare) reproduces the published kubelet CPU −30.89 % and runtime CPU −68.13 % (Published)"
	sameAsShim = "no published figure; cri-dockerd is dockershim moved out of the kubelet (Mirantis/cri-dockerd README), so dockershim's figures are reused"
	crioAsCtrd = "no published figure (CLOSER 2020, Espe et al., abstract only: containerd ahead on CPU); CRI-O modelled a little above containerd's CRI plugin"
)

// defaultJitter: no published figure; an exponential tail with mean 10 %
// gives a p99/p50 spread of start-up latency of about 1.3× [guess].
const defaultJitter = 0.10

var defaultEdges = []Edge{
	// kubelet → CRI server: gRPC over a unix socket (kubernetes.io/docs/concepts/containers/cri).
	// dockershim listened on dockershim.sock inside the kubelet process (pkg/kubelet/kubelet_dockershim.go).
	{From: "kubelet", To: "dockershim", Protocol: "gRPC (unix, in-process server)", Latency: 100 * us, ClientCPU: 25 * us, ServerCPU: 25 * us, Source: noFigure},
	{From: "kubelet", To: "cri-dockerd", Protocol: "gRPC (unix)", Latency: 150 * us, ClientCPU: 25 * us, ServerCPU: 25 * us, Source: noFigure},
	{From: "kubelet", To: "containerd", Protocol: "gRPC (unix)", Latency: 150 * us, ClientCPU: 25 * us, ServerCPU: 25 * us, Source: noFigure},
	{From: "kubelet", To: "crio", Protocol: "gRPC (unix)", Latency: 150 * us, ClientCPU: 25 * us, ServerCPU: 25 * us, Source: noFigure},
	// shim → dockerd: Docker Engine REST API over /var/run/docker.sock (docs.docker.com/reference/api/engine).
	{From: "dockershim", To: "dockerd", Protocol: "HTTP/JSON (unix)", Latency: 400 * us, ClientCPU: 20 * us, ServerCPU: 60 * us, Source: noFigure},
	{From: "cri-dockerd", To: "dockerd", Protocol: "HTTP/JSON (unix)", Latency: 400 * us, ClientCPU: 20 * us, ServerCPU: 60 * us, Source: sameAsShim},
	// dockerd → containerd: gRPC, namespace "moby" (moby cmd/dockerd --containerd).
	{From: "dockerd", To: "containerd", Protocol: "gRPC (unix)", Latency: 150 * us, ClientCPU: 25 * us, ServerCPU: 25 * us, Source: noFigure},
	// containerd → shim: ttRPC (containerd core/runtime/v2/README.md).
	{From: "containerd", To: "containerd-shim-runc-v2", Protocol: "ttRPC (unix)", Latency: 80 * us, ClientCPU: 10 * us, ServerCPU: 10 * us, Source: noFigure},
	// shim → runc, crio → conmon, conmon → runc, crio → runc: fork/exec.
	{From: "containerd-shim-runc-v2", To: "runc", Protocol: "fork/exec", Latency: 3 * ms, ClientCPU: 300 * us, ServerCPU: 1 * ms, Source: noFigure},
	{From: "crio", To: "conmon", Protocol: "fork/exec", Latency: 3 * ms, ClientCPU: 300 * us, ServerCPU: 500 * us, Source: noFigure},
	{From: "conmon", To: "runc", Protocol: "fork/exec", Latency: 3 * ms, ClientCPU: 300 * us, ServerCPU: 1 * ms, Source: noFigure},
	{From: "crio", To: "runc", Protocol: "fork/exec", Latency: 3 * ms, ClientCPU: 300 * us, ServerCPU: 1 * ms, Source: noFigure},
}

var defaultEntries = []Entry{
	// The kubelet's own side of each CRI call (building requests, reading
	// replies, the PLEG comparing lists): the same for every chain.
	{Hop: "kubelet", Op: "*", CPU: 30 * us, Source: noFigure},
	{Hop: "kubelet", Op: "ListPodSandbox", CPU: 30 * us, PerItem: 6 * us, Source: calibrated},
	{Hop: "kubelet", Op: "ListContainers", CPU: 30 * us, PerItem: 6 * us, Source: calibrated},

	// dockershim (in the kubelet process) and cri-dockerd: CRI → Engine API.
	{Hop: "dockershim", Op: "*", Latency: 200 * us, CPU: 20 * us, Source: noFigure},
	{Hop: "dockershim", Op: "RunPodSandbox", Latency: 35 * ms, CPU: 2 * ms, Source: noFigure + " (includes the CNI ADD dockershim ran itself, 30 ms [guess])"},
	{Hop: "dockershim", Op: "ListPodSandbox", Latency: 300 * us, CPU: 20 * us, PerItem: 1620 * time.Nanosecond, Source: calibrated},
	{Hop: "dockershim", Op: "ListContainers", Latency: 300 * us, CPU: 20 * us, PerItem: 1620 * time.Nanosecond, Source: calibrated},
	{Hop: "cri-dockerd", Op: "*", Latency: 200 * us, CPU: 20 * us, Source: sameAsShim},
	{Hop: "cri-dockerd", Op: "RunPodSandbox", Latency: 35 * ms, CPU: 2 * ms, Source: sameAsShim},
	{Hop: "cri-dockerd", Op: "ListPodSandbox", Latency: 300 * us, CPU: 20 * us, PerItem: 1620 * time.Nanosecond, Source: sameAsShim},
	{Hop: "cri-dockerd", Op: "ListContainers", Latency: 300 * us, CPU: 20 * us, PerItem: 1620 * time.Nanosecond, Source: sameAsShim},

	// dockerd: Engine API → its own container store (+ containerd on start).
	{Hop: "dockerd", Op: "*", Latency: 500 * us, CPU: 150 * us, Source: noFigure},
	{Hop: "dockerd", Op: "POST /containers/create", Latency: 25 * ms, CPU: 3 * ms, Source: noFigure + " (writes config.v2.json, prepares the graphdriver layer)"},
	{Hop: "dockerd", Op: "POST /containers/{id}/start", Latency: 8 * ms, CPU: 1500 * us, Source: noFigure + " (builds the OCI spec, mounts the rootfs)"},
	{Hop: "dockerd", Op: "POST /containers/{id}/stop", Latency: 2 * ms, CPU: 300 * us, Source: noFigure},
	{Hop: "dockerd", Op: "DELETE /containers/{id}", Latency: 10 * ms, CPU: 1 * ms, Source: noFigure},
	{Hop: "dockerd", Op: "GET /containers/json", Latency: 500 * us, CPU: 100 * us, PerItem: 2100 * time.Nanosecond, Source: calibrated},

	// containerd: the CRI plugin and core (one process).
	{Hop: "containerd", Op: "*", Latency: 300 * us, CPU: 60 * us, Source: noFigure},
	{Hop: "containerd", Op: "RunPodSandbox", Latency: 32 * ms, CPU: 1500 * us, Source: noFigure + " (includes the CNI ADD the CRI plugin runs, 30 ms [guess])"},
	{Hop: "containerd", Op: "CreateContainer", Latency: 6 * ms, CPU: 800 * us, Source: noFigure + " (OCI spec, snapshot prepare)"},
	{Hop: "containerd", Op: "ListPodSandbox", Latency: 100 * us, CPU: 30 * us, PerItem: 1 * us, Source: calibrated},
	{Hop: "containerd", Op: "ListContainers", Latency: 100 * us, CPU: 30 * us, PerItem: 1 * us, Source: calibrated},
	{Hop: "containerd", Op: "Containers.Create", Latency: 2 * ms, CPU: 300 * us, Source: noFigure},
	{Hop: "containerd", Op: "Tasks.Create", Latency: 4 * ms, CPU: 500 * us, Source: noFigure + " (bundle + config.json)"},
	{Hop: "containerd", Op: "Tasks.Start", Latency: 1 * ms, CPU: 200 * us, Source: noFigure},

	// containerd-shim-runc-v2: "start" is containerd exec'ing a new shim binary.
	{Hop: "containerd-shim-runc-v2", Op: "*", Latency: 300 * us, CPU: 50 * us, Source: noFigure},
	{Hop: "containerd-shim-runc-v2", Op: "start", Latency: 15 * ms, CPU: 4 * ms, Source: noFigure + " (fork/exec + daemonise + ttrpc socket)"},

	// runc: create does namespaces, cgroups, mounts, pivot_root; start execs the process.
	{Hop: "runc", Op: "*", Latency: 2 * ms, CPU: 1 * ms, Source: noFigure},
	{Hop: "runc", Op: "create", Latency: 45 * ms, CPU: 12 * ms, Source: noFigure},
	{Hop: "runc", Op: "start", Latency: 4 * ms, CPU: 1 * ms, Source: noFigure},

	// CRI-O and conmon (one conmon per container, cri-o internal/oci/runtime_oci.go).
	{Hop: "crio", Op: "*", Latency: 300 * us, CPU: 70 * us, Source: crioAsCtrd},
	{Hop: "crio", Op: "RunPodSandbox", Latency: 33 * ms, CPU: 1800 * us, Source: crioAsCtrd + " (includes CNI ADD, 30 ms [guess])"},
	{Hop: "crio", Op: "CreateContainer", Latency: 8 * ms, CPU: 1 * ms, Source: crioAsCtrd + " (containers/storage, OCI spec)"},
	{Hop: "crio", Op: "ListPodSandbox", Latency: 100 * us, CPU: 35 * us, PerItem: 1200 * time.Nanosecond, Source: crioAsCtrd},
	{Hop: "crio", Op: "ListContainers", Latency: 100 * us, CPU: 35 * us, PerItem: 1200 * time.Nanosecond, Source: crioAsCtrd},
	{Hop: "conmon", Op: "*", Latency: 15 * ms, CPU: 400 * us, Source: noFigure + " (double fork to daemonise, conmon README; waits for runc create and reports the pid back: 15 ms [guess])"},
}
