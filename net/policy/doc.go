// Package policy decides NetworkPolicy (networking.k8s.io/v1) as a
// policy-enforcing CNI (Calico, Cilium) does, for the fabric's Admit hook.
// A connection passes when the egress policies selecting its source pod
// let it out and the ingress policies selecting its destination pod let
// it in; a pod no policy of a direction selects is not isolated in that
// direction. Rules are allow-only unions; a podSelector and a
// namespaceSelector in one peer must both match; ipBlock matches the
// peer's address outside its excepts; ports match protocol (TCP when
// unset) and number, a range with endPort, or a name resolved on the
// destination pod's container ports; a rule without ports allows every
// protocol, ICMP included. Connections are judged after kube-proxy's DNAT
// (on the backend pod's address), as Calico and Cilium see them.
// Host-network pods are not endpoints policies select.
//
// It owns: its copy of the policies, the pods' addresses, labels and
// named ports, and the namespaces' labels, as the cluster hands them over
// (OnPod, OnNamespace, OnPolicy). It must not read the store, the clock or
// randomness. Its setters and Admit are safe for concurrent use.
//
// Upstream read for behaviour: the NetworkPolicy API documentation
// (kubernetes/website concepts/services-networking/network-policies.md)
// and k8s.io/api networking/v1 types.go field comments.
package policy
