package printers

import (
	"fmt"
	"sort"
	"strings"

	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Printers for networking.k8s.io/v1: ingresses, ingressclasses and
// networkpolicies (printers.go printIngress, printIngressClass,
// printNetworkPolicy).

var ingressColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
	col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
	col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
	col("Ports", "string", "Ports of TLS configurations that open"),
	ageColumn(),
}

var ingressClassColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Controller", "string", "Controller that is responsible for handling this class"),
	col("Parameters", "string", "A reference to a resource with additional parameters"),
	ageColumn(),
}

// The Pod-Selector description is extensions/v1beta1's, as printers.go
// reads it.
var networkPolicyColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Pod-Selector", "string", extensionsv1beta1.NetworkPolicySpec{}.SwaggerDoc()["podSelector"]),
	ageColumn(),
}

func printIngress(ing *networkingv1.Ingress, c *printContext) metav1.TableRow {
	class := "<none>"
	if ing.Spec.IngressClassName != nil {
		class = *ing.Spec.IngressClassName
	}
	ports := "80"
	if len(ing.Spec.TLS) != 0 {
		ports = "80, 443"
	}
	return metav1.TableRow{Cells: []interface{}{
		ing.Name, class, ingressHosts(ing.Spec.Rules), ingressAddress(ing.Status.LoadBalancer), ports, c.since(ing.CreationTimestamp),
	}}
}

// ingressHosts is formatHosts: up to three hosts, then " + N more...",
// "*" when no rule names a host.
func ingressHosts(rules []networkingv1.IngressRule) string {
	const max = 3
	var list []string
	more := false
	for _, r := range rules {
		if len(list) == max {
			more = true
		}
		if !more && r.Host != "" {
			list = append(list, r.Host)
		}
	}
	if len(list) == 0 {
		return "*"
	}
	ret := strings.Join(list, ",")
	if more {
		return fmt.Sprintf("%s + %d more...", ret, len(rules)-max)
	}
	return ret
}

// ingressAddress is ingressLoadBalancerStatusStringer with wide set (the
// server always prints wide): the distinct IPs or hostnames, sorted.
func ingressAddress(s networkingv1.IngressLoadBalancerStatus) string {
	seen := map[string]bool{}
	var out []string
	for _, in := range s.Ingress {
		v := in.IP
		if v == "" {
			v = in.Hostname
		}
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func printIngressClass(ic *networkingv1.IngressClass, c *printContext) metav1.TableRow {
	params := "<none>"
	if p := ic.Spec.Parameters; p != nil {
		params = p.Kind
		if p.APIGroup != nil {
			params += "." + *p.APIGroup
		}
		params += "/" + p.Name
	}
	return metav1.TableRow{Cells: []interface{}{ic.Name, ic.Spec.Controller, params, c.since(ic.CreationTimestamp)}}
}

func printNetworkPolicy(np *networkingv1.NetworkPolicy, c *printContext) metav1.TableRow {
	return metav1.TableRow{Cells: []interface{}{np.Name, metav1.FormatLabelSelector(&np.Spec.PodSelector), c.since(np.CreationTimestamp)}}
}
