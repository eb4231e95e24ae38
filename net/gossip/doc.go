// Package gossip lets each node's kubelet be a hashicorp/memberlist member
// while its packets travel through an in-memory network this package
// controls: a Transport (packet side and stream side) per node, and a
// Network that can cut a node off (a halted VM, a pulled cable).
//
// It owns: delivery of memberlist's UDP-like packets and TCP-like streams
// between simulated node addresses, and partitions. It must not: open
// sockets, or feed memberlist's timing into the deterministic core — a
// membership change reaches the cluster as an event the cluster's loop
// picks up.
//
// Time. memberlist runs on real time by its nature (DESIGN.md, "Time"):
// its probe, gossip and suspicion timers are wall-clock timers, and a
// received packet must carry its arrival time. Network.Now (time.Now unless
// replaced) is that one wall-clock read; it is the package's only
// exception to the no-wall-clock rule and nothing outside gossip may rely
// on it.
//
// Modelled on memberlist's own MockNetwork (mock_transport.go), with three
// differences: addresses are the nodes' simulated IPs at memberlist's port
// 7946, a send to a stopped or full peer is dropped instead of blocking
// (UDP semantics; memberlist's mock blocks forever), and Partition drops a
// node's traffic both ways.
package gossip
