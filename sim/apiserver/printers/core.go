package printers

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Core (v1) printers: nodes, namespaces, events, services, endpoints,
// configmaps, secrets, serviceaccounts. Cell rules as kube-apiserver
// printers.go; none of them changed between v1.27 and v1.33.

const (
	labelNodeRolePrefix = "node-role.kubernetes.io/"
	nodeLabelRole       = "kubernetes.io/role"
)

func printNode(node *corev1.Node, c *printContext) metav1.TableRow {
	// Only the Ready condition counts; the last one of that type wins, as
	// upstream builds a map keyed by type.
	var readyCond *corev1.NodeCondition
	for i := range node.Status.Conditions {
		if node.Status.Conditions[i].Type == corev1.NodeReady {
			readyCond = &node.Status.Conditions[i]
		}
	}
	status := "Unknown"
	if readyCond != nil {
		status = "NotReady"
		if readyCond.Status == corev1.ConditionTrue {
			status = "Ready"
		}
	}
	if node.Spec.Unschedulable {
		status += ",SchedulingDisabled"
	}
	roles := strings.Join(nodeRoles(node), ",")
	if roles == "" {
		roles = "<none>"
	}
	info := node.Status.NodeInfo
	return metav1.TableRow{Cells: []interface{}{
		node.Name,
		status,
		roles,
		c.since(node.CreationTimestamp),
		info.KubeletVersion,
		nodeAddress(node, corev1.NodeInternalIP),
		nodeAddress(node, corev1.NodeExternalIP),
		orUnknown(info.OSImage),
		orUnknown(info.KernelVersion),
		orUnknown(info.ContainerRuntimeVersion),
	}}
}

// nodeRoles returns the sorted, de-duplicated roles from
// node-role.kubernetes.io/<role> keys and kubernetes.io/role=<role> labels.
func nodeRoles(node *corev1.Node) []string {
	set := map[string]struct{}{}
	for k, v := range node.Labels {
		switch {
		case strings.HasPrefix(k, labelNodeRolePrefix):
			if role := strings.TrimPrefix(k, labelNodeRolePrefix); role != "" {
				set[role] = struct{}{}
			}
		case k == nodeLabelRole && v != "":
			set[v] = struct{}{}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func nodeAddress(node *corev1.Node, typ corev1.NodeAddressType) string {
	for _, a := range node.Status.Addresses {
		if a.Type == typ {
			return a.Address
		}
	}
	return "<none>"
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}

func printNamespace(ns *corev1.Namespace, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{ns.Name, string(ns.Status.Phase), c.since(ns.CreationTimestamp)}}
}

func printEvent(ev *corev1.Event, c *printContext) metav1.TableRow {
	firstSeen := c.since(ev.FirstTimestamp)
	if ev.FirstTimestamp.IsZero() {
		firstSeen = c.sinceMicro(ev.EventTime)
	}
	lastSeen := c.since(ev.LastTimestamp)
	if ev.LastTimestamp.IsZero() {
		lastSeen = firstSeen
	}
	count := ev.Count
	if ev.Series != nil {
		lastSeen = c.sinceMicro(ev.Series.LastObservedTime)
		count = ev.Series.Count
	} else if count == 0 {
		// Singleton events of the events.k8s.io API carry no count.
		count = 1
	}
	target := strings.ToLower(ev.InvolvedObject.Kind)
	if ev.InvolvedObject.Name != "" {
		target += "/" + ev.InvolvedObject.Name
	}
	return metav1.TableRow{Cells: []interface{}{
		lastSeen,
		ev.Type,
		ev.Reason,
		target,
		ev.InvolvedObject.FieldPath,
		eventSource(ev),
		strings.TrimSpace(ev.Message),
		firstSeen,
		int64(count),
		ev.Name,
	}}
}

// eventSource is "component[, host]", falling back to reportingController
// and reportingInstance.
func eventSource(ev *corev1.Event) string {
	component := ev.Source.Component
	if component == "" {
		component = ev.ReportingController
	}
	host := ev.Source.Host
	if host == "" {
		host = ev.ReportingInstance
	}
	if host == "" {
		return component
	}
	return component + ", " + host
}

func printService(svc *corev1.Service, c *printContext) metav1.TableRow {
	clusterIP := "<none>"
	switch {
	case len(svc.Spec.ClusterIPs) > 0:
		clusterIP = svc.Spec.ClusterIPs[0]
	case svc.Spec.ClusterIP != "":
		// kube-apiserver's v1 defaulting copies clusterIP into clusterIPs
		// when an object is read back, so the printer never sees this case.
		clusterIP = svc.Spec.ClusterIP
	}
	ports := servicePorts(svc.Spec.Ports)
	if ports == "" {
		ports = "<none>"
	}
	return metav1.TableRow{Cells: []interface{}{
		svc.Name,
		string(svc.Spec.Type),
		clusterIP,
		serviceExternalIP(svc),
		ports,
		c.since(svc.CreationTimestamp),
		labels.FormatLabels(svc.Spec.Selector),
	}}
}

// serviceExternalIP is upstream's getServiceExternalIP with wide=true (the
// server is always wide, so load-balancer lists are never clipped).
func serviceExternalIP(svc *corev1.Service) string {
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort:
		if len(svc.Spec.ExternalIPs) > 0 {
			return strings.Join(svc.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case corev1.ServiceTypeLoadBalancer:
		lb := loadBalancerIngress(svc.Status.LoadBalancer)
		if len(svc.Spec.ExternalIPs) > 0 {
			return strings.Join(append(lb, svc.Spec.ExternalIPs...), ",")
		}
		if len(lb) > 0 {
			return strings.Join(lb, ",")
		}
		return "<pending>"
	case corev1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}

// loadBalancerIngress returns the sorted, de-duplicated ingress IPs (or
// hostnames where the IP is empty).
func loadBalancerIngress(s corev1.LoadBalancerStatus) []string {
	set := map[string]struct{}{}
	for _, in := range s.Ingress {
		switch {
		case in.IP != "":
			set[in.IP] = struct{}{}
		case in.Hostname != "":
			set[in.Hostname] = struct{}{}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func servicePorts(ports []corev1.ServicePort) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		proto := p.Protocol
		if proto == "" {
			// v1 defaulting (TCP) runs before upstream prints.
			proto = corev1.ProtocolTCP
		}
		if p.NodePort > 0 {
			parts[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, proto)
		} else {
			parts[i] = fmt.Sprintf("%d/%s", p.Port, proto)
		}
	}
	return strings.Join(parts, ",")
}

func printEndpoints(ep *corev1.Endpoints, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{ep.Name, formatEndpoints(ep), c.since(ep.CreationTimestamp)}}
}

// formatEndpoints lists at most three ready addresses (ip:port, port-major;
// bare IPs for subsets without ports) and then " + N more...".
func formatEndpoints(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	const max = 3
	var list []string
	more := false
	count := 0
	add := func(s string) {
		if len(list) == max {
			more = true
			return
		}
		list = append(list, s)
	}
	for i := range ep.Subsets {
		ss := &ep.Subsets[i]
		if len(ss.Ports) == 0 {
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				add(a.IP)
			}
			continue
		}
		for _, p := range ss.Ports {
			count += len(ss.Addresses)
			for _, a := range ss.Addresses {
				add(net.JoinHostPort(a.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, count-max)
	}
	return ret
}

func printConfigMap(cm *corev1.ConfigMap, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{cm.Name, int64(len(cm.Data) + len(cm.BinaryData)), c.since(cm.CreationTimestamp)}}
}

func printSecret(s *corev1.Secret, c *printContext) metav1.TableRow {
	typ := s.Type
	if typ == "" {
		// v1 defaulting (Opaque) runs before upstream prints.
		typ = corev1.SecretTypeOpaque
	}
	return metav1.TableRow{Cells: []interface{}{s.Name, string(typ), int64(len(s.Data)), c.since(s.CreationTimestamp)}}
}

func printServiceAccount(sa *corev1.ServiceAccount, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{sa.Name, int64(len(sa.Secrets)), c.since(sa.CreationTimestamp)}}
}
