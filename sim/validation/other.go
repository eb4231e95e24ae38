package validation

import (
	"fmt"
	"strings"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	policyv1 "k8s.io/api/policy/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// The rules of pkg/apis/{policy,coordination,scheduling,discovery}/validation.

var unhealthyPodEvictionPolicies = []string{string(policyv1.AlwaysAllow), string(policyv1.IfHealthyBudget)}

// ValidatePodDisruptionBudget is ValidatePodDisruptionBudget. Its metadata
// gets only the generic checks of rest.BeforeCreate (path segment names),
// and only when the spec is valid.
func ValidatePodDisruptionBudget(pdb *policyv1.PodDisruptionBudget) field.ErrorList {
	if errs := validatePDBSpec(&pdb.Spec); len(errs) > 0 {
		return errs
	}
	return validateObjectMetaSlow(&pdb.ObjectMeta, true, path.ValidatePathSegmentName)
}

// ValidatePodDisruptionBudgetUpdate is the strategy's ValidateUpdate (the
// spec is mutable in policy/v1).
func ValidatePodDisruptionBudgetUpdate(pdb, old *policyv1.PodDisruptionBudget) field.ErrorList {
	errs := validatePDBSpec(&pdb.Spec)
	return append(errs, validateObjectMetaUpdate(&pdb.ObjectMeta, &old.ObjectMeta)...)
}

func validatePDBSpec(s *policyv1.PodDisruptionBudgetSpec) field.ErrorList {
	p := specPath
	var errs field.ErrorList
	if s.MinAvailable != nil && s.MaxUnavailable != nil {
		errs = append(errs, field.Invalid(p, bad(s, "policy"), "minAvailable and maxUnavailable cannot be both set"))
	}
	if s.MinAvailable != nil {
		errs = append(errs, validatePositiveIntOrPercent(*s.MinAvailable, p.Child("minAvailable"))...)
		errs = append(errs, notMoreThan100Percent(*s.MinAvailable, p.Child("minAvailable"))...)
	}
	if s.MaxUnavailable != nil {
		errs = append(errs, validatePositiveIntOrPercent(*s.MaxUnavailable, p.Child("maxUnavailable"))...)
		errs = append(errs, notMoreThan100Percent(*s.MaxUnavailable, p.Child("maxUnavailable"))...)
	}
	errs = append(errs, validateLabelSelector(s.Selector, p.Child("selector"))...)
	if u := s.UnhealthyPodEvictionPolicy; u != nil && *u != policyv1.AlwaysAllow && *u != policyv1.IfHealthyBudget {
		errs = append(errs, field.NotSupported(p.Child("unhealthyPodEvictionPolicy"), *u, unhealthyPodEvictionPolicies))
	}
	return errs
}

// ValidateLease is ValidateLease.
func ValidateLease(l *coordinationv1.Lease) field.ErrorList {
	errs := validateObjectMeta(&l.ObjectMeta, true, subdomainName)
	return append(errs, validateLeaseSpec(&l.Spec)...)
}

// ValidateLeaseUpdate is ValidateLeaseUpdate.
func ValidateLeaseUpdate(l, old *coordinationv1.Lease) field.ErrorList {
	errs := validateObjectMetaUpdate(&l.ObjectMeta, &old.ObjectMeta)
	return append(errs, validateLeaseSpec(&l.Spec)...)
}

func validateLeaseSpec(s *coordinationv1.LeaseSpec) field.ErrorList {
	var errs field.ErrorList
	if d := s.LeaseDurationSeconds; d != nil && *d <= 0 {
		errs = append(errs, field.Invalid(specPath.Child("leaseDurationSeconds"), *d, "must be greater than 0"))
	}
	if t := s.LeaseTransitions; t != nil && *t < 0 {
		errs = append(errs, field.Invalid(specPath.Child("leaseTransitions"), *t, "must be greater than or equal to 0"))
	}
	return errs
}

const highestUserDefinablePriority = 1000000000

// systemPriorityClasses are scheduling/v1's SystemPriorityClasses.
var systemPriorityClasses = map[string]int32{
	"system-node-critical":    2000001000,
	"system-cluster-critical": 2000000000,
}

var preemptionPolicies = []string{string(corev1.PreemptLowerPriority), string(corev1.PreemptNever)}

// ValidatePriorityClass is ValidatePriorityClass.
func ValidatePriorityClass(pc *schedulingv1.PriorityClass) field.ErrorList {
	errs := validateObjectMeta(&pc.ObjectMeta, false, subdomainName)
	if strings.HasPrefix(pc.Name, "system-") {
		var err string
		switch v, ok := systemPriorityClasses[pc.Name]; {
		case !ok:
			err = pc.Name + " is not a known system priority class"
		case v != pc.Value:
			err = fmt.Sprintf("value of %v PriorityClass must be %v", pc.Name, v)
		case pc.GlobalDefault:
			err = fmt.Sprintf("globalDefault of %v PriorityClass must be false", pc.Name)
		}
		if err != "" {
			errs = append(errs, field.Forbidden(metadataPath.Child("name"), "priority class names with 'system-' prefix are reserved for system use only. error: "+err))
		}
	} else if pc.Value > highestUserDefinablePriority {
		errs = append(errs, field.Forbidden(field.NewPath("value"), fmt.Sprintf("maximum allowed value of a user defined priority is %v", highestUserDefinablePriority)))
	}
	if pp := pc.PreemptionPolicy; pp != nil {
		switch *pp {
		case corev1.PreemptLowerPriority, corev1.PreemptNever:
		case "":
			errs = append(errs, field.Required(field.NewPath("preemptionPolicy"), ""))
		default:
			errs = append(errs, field.NotSupported(field.NewPath("preemptionPolicy"), *pp, preemptionPolicies))
		}
	}
	return errs
}

// ValidatePriorityClassUpdate is ValidatePriorityClassUpdate: value and
// preemptionPolicy are immutable.
func ValidatePriorityClassUpdate(pc, old *schedulingv1.PriorityClass) field.ErrorList {
	errs := validateObjectMetaUpdate(&pc.ObjectMeta, &old.ObjectMeta)
	if pc.Value != old.Value {
		errs = append(errs, field.Forbidden(field.NewPath("value"), "may not be changed in an update."))
	}
	return append(errs, validateImmutable(pc.PreemptionPolicy, old.PreemptionPolicy, field.NewPath("preemptionPolicy"))...)
}

var addressTypes = []string{string(discoveryv1.AddressTypeFQDN), string(discoveryv1.AddressTypeIPv4), string(discoveryv1.AddressTypeIPv6)} // sets.List order

// ValidateEndpointSlice is ValidateEndpointSlice.
func ValidateEndpointSlice(s *discoveryv1.EndpointSlice) field.ErrorList {
	errs := validateObjectMeta(&s.ObjectMeta, true, subdomainName)
	ap := field.NewPath("addressType")
	switch s.AddressType {
	case discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6, discoveryv1.AddressTypeFQDN:
	case "":
		errs = append(errs, field.Required(ap, ""))
	default:
		errs = append(errs, field.NotSupported(ap, s.AddressType, addressTypes))
	}
	ep := field.NewPath("endpoints")
	if len(s.Endpoints) > 1000 {
		errs = append(errs, field.TooMany(ep, len(s.Endpoints), 1000))
	} else {
		for i, e := range s.Endpoints {
			addrs := ep.Index(i).Child("addresses")
			if len(e.Addresses) == 0 {
				errs = append(errs, field.Required(addrs, "must contain at least 1 address"))
			} else if len(e.Addresses) > 100 {
				errs = append(errs, field.TooMany(addrs, len(e.Addresses), 100))
			}
			for j, a := range e.Addresses {
				switch s.AddressType {
				case discoveryv1.AddressTypeIPv4:
					if ip := netutils.ParseIPSloppy(a); ip == nil || ip.To4() == nil {
						errs = append(errs, field.Invalid(addrs.Index(j), a, "must be a valid IPv4 address"))
					}
					errs = append(errs, validateNonSpecialIP(a, addrs.Index(j))...)
				case discoveryv1.AddressTypeIPv6:
					if ip := netutils.ParseIPSloppy(a); ip == nil || ip.To4() != nil {
						errs = append(errs, field.Invalid(addrs.Index(j), a, "must be a valid IPv6 address"))
					}
					errs = append(errs, validateNonSpecialIP(a, addrs.Index(j))...)
				}
			}
			if e.NodeName != nil {
				for _, msg := range nameIsDNSSubdomain(*e.NodeName, false) {
					errs = append(errs, field.Invalid(ep.Index(i).Child("nodeName"), *e.NodeName, msg))
				}
			}
			if e.Hostname != nil {
				errs = append(errs, validateDNS1123Label(*e.Hostname, ep.Index(i).Child("hostname"))...)
			}
		}
	}
	pp := field.NewPath("ports")
	for i, port := range s.Ports {
		name := ""
		if port.Name != nil {
			name = *port.Name
		}
		if name != "" {
			errs = append(errs, validateDNS1123Label(name, pp.Index(i).Child("name"))...)
		}
		for j := 0; j < i; j++ {
			if n := s.Ports[j].Name; (n == nil && name == "") || (n != nil && *n == name) {
				errs = append(errs, field.Duplicate(pp.Index(i).Child("name"), name))
				break
			}
		}
		switch {
		case port.Protocol == nil:
			errs = append(errs, field.Required(pp.Index(i).Child("protocol"), ""))
		case *port.Protocol != corev1.ProtocolTCP && *port.Protocol != corev1.ProtocolUDP && *port.Protocol != corev1.ProtocolSCTP:
			errs = append(errs, field.NotSupported(pp.Index(i).Child("protocol"), *port.Protocol, portProtocols))
		}
	}
	return errs
}

// ValidateEndpointSliceUpdate is ValidateEndpointSliceUpdate.
func ValidateEndpointSliceUpdate(s, old *discoveryv1.EndpointSlice) field.ErrorList {
	errs := ValidateEndpointSlice(s)
	return append(errs, validateImmutable(s.AddressType, old.AddressType, field.NewPath("addressType"))...)
}
