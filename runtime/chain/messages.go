package chain

// What each layer receives. These are the shapes of the real protocols, cut
// to the fields the simulation uses.

// DockerRequest is a Docker Engine API request as dockershim or cri-dockerd
// sends it to dockerd (docs.docker.com/reference/api/engine). Body is the JSON
// the Docker client marshals.
type DockerRequest struct {
	Method string
	Path   string // "/v1.41/containers/create"
	Query  string // encoded, "name=k8s_POD_…"
	Body   []byte
}

// DockerResponse is dockerd's answer.
type DockerResponse struct {
	Status int
	Body   []byte
}

// ContainerdRequest is a containerd API call (gRPC from dockerd, a direct
// function call from the CRI plugin).
type ContainerdRequest struct {
	Service   string               // "containerd.services.containers.v1.Containers"
	Method    string               // "Create"
	Namespace string               // "moby" (dockerd) or "k8s.io" (CRI plugin)
	Container *ContainerdContainer `json:",omitempty"`
	Task      *ContainerdTask      `json:",omitempty"`
}

// ContainerdContainer is containerd's container record (containers.v1.Container).
type ContainerdContainer struct {
	ID          string
	Image       string `json:",omitempty"`
	Labels      map[string]string
	Runtime     string // "io.containerd.runc.v2"
	Spec        *Spec  `json:",omitempty"`
	Snapshotter string `json:",omitempty"`
	SnapshotKey string `json:",omitempty"`
}

// ContainerdTask is the body of a tasks.v1 call.
type ContainerdTask struct {
	ContainerID string
	ExecID      string   `json:",omitempty"`
	Signal      int      `json:",omitempty"`
	Stdout      string   `json:",omitempty"`
	Stderr      string   `json:",omitempty"`
	Terminal    bool     `json:",omitempty"`
	Rootfs      []Mount  `json:",omitempty"`
	Process     *Process `json:",omitempty"` // exec
}

// ShimRequest is a containerd.task.v2.Task ttRPC request to a shim, or the
// shim binary's "start" subcommand (Method "start", Args its argv).
type ShimRequest struct {
	Method   string   // "start", "Create", "Start", "Kill", "Delete", "Exec", "Shutdown"
	Args     []string `json:",omitempty"`
	ID       string
	ExecID   string   `json:",omitempty"`
	Bundle   string   `json:",omitempty"`
	Rootfs   []Mount  `json:",omitempty"`
	Stdout   string   `json:",omitempty"`
	Stderr   string   `json:",omitempty"`
	Terminal bool     `json:",omitempty"`
	Signal   int      `json:",omitempty"`
	Process  *Process `json:",omitempty"`
}

// RuncCall is one runc invocation: its argv and, for create, the bundle's
// config.json as runc reads it (for exec, the process.json).
type RuncCall struct {
	Args    []string
	Config  *Spec    `json:",omitempty"`
	Process *Process `json:",omitempty"`
}

// ConmonCall is one conmon invocation by CRI-O (one conmon per container).
type ConmonCall struct {
	Args []string
}

// Spec is the OCI runtime spec (config.json), the fields used.
type Spec struct {
	OCIVersion  string            `json:"ociVersion"`
	Process     *Process          `json:"process,omitempty"`
	Root        *Root             `json:"root,omitempty"`
	Hostname    string            `json:"hostname,omitempty"`
	Mounts      []Mount           `json:"mounts,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Linux       *Linux            `json:"linux,omitempty"`
}

// Process is the OCI process.
type Process struct {
	Terminal bool     `json:"terminal,omitempty"`
	User     User     `json:"user"`
	Args     []string `json:"args,omitempty"`
	Env      []string `json:"env,omitempty"`
	Cwd      string   `json:"cwd"`
}

// User is the OCI process user.
type User struct {
	UID uint32 `json:"uid"`
	GID uint32 `json:"gid"`
}

// Root is the OCI root filesystem.
type Root struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly,omitempty"`
}

// Mount is an OCI mount.
type Mount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type,omitempty"`
	Source      string   `json:"source,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// Linux is the OCI linux section.
type Linux struct {
	CgroupsPath string      `json:"cgroupsPath,omitempty"`
	Namespaces  []Namespace `json:"namespaces,omitempty"`
}

// Namespace is an OCI linux namespace; Path set means join it.
type Namespace struct {
	Type string `json:"type"`
	Path string `json:"path,omitempty"`
}
