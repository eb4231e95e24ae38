package validation

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// The rules of pkg/apis/core/validation for the core kinds other than pods.

const invalidIPMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

// isValidIP is 1.27's validation.IsValidIP (sloppy parsing, as the legacy
// fields keep through 1.33 with default feature gates).
func isValidIP(v string, p *field.Path) field.ErrorList {
	if netutils.ParseIPSloppy(v) == nil {
		return field.ErrorList{field.Invalid(p, v, invalidIPMsg)}
	}
	return nil
}

var (
	serviceTypes      = []string{string(corev1.ServiceTypeClusterIP), string(corev1.ServiceTypeExternalName), string(corev1.ServiceTypeLoadBalancer), string(corev1.ServiceTypeNodePort)} // sets.List order
	sessionAffinities = []string{string(corev1.ServiceAffinityClientIP), string(corev1.ServiceAffinityNone)}
)

// ValidateService is ValidateService for the fields kubesim models: ports,
// type, selector, session affinity and cluster IPs.
func ValidateService(s *corev1.Service) field.ErrorList { return validateService(s, nil) }

func validateService(s, old *corev1.Service) field.ErrorList {
	errs := validateObjectMeta(&s.ObjectMeta, true, dns1035Name)
	p := specPath
	headless := len(s.Spec.ClusterIPs) > 0 && s.Spec.ClusterIPs[0] == corev1.ClusterIPNone
	if len(s.Spec.Ports) == 0 && !headless && s.Spec.Type != corev1.ServiceTypeExternalName {
		errs = append(errs, field.Required(p.Child("ports"), ""))
	}
	switch s.Spec.Type {
	case corev1.ServiceTypeLoadBalancer:
		for i, port := range s.Spec.Ports {
			if port.Port == 10250 {
				errs = append(errs, field.Invalid(p.Child("ports").Index(i), port.Port, "may not expose port 10250 externally since it is used by kubelet"))
			}
		}
		if headless {
			errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(0), s.Spec.ClusterIPs[0], "may not be set to 'None' for LoadBalancer services"))
		}
	case corev1.ServiceTypeNodePort:
		if headless {
			errs = append(errs, field.Invalid(p.Child("clusterIPs").Index(0), s.Spec.ClusterIPs[0], "may not be set to 'None' for NodePort services"))
		}
	case corev1.ServiceTypeExternalName:
		if len(s.Spec.ClusterIPs) > 0 {
			errs = append(errs, field.Forbidden(p.Child("clusterIPs"), "may not be set for ExternalName services"))
		}
		cname := s.Spec.ExternalName
		if len(cname) > 0 && cname[len(cname)-1] == '.' {
			cname = cname[:len(cname)-1]
		}
		if cname != "" {
			errs = append(errs, validateDNS1123Subdomain(cname, p.Child("externalName"))...)
		} else {
			errs = append(errs, field.Required(p.Child("externalName"), ""))
		}
	}
	for i := range s.Spec.Ports {
		sp := &s.Spec.Ports[i]
		pp := p.Child("ports").Index(i)
		if len(s.Spec.Ports) > 1 && sp.Name == "" {
			errs = append(errs, field.Required(pp.Child("name"), ""))
		} else if sp.Name != "" {
			errs = append(errs, validateDNS1123Label(sp.Name, pp.Child("name"))...)
			for j := 0; j < i; j++ {
				if s.Spec.Ports[j].Name == sp.Name {
					errs = append(errs, field.Duplicate(pp.Child("name"), sp.Name))
					break
				}
			}
		}
		for _, msg := range validation.IsValidPortNum(int(sp.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), sp.Port, msg))
		}
		errs = append(errs, validateRequiredEnum(sp.Protocol, portProtocols, pp.Child("protocol"))...)
		errs = append(errs, validatePortNumOrName(sp.TargetPort, pp.Child("targetPort"))...)
	}
	if s.Spec.Selector != nil {
		errs = append(errs, validateLabels(s.Spec.Selector, p.Child("selector"))...)
	}
	switch s.Spec.SessionAffinity {
	case corev1.ServiceAffinityClientIP, corev1.ServiceAffinityNone:
	case "":
		errs = append(errs, field.Required(p.Child("sessionAffinity"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("sessionAffinity"), s.Spec.SessionAffinity, sessionAffinities))
	}
	errs = append(errs, validateClusterIPs(s, p)...)
	for i, ip := range s.Spec.ExternalIPs {
		errs = append(errs, isValidIP(ip, p.Child("externalIPs").Index(i))...)
	}
	switch s.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeExternalName, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort:
	case "":
		errs = append(errs, field.Required(p.Child("type"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), s.Spec.Type, serviceTypes))
	}
	if s.Spec.Type == corev1.ServiceTypeClusterIP && (old == nil || old.Spec.Type == corev1.ServiceTypeClusterIP) {
		// (kubesim keeps an old node port on a type change to ClusterIP,
		// where upstream's strategy drops it before validating.)
		for i, port := range s.Spec.Ports {
			if port.NodePort != 0 {
				errs = append(errs, field.Forbidden(p.Child("ports").Index(i).Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}
	for i, port := range s.Spec.Ports {
		for j := 0; j < i; j++ {
			if port.NodePort != 0 && s.Spec.Ports[j].NodePort == port.NodePort && s.Spec.Ports[j].Protocol == port.Protocol {
				errs = append(errs, field.Duplicate(p.Child("ports").Index(i).Child("nodePort"), port.NodePort))
				break
			}
		}
	}
	for i, port := range s.Spec.Ports {
		for j := 0; j < i; j++ {
			if s.Spec.Ports[j].Port == port.Port && s.Spec.Ports[j].Protocol == port.Protocol {
				errs = append(errs, field.Duplicate(p.Child("ports").Index(i), bad(corev1.ServicePort{Protocol: port.Protocol, Port: port.Port}, "core")))
				break
			}
		}
	}
	return errs
}

// validateClusterIPs is the stand-alone part of
// ValidateServiceClusterIPsRelatedFields.
func validateClusterIPs(s *corev1.Service, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	ips := s.Spec.ClusterIPs
	if len(ips) == 0 && s.Spec.ClusterIP != "" {
		ips = []string{s.Spec.ClusterIP} // the strategy's normalizeClusterIPs
	}
	cp := p.Child("clusterIPs")
	if len(s.Spec.ClusterIP) != 0 && s.Spec.Type != corev1.ServiceTypeExternalName {
		if len(ips) == 0 {
			errs = append(errs, field.Required(cp, ""))
		} else if ips[0] != s.Spec.ClusterIP {
			errs = append(errs, field.Invalid(cp, bad(ips, ""), "first value must match `clusterIP`"))
		}
	}
	for i, ip := range ips {
		if i == 0 && ip == corev1.ClusterIPNone {
			if len(ips) > 1 {
				errs = append(errs, field.Invalid(cp, bad(ips, ""), "'None' must be the first and only value"))
			}
			continue
		}
		errs = append(errs, isValidIP(ip, cp.Index(i))...)
	}
	if len(ips) > 2 {
		errs = append(errs, field.Invalid(cp, bad(ips, ""), "may only hold up to 2 values"))
	}
	return errs
}

// ValidateServiceUpdate is ValidateServiceUpdate: the primary cluster IP
// may not change once set (as the strategy normalises clusterIPs from
// clusterIP first).
func ValidateServiceUpdate(s, old *corev1.Service) field.ErrorList {
	errs := validateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta)
	if s.Spec.Type != corev1.ServiceTypeExternalName && old.Spec.Type != corev1.ServiceTypeExternalName {
		ips := s.Spec.ClusterIPs
		if len(ips) == 0 && s.Spec.ClusterIP != "" {
			ips = []string{s.Spec.ClusterIP}
		}
		if s.Spec.ClusterIP != old.Spec.ClusterIP && reflect.DeepEqual(ips, old.Spec.ClusterIPs) && len(ips) > 0 {
			// The strategy's normalizeClusterIPs: a changed clusterIP
			// replaces the first of unchanged clusterIPs.
			ips = append([]string{s.Spec.ClusterIP}, ips[1:]...)
			cp := *s
			cp.Spec.ClusterIPs = ips
			s = &cp
		}
		for i, oip := range old.Spec.ClusterIPs {
			if i < len(ips) && ips[i] != oip && oip != "" {
				errs = append(errs, field.Invalid(specPath.Child("clusterIPs").Index(i), bad(ips, ""), "may not change once set"))
			}
		}
		if len(old.Spec.ClusterIPs) > 0 && len(ips) == 0 && s.Spec.ClusterIP != "" {
			errs = append(errs, field.Invalid(specPath.Child("clusterIPs").Index(0), bad(ips, ""), "primary clusterIP can not be unset"))
		}
	}
	return append(errs, validateService(s, old)...)
}

// ValidateConfigMap is ValidateConfigMap (keys; data and binaryData apart).
func ValidateConfigMap(c *corev1.ConfigMap) field.ErrorList {
	errs := validateObjectMeta(&c.ObjectMeta, true, subdomainName)
	for _, k := range sortedKeys(c.Data) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
		}
		if _, dup := c.BinaryData[k]; dup {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, "duplicate of key present in binaryData"))
		}
	}
	for _, k := range sortedKeys(c.BinaryData) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(k), k, msg))
		}
	}
	return errs
}

// ValidateConfigMapUpdate is ValidateConfigMapUpdate.
func ValidateConfigMapUpdate(c, old *corev1.ConfigMap) field.ErrorList {
	errs := validateObjectMetaUpdate(&c.ObjectMeta, &old.ObjectMeta)
	if isImmutable(old.Immutable) {
		errs = append(errs, validateImmutableContent(c.Immutable,
			contentChange{"data", !reflect.DeepEqual(c.Data, old.Data)},
			contentChange{"binaryData", !reflect.DeepEqual(c.BinaryData, old.BinaryData)})...)
	}
	return append(errs, ValidateConfigMap(c)...)
}

func isImmutable(b *bool) bool { return b != nil && *b }

// validateImmutableContent is the rule ConfigMap and Secret updates share
// once the old object was immutable: `immutable` stays set and no content
// field changes.
func validateImmutableContent(immutable *bool, changes ...contentChange) field.ErrorList {
	var errs field.ErrorList
	forbid := func(name string) {
		errs = append(errs, field.Forbidden(field.NewPath(name), "field is immutable when `immutable` is set"))
	}
	if !isImmutable(immutable) {
		forbid("immutable")
	}
	for _, c := range changes {
		if c.changed {
			forbid(c.field)
		}
	}
	return errs
}

// contentChange says whether a content field changed in an update.
type contentChange struct {
	field   string
	changed bool
}

// ValidateSecret is ValidateSecret: keys, size and the type's required keys.
func ValidateSecret(s *corev1.Secret) field.ErrorList {
	errs := validateObjectMeta(&s.ObjectMeta, true, subdomainName)
	dp := field.NewPath("data")
	total := 0
	for _, k := range sortedKeys(s.Data) {
		for _, msg := range validation.IsConfigMapKey(k) {
			errs = append(errs, field.Invalid(dp.Key(k), k, msg))
		}
		total += len(s.Data[k])
	}
	if total > corev1.MaxSecretSize {
		errs = append(errs, field.TooLong(dp, "", corev1.MaxSecretSize))
	}
	requireJSON := func(key string) {
		b, ok := s.Data[key]
		if !ok {
			errs = append(errs, field.Required(dp.Key(key), ""))
			return
		}
		if err := json.Unmarshal(b, &map[string]any{}); err != nil {
			errs = append(errs, field.Invalid(dp.Key(key), "<secret contents redacted>", err.Error()))
		}
	}
	switch s.Type {
	case corev1.SecretTypeServiceAccountToken:
		if s.Annotations[corev1.ServiceAccountNameKey] == "" {
			errs = append(errs, field.Required(metadataPath.Child("annotations").Key(corev1.ServiceAccountNameKey), ""))
		}
	case corev1.SecretTypeDockercfg:
		requireJSON(corev1.DockerConfigKey)
	case corev1.SecretTypeDockerConfigJson:
		requireJSON(corev1.DockerConfigJsonKey)
	case corev1.SecretTypeBasicAuth:
		_, u := s.Data[corev1.BasicAuthUsernameKey]
		_, pw := s.Data[corev1.BasicAuthPasswordKey]
		if !u && !pw {
			errs = append(errs, field.Required(dp.Key(corev1.BasicAuthUsernameKey), ""), field.Required(dp.Key(corev1.BasicAuthPasswordKey), ""))
		}
	case corev1.SecretTypeSSHAuth:
		if len(s.Data[corev1.SSHAuthPrivateKey]) == 0 {
			errs = append(errs, field.Required(dp.Key(corev1.SSHAuthPrivateKey), ""))
		}
	case corev1.SecretTypeTLS:
		if _, ok := s.Data[corev1.TLSCertKey]; !ok {
			errs = append(errs, field.Required(dp.Key(corev1.TLSCertKey), ""))
		}
		if _, ok := s.Data[corev1.TLSPrivateKeyKey]; !ok {
			errs = append(errs, field.Required(dp.Key(corev1.TLSPrivateKeyKey), ""))
		}
	}
	return errs
}

// ValidateSecretUpdate is ValidateSecretUpdate.
func ValidateSecretUpdate(s, old *corev1.Secret) field.ErrorList {
	errs := validateObjectMetaUpdate(&s.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateImmutable(s.Type, old.Type, field.NewPath("type"))...)
	if isImmutable(old.Immutable) {
		errs = append(errs, validateImmutableContent(s.Immutable, contentChange{"data", !reflect.DeepEqual(s.Data, old.Data)})...)
	}
	return append(errs, ValidateSecret(s)...)
}

// ValidateNamespace is ValidateNamespace.
func ValidateNamespace(n *corev1.Namespace) field.ErrorList {
	errs := validateObjectMeta(&n.ObjectMeta, false, labelName)
	for _, f := range n.Spec.Finalizers {
		errs = append(errs, validateFinalizers([]string{string(f)}, field.NewPath("spec", "finalizers"))...)
	}
	return errs
}

// ValidateServiceAccount is ValidateServiceAccount (metadata).
func ValidateServiceAccount(sa *corev1.ServiceAccount) field.ErrorList {
	return validateObjectMeta(&sa.ObjectMeta, true, subdomainName)
}

// ValidateNode is the metadata part of ValidateNode.
func ValidateNode(n *corev1.Node) field.ErrorList {
	return validateObjectMeta(&n.ObjectMeta, false, subdomainName)
}

// ValidateEndpoints is ValidateEndpoints.
func ValidateEndpoints(e *corev1.Endpoints) field.ErrorList {
	errs := validateObjectMeta(&e.ObjectMeta, true, subdomainName)
	sp := field.NewPath("subsets")
	for i := range e.Subsets {
		ss := &e.Subsets[i]
		ip := sp.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(ip, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, validateEndpointAddress(&ss.Addresses[j], ip.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, validateEndpointAddress(&ss.NotReadyAddresses[j], ip.Child("notReadyAddresses").Index(j))...)
		}
		for j, port := range ss.Ports {
			pp := ip.Child("ports").Index(j)
			if len(ss.Ports) > 1 && port.Name == "" {
				errs = append(errs, field.Required(pp.Child("name"), ""))
			} else if port.Name != "" {
				errs = append(errs, validateDNS1123Label(port.Name, pp.Child("name"))...)
			}
			for _, msg := range validation.IsValidPortNum(int(port.Port)) {
				errs = append(errs, field.Invalid(pp.Child("port"), port.Port, msg))
			}
			switch port.Protocol {
			case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
			case "":
				errs = append(errs, field.Required(pp.Child("protocol"), ""))
			default:
				errs = append(errs, field.NotSupported(pp.Child("protocol"), port.Protocol, portProtocols))
			}
		}
	}
	return errs
}

func validateEndpointAddress(a *corev1.EndpointAddress, p *field.Path) field.ErrorList {
	errs := isValidIP(a.IP, p.Child("ip"))
	if a.Hostname != "" {
		errs = append(errs, validateDNS1123Label(a.Hostname, p.Child("hostname"))...)
	}
	if a.NodeName != nil {
		for _, msg := range nameIsDNSSubdomain(*a.NodeName, false) {
			errs = append(errs, field.Invalid(p.Child("nodeName"), *a.NodeName, msg))
		}
	}
	return append(errs, validateNonSpecialIP(a.IP, p.Child("ip"))...)
}

// validateNonSpecialIP is ValidateNonSpecialIP.
func validateNonSpecialIP(v string, p *field.Path) field.ErrorList {
	ip := netutils.ParseIPSloppy(v)
	switch {
	case ip == nil:
		return field.ErrorList{field.Invalid(p, v, "must be a valid IP address")}
	case ip.IsUnspecified():
		return field.ErrorList{field.Invalid(p, v, fmt.Sprintf("may not be unspecified (%v)", v))}
	case ip.IsLoopback():
		return field.ErrorList{field.Invalid(p, v, "may not be in the loopback range (127.0.0.0/8, ::1/128)")}
	case ip.IsLinkLocalUnicast():
		return field.ErrorList{field.Invalid(p, v, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")}
	case ip.IsLinkLocalMulticast():
		return field.ErrorList{field.Invalid(p, v, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
