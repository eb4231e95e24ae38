package validation

import (
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// The rules of pkg/apis/networking/validation: NetworkPolicy, Ingress and
// IngressClass.

// ValidateNetworkPolicy is ValidateNetworkPolicy.
func ValidateNetworkPolicy(np *networkingv1.NetworkPolicy, v Version) field.ErrorList {
	errs := validateObjectMeta(&np.ObjectMeta, true, subdomainName)
	return append(errs, validateNetworkPolicySpec(&np.Spec, v)...)
}

// ValidateNetworkPolicyUpdate is ValidateNetworkPolicyUpdate.
func ValidateNetworkPolicyUpdate(np, old *networkingv1.NetworkPolicy, v Version) field.ErrorList {
	errs := validateObjectMetaUpdate(&np.ObjectMeta, &old.ObjectMeta)
	return append(errs, validateNetworkPolicySpec(&np.Spec, v)...)
}

func validateNetworkPolicySpec(s *networkingv1.NetworkPolicySpec, v Version) field.ErrorList {
	p := specPath
	errs := validateLabelSelector(&s.PodSelector, p.Child("podSelector"))
	for i, r := range s.Ingress {
		rp := p.Child("ingress").Index(i)
		for j := range r.Ports {
			errs = append(errs, validateNetworkPolicyPort(&r.Ports[j], rp.Child("ports").Index(j))...)
		}
		for j := range r.From {
			errs = append(errs, validateNetworkPolicyPeer(&r.From[j], rp.Child("from").Index(j), v)...)
		}
	}
	for i, r := range s.Egress {
		rp := p.Child("egress").Index(i)
		for j := range r.Ports {
			errs = append(errs, validateNetworkPolicyPort(&r.Ports[j], rp.Child("ports").Index(j))...)
		}
		for j := range r.To {
			errs = append(errs, validateNetworkPolicyPeer(&r.To[j], rp.Child("to").Index(j), v)...)
		}
	}
	types := []string{string(networkingv1.PolicyTypeIngress), string(networkingv1.PolicyTypeEgress)}
	if len(s.PolicyTypes) > 2 {
		return append(errs, field.Invalid(p.Child("policyTypes"), netSlice(s.PolicyTypes), "may not specify more than two policyTypes"))
	}
	for i, t := range s.PolicyTypes {
		if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
			errs = append(errs, field.NotSupported(p.Child("policyTypes").Index(i), t, types))
		}
	}
	return errs
}

func validateNetworkPolicyPort(port *networkingv1.NetworkPolicyPort, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if pr := port.Protocol; pr != nil && *pr != corev1.ProtocolTCP && *pr != corev1.ProtocolUDP && *pr != corev1.ProtocolSCTP {
		errs = append(errs, field.NotSupported(p.Child("protocol"), *pr, []string{string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP)}))
	}
	switch {
	case port.Port == nil:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(p.Child("endPort"), *port.EndPort, "may not be specified when `port` is not specified"))
		}
	case port.Port.Type == intstr.Int:
		for _, msg := range validation.IsValidPortNum(int(port.Port.IntVal)) {
			errs = append(errs, field.Invalid(p.Child("port"), port.Port.IntVal, msg))
		}
		if port.EndPort != nil {
			if *port.EndPort < port.Port.IntVal {
				errs = append(errs, field.Invalid(p.Child("endPort"), port.Port.IntVal, "must be greater than or equal to `port`"))
			}
			for _, msg := range validation.IsValidPortNum(int(*port.EndPort)) {
				errs = append(errs, field.Invalid(p.Child("endPort"), *port.EndPort, msg))
			}
		}
	default:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(p.Child("endPort"), *port.EndPort, "may not be specified when `port` is non-numeric"))
		}
		for _, msg := range validation.IsValidPortName(port.Port.StrVal) {
			errs = append(errs, field.Invalid(p.Child("port"), port.Port.StrVal, msg))
		}
	}
	return errs
}

func validateNetworkPolicyPeer(peer *networkingv1.NetworkPolicyPeer, p *field.Path, v Version) field.ErrorList {
	var errs field.ErrorList
	n := 0
	if peer.PodSelector != nil {
		n++
		errs = append(errs, validateLabelSelector(peer.PodSelector, p.Child("podSelector"))...)
	}
	if peer.NamespaceSelector != nil {
		n++
		errs = append(errs, validateLabelSelector(peer.NamespaceSelector, p.Child("namespaceSelector"))...)
	}
	if peer.IPBlock != nil {
		n++
		errs = append(errs, validateIPBlock(peer.IPBlock, p.Child("ipBlock"), v)...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Required(p, "must specify a peer"))
	case n > 1 && peer.IPBlock != nil:
		errs = append(errs, field.Forbidden(p, "may not specify both ipBlock and another peer"))
	}
	return errs
}

// validateIPBlock is ValidateIPBlock: 1.27–1.29 say "not a valid CIDR" and
// stop at the first bad except; 1.30 on use apimachinery's CIDR message
// and go on.
func validateIPBlock(b *networkingv1.IPBlock, p *field.Path, v Version) field.ErrorList {
	if b.CIDR == "" {
		return field.ErrorList{field.Required(p.Child("cidr"), "")}
	}
	const newMsg = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
	var errs field.ErrorList
	_, cidr, err := netutils.ParseCIDRSloppy(b.CIDR)
	if err != nil {
		if v < 30 {
			return field.ErrorList{field.Invalid(p.Child("cidr"), b.CIDR, "not a valid CIDR")}
		}
		return field.ErrorList{field.Invalid(p.Child("cidr"), b.CIDR, newMsg)}
	}
	for i, ex := range b.Except {
		ep := p.Child("except").Index(i)
		_, exn, err := netutils.ParseCIDRSloppy(ex)
		if err != nil {
			if v < 30 {
				return append(errs, field.Invalid(ep, ex, "not a valid CIDR"))
			}
			errs = append(errs, field.Invalid(ep, ex, newMsg))
			continue
		}
		cl, _ := cidr.Mask.Size()
		el, _ := exn.Mask.Size()
		if !cidr.Contains(exn.IP) || cl >= el {
			errs = append(errs, field.Invalid(ep, ex, "must be a strict subset of `cidr`"))
		}
	}
	return errs
}

// netSlice renders a slice bad value as upstream prints it: Go syntax of
// the internal networking type.
func netSlice(v any) goValue {
	return goValue{strings.Replace(fmt.Sprintf("%#v", v), "[]v1.", "[]networking.", 1)}
}

// annotationIngressClass is the deprecated class annotation.
const annotationIngressClass = "kubernetes.io/ingress.class"

// ValidateIngress is ValidateIngressCreate.
func ValidateIngress(ing *networkingv1.Ingress) field.ErrorList {
	errs := validateObjectMeta(&ing.ObjectMeta, true, subdomainName)
	errs = append(errs, validateIngressSpec(&ing.Spec)...)
	if a, ok := ing.Annotations[annotationIngressClass]; ok && ing.Spec.IngressClassName != nil && a != *ing.Spec.IngressClassName {
		errs = append(errs, field.Invalid(field.NewPath("annotations").Child(annotationIngressClass), a, "must match `ingressClassName` when both are specified"))
	}
	return errs
}

// ValidateIngressUpdate is ValidateIngressUpdate (stored objects that were
// valid under older rules are not rechecked here).
func ValidateIngressUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	errs := validateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateObjectMeta(&ing.ObjectMeta, true, subdomainName)...)
	return append(errs, validateIngressSpec(&ing.Spec)...)
}

func validateIngressSpec(s *networkingv1.IngressSpec) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	if len(s.Rules) == 0 && s.DefaultBackend == nil {
		errs = append(errs, field.Invalid(p, netSlice(s.Rules), "either `defaultBackend` or `rules` must be specified"))
	}
	if s.DefaultBackend != nil {
		errs = append(errs, validateIngressBackend(s.DefaultBackend, p.Child("defaultBackend"))...)
	}
	for i, r := range s.Rules {
		rp := p.Child("rules").Index(i)
		if r.Host != "" {
			if netutils.ParseIPSloppy(r.Host) != nil {
				errs = append(errs, field.Invalid(rp.Child("host"), r.Host, "must be a DNS name, not an IP address"))
			}
			check := validation.IsDNS1123Subdomain
			if strings.Contains(r.Host, "*") {
				check = validation.IsWildcardDNS1123Subdomain
			}
			for _, msg := range check(r.Host) {
				errs = append(errs, field.Invalid(rp.Child("host"), r.Host, msg))
			}
		}
		if h := r.HTTP; h != nil {
			hp := rp.Child("http")
			if len(h.Paths) == 0 {
				errs = append(errs, field.Required(hp.Child("paths"), ""))
			}
			for j := range h.Paths {
				errs = append(errs, validateIngressPath(&h.Paths[j], hp.Child("paths").Index(j))...)
			}
		}
	}
	for i, t := range s.TLS {
		tp := p.Child("tls").Index(i)
		for j, host := range t.Hosts {
			check := validation.IsDNS1123Subdomain
			if strings.Contains(host, "*") {
				check = validation.IsWildcardDNS1123Subdomain
			}
			for _, msg := range check(host) {
				errs = append(errs, field.Invalid(tp.Child("hosts").Index(j), host, msg))
			}
		}
		if t.SecretName != "" {
			for _, msg := range nameIsDNSSubdomain(t.SecretName, false) {
				errs = append(errs, field.Invalid(tp.Child("secretName"), t.SecretName, msg))
			}
		}
	}
	if s.IngressClassName != nil {
		for _, msg := range nameIsDNSSubdomain(*s.IngressClassName, false) {
			errs = append(errs, field.Invalid(p.Child("ingressClassName"), *s.IngressClassName, msg))
		}
	}
	return errs
}

var (
	invalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = []string{"/..", "/."}
	supportedPathTypes   = []string{string(networkingv1.PathTypeExact), string(networkingv1.PathTypeImplementationSpecific), string(networkingv1.PathTypePrefix)}
)

func validateIngressPath(hp *networkingv1.HTTPIngressPath, p *field.Path) field.ErrorList {
	if hp.PathType == nil {
		return field.ErrorList{field.Required(p.Child("pathType"), "pathType must be specified")}
	}
	var errs field.ErrorList
	switch *hp.PathType {
	case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
		if !strings.HasPrefix(hp.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), hp.Path, "must be an absolute path"))
		}
		for _, seq := range invalidPathSequences {
			if strings.Contains(hp.Path, seq) {
				errs = append(errs, field.Invalid(p.Child("path"), hp.Path, fmt.Sprintf("must not contain '%s'", seq)))
			}
		}
		for _, suf := range invalidPathSuffixes {
			if strings.HasSuffix(hp.Path, suf) {
				errs = append(errs, field.Invalid(p.Child("path"), hp.Path, fmt.Sprintf("cannot end with '%s'", suf)))
			}
		}
	case networkingv1.PathTypeImplementationSpecific:
		if hp.Path != "" && !strings.HasPrefix(hp.Path, "/") {
			errs = append(errs, field.Invalid(p.Child("path"), hp.Path, "must be an absolute path"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("pathType"), *hp.PathType, supportedPathTypes))
	}
	return append(errs, validateIngressBackend(&hp.Backend, p.Child("backend"))...)
}

func validateIngressBackend(b *networkingv1.IngressBackend, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case b.Resource != nil && b.Service != nil:
		return field.ErrorList{field.Invalid(p, "", "cannot set both resource and service backends")}
	case b.Resource != nil:
		errs = append(errs, validateTypedRef(b.Resource.APIGroup, b.Resource.Kind, b.Resource.Name, p.Child("resource"))...)
	case b.Service != nil:
		if b.Service.Name == "" {
			errs = append(errs, field.Required(p.Child("service", "name"), ""))
		} else {
			for _, msg := range nameIsDNS1035Label(b.Service.Name, false) {
				errs = append(errs, field.Invalid(p.Child("service", "name"), b.Service.Name, msg))
			}
		}
		port := b.Service.Port
		switch {
		case port.Name != "" && port.Number != 0:
			errs = append(errs, field.Invalid(p, "", "cannot set both port name & port number"))
		case port.Name != "":
			for _, msg := range validation.IsValidPortName(port.Name) {
				errs = append(errs, field.Invalid(p.Child("service", "port", "name"), port.Name, msg))
			}
		case port.Number != 0:
			for _, msg := range validation.IsValidPortNum(int(port.Number)) {
				errs = append(errs, field.Invalid(p.Child("service", "port", "number"), port.Number, msg))
			}
		default:
			errs = append(errs, field.Required(p, "port name or number is required"))
		}
	default:
		errs = append(errs, field.Invalid(p, "", "resource or service backend is required"))
	}
	return errs
}

func validateTypedRef(group *string, kind, name string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if group != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*group) {
			errs = append(errs, field.Invalid(p.Child("apiGroup"), *group, msg))
		}
	}
	if kind == "" {
		errs = append(errs, field.Required(p.Child("kind"), "kind is required"))
	} else {
		for _, msg := range path.IsValidPathSegmentName(kind) {
			errs = append(errs, field.Invalid(p.Child("kind"), kind, msg))
		}
	}
	if name == "" {
		errs = append(errs, field.Required(p.Child("name"), "name is required"))
	} else {
		for _, msg := range path.IsValidPathSegmentName(name) {
			errs = append(errs, field.Invalid(p.Child("name"), name, msg))
		}
	}
	return errs
}

// ValidateIngressStatusUpdate is ValidateIngressStatusUpdate.
func ValidateIngressStatusUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	errs := validateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta)
	p := field.NewPath("status", "loadBalancer")
	for i, in := range ing.Status.LoadBalancer.Ingress {
		ip := p.Child("ingress").Index(i)
		if in.IP != "" {
			if _, err := netip.ParseAddr(in.IP); err != nil {
				errs = append(errs, field.Invalid(ip.Child("ip"), in.IP, "must be a valid IP address"))
			}
		}
		if in.Hostname != "" {
			for _, msg := range validation.IsDNS1123Subdomain(in.Hostname) {
				errs = append(errs, field.Invalid(ip.Child("hostname"), in.Hostname, msg))
			}
			if netutils.ParseIPSloppy(in.Hostname) != nil {
				errs = append(errs, field.Invalid(ip.Child("hostname"), in.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs
}

// maxLenIngressClassController is the controller field's limit.
const maxLenIngressClassController = 250

// ValidateIngressClass is ValidateIngressClass.
func ValidateIngressClass(ic *networkingv1.IngressClass) field.ErrorList {
	errs := validateObjectMeta(&ic.ObjectMeta, false, subdomainName)
	p := specPath
	if len(ic.Spec.Controller) > maxLenIngressClassController {
		errs = append(errs, field.TooLong(p.Child("controller"), "", maxLenIngressClassController))
	}
	errs = append(errs, validation.IsDomainPrefixedPath(p.Child("controller"), ic.Spec.Controller)...)
	if pr := ic.Spec.Parameters; pr != nil {
		pp := p.Child("parameters")
		errs = append(errs, validateTypedRef(pr.APIGroup, pr.Kind, pr.Name, pp)...)
		scopes := []string{networkingv1.IngressClassParametersReferenceScopeCluster, networkingv1.IngressClassParametersReferenceScopeNamespace}
		switch {
		case pr.Scope == nil:
			errs = append(errs, field.Required(pp.Child("scope"), ""))
		case *pr.Scope != scopes[0] && *pr.Scope != scopes[1]:
			errs = append(errs, field.NotSupported(pp.Child("scope"), *pr.Scope, scopes))
		case *pr.Scope == networkingv1.IngressClassParametersReferenceScopeNamespace && pr.Namespace == nil:
			errs = append(errs, field.Required(pp.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
		case *pr.Scope == networkingv1.IngressClassParametersReferenceScopeNamespace:
			for _, msg := range nameIsDNSLabel(*pr.Namespace, false) {
				errs = append(errs, field.Invalid(pp.Child("namespace"), *pr.Namespace, msg))
			}
		case pr.Namespace != nil:
			errs = append(errs, field.Forbidden(pp.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
		}
	}
	return errs
}

// ValidateIngressClassUpdate is ValidateIngressClassUpdate: the
// controller is immutable.
func ValidateIngressClassUpdate(ic, old *networkingv1.IngressClass) field.ErrorList {
	errs := validateObjectMetaUpdate(&ic.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateImmutable(ic.Spec.Controller, old.Spec.Controller, specPath.Child("controller"))...)
	return append(errs, ValidateIngressClass(ic)...)
}
