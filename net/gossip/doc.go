// Package gossip is the membership layer for a cluster spread over several
// kubesim processes or hosts, where time is real: each process hosts some of
// the cluster's nodes, and hashicorp/memberlist, one member per node host,
// tells every process which node hosts are alive.
//
// What it will carry there: the set of live node hosts (join, leave,
// failure after memberlist's probe and suspicion timeouts), and in each
// member's metadata where that node's services are reached — the endpoint
// of its CRI runtime (so a control plane in one process can drive a kubelet
// in another) and its fabric endpoint (where packets for the node's address
// and pod subnet are delivered). A membership change enters the receiving
// process's loop as an event, as a halted node does today.
//
// Inside one process it is not wired in, and must not be: memberlist's
// probe, gossip and suspicion timers are wall-clock timers, and the cluster
// runs on a virtual clock with deterministic replays. There the
// deterministic liveness oracle stands in for it: controllers.Context.Alive
// answers whether a node's kubelet is running, and the cluster calls
// MemberChanged on the components that watch membership (the node lifecycle
// controller) when a node halts or boots.
//
// What is here today: a Transport per node (memberlist's packet side and
// stream side) over an in-memory Network this package controls, which can
// cut a node off (a halted VM, a pulled cable), and a Group that runs one
// memberlist member per node and merges what every member sees into one
// event stream. Its tests run memberlist for real, bounded in wall time.
//
// It owns: delivery of memberlist's UDP-like packets and TCP-like streams
// between simulated node addresses, and partitions. It must not: open
// sockets, or feed memberlist's timing into the deterministic core.
//
// Time. memberlist runs on real time by its nature: a received packet must
// carry its arrival time. Network.Now (time.Now unless replaced) is that one
// wall-clock read; it is the package's only exception to the no-wall-clock
// rule and nothing outside gossip may rely on it.
//
// Modelled on memberlist's own MockNetwork (mock_transport.go), with three
// differences: addresses are the nodes' simulated IPs at memberlist's port
// 7946, a send to a stopped or full peer is dropped instead of blocking
// (UDP semantics; memberlist's mock blocks forever), and Partition drops a
// node's traffic both ways.
package gossip
