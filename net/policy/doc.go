// Package policy decides NetworkPolicy (networking.k8s.io/v1) ingress as
// a policy-enforcing CNI (Calico, Cilium) does, for the fabric's Admit
// hook: a pod that some policy selects for Ingress accepts a connection
// only when a rule of one of those policies allows its source and port;
// rules are allow-only unions, a podSelector and a namespaceSelector in
// one peer must both match, ipBlock matches the source address outside
// its excepts. A pod no policy selects accepts everything.
//
// It owns: its copy of the policies, the pods' addresses and labels and
// the namespaces' labels, as the cluster hands them over. It must not read
// the store, the clock or randomness.
//
// Not decided here yet: egress rules, named ports (a rule naming a port
// matches no connection), SCTP/UDP (every connection is TCP).
//
// Upstream read for behaviour: the NetworkPolicy API documentation
// (kubernetes/website concepts/services-networking/network-policies.md)
// and k8s.io/api networking/v1 types.go field comments.
package policy
