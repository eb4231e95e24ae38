package sim

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/net/cni"
	"kubesim/net/fabric"
	"kubesim/runtime/chain"
	"kubesim/runtime/containerfs"
	"kubesim/runtime/shell"
	"kubesim/sim/controllers"
	"kubesim/sim/kubelet"
	"kubesim/sim/loop"
	"kubesim/sim/store"
)

// Node returns the kubelet of a node, or nil.
func (c *Cluster) Node(name string) *kubelet.Kubelet { return c.kubelets[name] }

// NodeHostFS returns a node's host filesystem (its "/", where hostPath
// volumes live), or nil for an unknown node. Read and write it inside Do.
func (c *Cluster) NodeHostFS(name string) *containerfs.Volume {
	if k := c.kubelets[name]; k != nil {
		return k.HostFS()
	}
	return nil
}

// Fabric returns the cluster's virtual network.
func (c *Cluster) Fabric() *fabric.Fabric { return c.fabric }

// build wires the components; a new cluster also gets kubeadm's objects.
func (c *Cluster) build(resumed bool) error {
	c.kubelets = map[string]*kubelet.Kubelet{}
	c.fabric = fabric.New(fabric.WithRand(rand.New(rand.NewPCG(c.Spec.Seed, 0x6e6574))), fabric.WithClock(c.Clock.Now))
	if p, err := netip.ParsePrefix(c.Spec.PodCIDR); err == nil {
		c.fabric.AddRoute(p, netip.Addr{})
	}
	ctrls, err := controllers.All(controllers.DefaultContext(controllers.Context{
		Registry: c.Registry, Clock: c.Clock, Rand: c.Rand, Recorder: c.Recorder,
		Version: c.Spec.KubernetesVersion, ClusterCIDR: c.Spec.PodCIDR,
		Alive: func(node string) bool {
			if c.opts.Hollow {
				// A hollow node's kubelet (hollowKubelet) is always up, as
				// kubemark's hollow kubelets post status: its node stays
				// Ready, and the node lifecycle arms no grace timer for it.
				return true
			}
			k := c.kubelets[node]
			return k != nil && k.Running()
		},
		PodMetrics: c.namespacePodMetrics,
		CA:         &c.ca,
		Tokens:     c.Tokens(),
	}))
	if err != nil {
		return err
	}
	for _, ctrl := range ctrls {
		c.AddComponent(ctrl)
		c.ctrlNames = append(c.ctrlNames, ctrl.Name())
	}
	sched, err := newSchedulerComponent(c)
	if err != nil {
		return err
	}
	c.AddComponent(sched)
	c.AddComponent(newKubeProxy(c))
	if c.Spec.EnforcesNetworkPolicy() {
		c.AddComponent(newPolicyAgent(c))
	}
	if c.Spec.Ingress == IngressNginx && !c.opts.Hollow {
		c.AddComponent(newIngressController(c))
	}
	if c.opts.Hollow {
		c.AddComponent(newHollowKubelet(c))
		if !resumed {
			for _, ns := range []string{"default", "kube-system"} {
				c.mustCreate("", "namespaces", "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
			}
		}
		c.ensureRBACDefaults()
		return nil
	}
	c.AddComponent(eventExpiry{c.Recorder}) // before any event is written
	if !resumed && !c.Spec.Bare {
		c.bootstrapObjects()
		if c.Spec.Ingress == IngressNginx {
			c.bootstrapIngressClass()
		}
	}
	c.ensureRBACDefaults()
	for i, n := range c.Spec.Nodes {
		k, err := c.newKubelet(i, n)
		if err != nil {
			return err
		}
		c.kubelets[n.Name] = k
		c.nodeOrder = append(c.nodeOrder, n.Name)
		c.AddComponent(k)
		if ip, err := netip.ParseAddr(n.IP); err == nil {
			c.fabric.AddHost(ip, fabric.HostNode)
			c.fabric.SetName(n.Name, ip)
		}
		if c.Spec.Bare && !c.registered(n.Name) {
			// Not set up by kubeadm yet (bare.go).
			k.Hold()
			continue
		}
		c.as("kubelet", func() { err = k.Register() })
		if err != nil {
			return err
		}
		// Let the IPAM controller give the node its podCIDR before the next joins.
		c.settle()
		if n.Role == "control-plane" && !resumed {
			for _, p := range staticPods(&c.Spec, n) {
				c.as("kubelet", func() { err = k.CreateMirrorPod(p) })
				if err != nil {
					return err
				}
			}
		}
	}
	if resumed {
		c.restoreKubelets()
		c.replayState()
		// Each kubelet renews its lease at once: the cluster was
		// suspended, and its nodes are Ready as they were.
		for _, name := range c.nodeOrder {
			if c.opts.KubeletStopped != nil && c.opts.KubeletStopped(name) {
				c.kubelets[name].StopService()
				continue
			}
			c.kubelets[name].Resume(c.Clock.Now())
		}
	}
	first := c.Clock.Now().Add(kubelet.LeaseRenewInterval)
	for _, name := range c.nodeOrder {
		k := c.kubelets[name]
		c.Every("lease/"+name, kubelet.LeaseRenewInterval, first, func(tick time.Time) { k.RenewLease(tick) })
	}
	c.Every("event-ttl", time.Minute, c.Clock.Now().Add(time.Minute), func(tick time.Time) { c.Recorder.Expire(tick) })
	return nil
}

func (c *Cluster) newKubelet(i int, n NodeSpec) (*kubelet.Kubelet, error) {
	kind := n.Runtime
	if kind == "" {
		kind = c.Spec.Runtime
	}
	// The node's flannel network: the runtime calls it for every sandbox.
	nodeIP, _ := netip.ParseAddr(n.IP)
	network := cni.New(c.fabric, nodeIP)
	cat, err := c.catalog()
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	rt, err := chain.New(chain.Config{
		Kind:              chain.Kind(kind),
		KubernetesVersion: c.Spec.KubernetesVersion,
		Node:              n.Name,
		Catalog:           cat,
		Seed:              c.Spec.Seed*1000003 + uint64(i),
		Now:               c.Clock.Now,
		CNI:               network,
		Network:           c.newPodNetwork,
	})
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", n.Name, err)
	}
	mem, err := resource.ParseQuantity(n.Memory)
	if err != nil {
		return nil, fmt.Errorf("node %s: memory %q: %w", n.Name, n.Memory, err)
	}
	return kubelet.New(kubelet.Config{
		NodeName: n.Name, NodeIP: n.IP, ControlPlane: n.Role == "control-plane", Schedulable: n.Schedulable,
		CPUs: n.CPUs, Memory: mem, Labels: n.Labels, Version: c.Spec.KubernetesVersion,
		Registry: c.Registry, Clock: c.Clock, Recorder: c.Recorder, Runtime: rt, Fabric: c.fabric, Network: network, Catalog: rt.Catalog(),
		MachineID: fmt.Sprint(c.Spec.Seed), AwaitCNI: c.Spec.Bare,
	})
}

// replayState hands every stored object to every component as an ADDED
// event, as informers list before they watch: a resumed cluster's
// scheduler, controllers and kube-proxy start from the stored state.
func (c *Cluster) replayState() {
	kvs, rev := c.Store.List("/registry/", nil)
	for _, kv := range kvs {
		ev := store.Event{Type: store.Put, Rev: rev, KV: kv}
		for _, comp := range c.handlers(loop.Resource(kv.Key)) {
			comp.Handle(ev)
		}
	}
}

// catalogDate is the day whose image releases the cluster sees: its start,
// but never before its Kubernetes version was released.
func (c *Cluster) catalogDate() time.Time {
	if rd := chain.ReleaseDate(c.Spec.KubernetesVersion); rd.After(c.Spec.Start) {
		return rd
	}
	return c.Spec.Start
}

// restoreKubelets lets each kubelet adopt the pods the store says it runs.
func (c *Cluster) restoreKubelets() {
	for _, name := range c.nodeOrder {
		c.kubelets[name].Adopt()
	}
}

// podKubelet is the kubelet of the node pod ns/name is bound to: the
// pod's NotFound, or BadRequest when it is not bound to a node.
func (c *Cluster) podKubelet(ns, name string) (*kubelet.Kubelet, error) {
	pod, err := c.Registry.Get(c.res("", "pods"), ns, name)
	if err != nil {
		return nil, err
	}
	k := c.kubelets[pod.(*corev1.Pod).Spec.NodeName]
	if k == nil {
		return nil, badRequest(fmt.Sprintf("pod %s does not have a host assigned", name))
	}
	return k, nil
}

// PodLogs returns a container's log lines from the pod's kubelet (what
// pods/log serves). Call it with the cluster lock held (inside Do).
func (c *Cluster) PodLogs(ns, name, container string, previous, timestamps bool, tailLines *int64) ([]byte, error) {
	k, err := c.podKubelet(ns, name)
	if err != nil {
		return nil, err
	}
	out, err := k.Logs(ns, name, container, previous, timestamps, tailLines)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	return out, nil
}

// PodExec runs a command in a container through the pod's kubelet (what
// pods/exec serves). Call it with the cluster lock held (inside Do).
func (c *Cluster) PodExec(ns, name, container string, cmd []string) (stdout, stderr string, code int, err error) {
	k, err := c.podKubelet(ns, name)
	if err != nil {
		return "", "", 0, err
	}
	o, e, code, err := k.Exec(ns, name, container, cmd)
	if err != nil {
		return "", "", 0, badRequest(err.Error())
	}
	return o, e, code, nil
}

// PodExecStream prepares an interactive exec (or attach) in a container
// through the pod's kubelet; the caller drives the process. Call it with the
// cluster lock held (inside Do).
func (c *Cluster) PodExecStream(ns, name, container string, cmd []string, o chain.ExecOptions) (*shell.Process, error) {
	k, err := c.podKubelet(ns, name)
	if err != nil {
		return nil, err
	}
	p, err := k.ExecStream(ns, name, container, cmd, o)
	var nf *chain.ExecNotFoundError
	if err != nil && !errors.As(err, &nf) {
		return nil, badRequest(err.Error())
	}
	return p, err
}

// PodPortForward connects to a port inside a pod's network namespace, as
// the runtime's port-forward does (localhost in the pod). A port nothing
// listens on gives containerd's error, wrapped as the streaming server
// wraps it. Call it with the cluster lock held.
func (c *Cluster) PodPortForward(ns, name string, port int32) (*fabric.Conn, error) {
	k, err := c.podKubelet(ns, name)
	if err != nil {
		return nil, err
	}
	id, netns, ip, ok := k.Sandbox(ns, name)
	addr, perr := netip.ParseAddr(ip)
	if !ok || perr != nil {
		return nil, fmt.Errorf("error forwarding port %d to pod %s, uid : failed to find sandbox for pod", port, name)
	}
	cn, err := c.fabric.Dial(fabric.Client{Addr: addr}, addr, port)
	if err != nil {
		// containerd 1.7's portforward_linux.go: it dials localhost over
		// IPv4, then IPv6, inside the sandbox's namespace.
		return nil, fmt.Errorf("error forwarding port %d to pod %s, uid : failed to execute portforward in network namespace %q: failed to connect to localhost:%d inside namespace %q, IPv4: dial tcp4 127.0.0.1:%d: connect: connection refused IPv6 dial tcp6 [::1]:%d: connect: connection refused ",
			port, id, netns, port, id, port, port)
	}
	return cn, nil
}

// PodAttach connects out to a container's main process through the pod's
// kubelet (kubectl attach, run -it). Call it with the cluster lock held.
func (c *Cluster) PodAttach(ns, name, container string, out io.Writer) (*kubelet.Attached, error) {
	k, err := c.podKubelet(ns, name)
	if err != nil {
		return nil, err
	}
	a, err := k.Attach(ns, name, container, out)
	if err != nil {
		return nil, badRequest(err.Error())
	}
	return a, nil
}

// Live reports whether the cluster follows a wall clock (kubesim start)
// rather than being stepped.
func (c *Cluster) Live() bool { return c.opts.Now != nil }

// lastTime estimates when a resumed cluster last ran: the newest lease
// renewal or object creation in the store.
func lastTime(st *store.Store) (time.Time, bool) {
	var last time.Time
	kvs, _ := st.List("/registry/", nil)
	for _, kv := range kvs {
		obj, ok := kv.Obj.(runtime.Object)
		if !ok {
			continue
		}
		if l, ok := obj.(*coordinationv1.Lease); ok && l.Spec.RenewTime != nil && l.Spec.RenewTime.Time.After(last) {
			last = l.Spec.RenewTime.Time
		}
		if m, ok := obj.(metav1.ObjectMetaAccessor); ok {
			if t := m.GetObjectMeta().GetCreationTimestamp().Time; t.After(last) {
				last = t
			}
		}
	}
	return last, !last.IsZero()
}

// Nodes returns the node names in registration order.
func (c *Cluster) Nodes() []string { return append([]string(nil), c.nodeOrder...) }

// HaltNode powers a node off (vagrant halt): its kubelet stops, its
// containers die, its lease stops being renewed.
func (c *Cluster) HaltNode(name string) error { return c.power(name, (*kubelet.Kubelet).Halt) }

// StartNode powers a halted node on (vagrant up): the kubelet boots and
// restarts every pod the node had.
func (c *Cluster) StartNode(name string) error { return c.power(name, (*kubelet.Kubelet).Boot) }

// power switches node name's machine with do (Halt or Boot), tells the
// membership layer and settles.
func (c *Cluster) power(name string, do func(*kubelet.Kubelet)) error {
	k := c.kubelets[name]
	if k == nil {
		return fmt.Errorf("node %q not found", name)
	}
	c.locked(func() {
		do(k)
		c.memberChanged(name)
		c.settle()
	})
	c.commit()
	return nil
}

// RestartNode reboots a node (vagrant reload): halt, then boot.
func (c *Cluster) RestartNode(name string) error {
	if err := c.HaltNode(name); err != nil {
		return err
	}
	return c.StartNode(name)
}

// memberChanged delivers a membership change to the components that watch
// membership (the node lifecycle controller).
func (c *Cluster) memberChanged(node string) {
	for _, comp := range c.components {
		if m, ok := comp.(controllers.MembershipAware); ok {
			m.MemberChanged(node)
		}
	}
}
