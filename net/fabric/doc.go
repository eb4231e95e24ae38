// Package fabric is the cluster's virtual network: it routes a virtual TCP
// connection from a client (a node's host network or a pod) to the
// simulated endpoint behind an IP and port, the way flannel's routes,
// the cni0 bridge and kube-proxy's iptables rules would, and answers name
// lookups the way a node's /etc/hosts or a pod's cluster DNS would.
//
// What it models, per destination address:
//
//   - an endpoint registered at (IP, port): the connection succeeds and the
//     endpoint's Handler answers the request;
//   - a known host that is up with nothing on the port: ErrRefused (RST);
//   - a known host that is down (halted node, pods behind a halted node's
//     flannel route): ErrTimeout (SYNs vanish);
//   - an unknown address inside a routed subnet (a node's pod subnet, the
//     node network): ErrHostUnreachable after the ARP timeout;
//   - a Service ClusterIP: kube-proxy DNAT to one backend chosen with the
//     fabric's seeded *rand.Rand; no backends → ErrRefused (kube-proxy's
//     REJECT rule); a port the Service does not expose → ErrTimeout;
//   - a NodePort on any node address (and on 127.0.0.1 from a node);
//   - anything else: ErrTimeout (no route out of the simulation).
//
// Names: a node's host resolver knows the /etc/hosts entries given to
// SetName plus localhost; a pod (Client.Namespace set) asks cluster DNS
// with the kubelet's search list (<svc>, <svc>.<ns>, <svc>.<ns>.svc…), and
// gets no answer while the kube-dns Service (10.96.0.10) is registered
// without backends.
//
// A pod's own tools use the same paths: LookupFrom (the name that
// answered), QueryA and ReverseName (one A or PTR query to cluster DNS, for
// nslookup) and Ping (ICMP: hosts answer, ClusterIPs never do).
//
// Wiring a cluster: AddRoute(node network, zero) once; per node
// AddNode(nodeIP, podCIDR) and SetName(hostname, nodeIP); per pod
// Register(podIP, port, handler) for each listening port (or AddHost for a
// pod that listens on nothing) and UnregisterIP on deletion; SetHostUp(
// nodeIP, false) when a node halts; SetService/SetBackends/RemoveService
// from the Service and EndpointSlice objects.
//
// It owns: the endpoint table, host up/down state, routes, Services and
// their DNS records, /etc/hosts-style names. It must not: open sockets,
// sleep, read the wall clock or global randomness, or know about pods,
// nodes or the store — the cluster registers and unregisters what its
// kubelets and controllers decide. Handlers run on the caller's goroutine,
// outside the fabric's lock, so a handler may call back into the fabric.
package fabric
