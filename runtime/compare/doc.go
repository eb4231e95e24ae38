// Package compare is `kubesim runtime compare`: it boots the same workload on
// each runtime chain and tabulates hops, measured cost per pod start (wall
// time and allocations of the Go code of the hops), modelled pod start-up
// latency and modelled steady-state CPU of the kubelet and the runtime.
//
// It owns the workload and the table. It is a measurement tool: unlike the
// simulation core it reads the wall clock (time.Now) and the Go runtime's
// memory statistics, and must not be used inside the simulation loop.
package compare
