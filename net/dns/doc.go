// Package dns holds the cluster's naming rules as CoreDNS and a pod's
// resolv.conf apply them: service records
// <svc>.<ns>.svc.<cluster domain>, pod records <a-b-c-d>.<ns>.pod.<domain>,
// the search list a kubelet writes into a pod (<ns>.svc.<domain>
// svc.<domain> <domain>, ndots:5) and the order a stub resolver tries the
// candidates in. A Zone keeps the records.
//
// It owns: name normalisation, candidate expansion and the record table. It
// must not: route packets, time anything out, or know about the store; the
// fabric asks it questions and the cluster fills the zone.
//
// Upstream read for behaviour: kubernetes pkg/kubelet/network/dns/dns.go
// (search list, ndots:5, the 10.96.0.10 nameserver kubeadm configures) and
// the Kubernetes DNS specification (cluster/addons/dns, "DNS for Services
// and Pods"); glibc's res_search order for names with fewer dots than ndots.
package dns
