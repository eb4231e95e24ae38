package validation

import (
	"math"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The rules of pkg/apis/core/validation for pods and pod templates. Field
// paths are built only where an error is reported: pod validation runs on
// every pod create.

var (
	restartPolicies  = []string{string(corev1.RestartPolicyAlways), string(corev1.RestartPolicyOnFailure), string(corev1.RestartPolicyNever)}
	dnsPolicies      = []string{string(corev1.DNSClusterFirstWithHostNet), string(corev1.DNSClusterFirst), string(corev1.DNSDefault), string(corev1.DNSNone)}
	portProtocols    = []string{string(corev1.ProtocolSCTP), string(corev1.ProtocolTCP), string(corev1.ProtocolUDP)} // sets.List order
	pullPolicies     = []string{string(corev1.PullAlways), string(corev1.PullIfNotPresent), string(corev1.PullNever)}
	terminationMsgs  = []string{string(corev1.TerminationMessageReadFile), string(corev1.TerminationMessageFallbackToLogsOnError)}
	httpSchemes      = []string{string(corev1.URISchemeHTTP), string(corev1.URISchemeHTTPS)}
	podUpdatableList = strings.Join([]string{
		"`spec.containers[*].image`",
		"`spec.initContainers[*].image`",
		"`spec.activeDeadlineSeconds`",
		"`spec.tolerations` (only additions to existing tolerations)",
		"`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
	}, ",")
)

// ValidatePod is ValidatePodCreate.
func ValidatePod(p *corev1.Pod) field.ErrorList {
	errs := validateObjectMeta(&p.ObjectMeta, true, subdomainName)
	errs = append(errs, validatePodSpec(&p.Spec, specPath)...)
	if len(p.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(specPath.Child("ephemeralContainers"), "cannot be set on create"))
	}
	if p.Spec.NodeName != "" && len(p.Spec.SchedulingGates) != 0 {
		errs = append(errs, field.Forbidden(specPath.Child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
	}
	return errs
}

// ValidatePodUpdate is ValidatePodUpdate: the spec is immutable but for
// container images, activeDeadlineSeconds, tolerations (additions),
// schedulingGates (removals) and terminationGracePeriodSeconds (-1 to 1).
// The message lists the updatable fields (the same list 1.27–1.33 print with
// default feature gates) followed by a diff of the spec.
func ValidatePodUpdate(p, old *corev1.Pod) field.ErrorList {
	errs := validateObjectMetaUpdate(&p.ObjectMeta, &old.ObjectMeta)
	errs = append(errs, validateObjectMeta(&p.ObjectMeta, true, subdomainName)...)
	errs = append(errs, validatePodSpec(&p.Spec, specPath)...)
	if e, stop := validateContainerUpdates(p.Spec.Containers, old.Spec.Containers, specPath.Child("containers")); stop {
		return append(errs, e...)
	} else {
		errs = append(errs, e...)
	}
	if e, stop := validateContainerUpdates(p.Spec.InitContainers, old.Spec.InitContainers, specPath.Child("initContainers")); stop {
		return append(errs, e...)
	} else {
		errs = append(errs, e...)
	}
	if ads := p.Spec.ActiveDeadlineSeconds; ads != nil {
		v := *ads
		if v < 0 || v > math.MaxInt32 {
			errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), v, validation.InclusiveRangeError(0, math.MaxInt32)))
			return errs
		}
		if old.Spec.ActiveDeadlineSeconds != nil && v > *old.Spec.ActiveDeadlineSeconds {
			errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), v, "must be less than or equal to previous value"))
			return errs
		}
	} else if old.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), nil, "must not update from a positive integer to nil value"))
	}
	if len(p.Spec.SchedulingGates) > 0 && len(old.Spec.SchedulingGates) == 0 {
		errs = append(errs, field.Forbidden(specPath.Child("schedulingGates"), "only deletion is allowed, but found new scheduling gate '"+p.Spec.SchedulingGates[0].Name+"'"))
	}
	errs = append(errs, validateOnlyAddedTolerations(p.Spec.Tolerations, old.Spec.Tolerations, specPath.Child("tolerations"))...)

	// Munge the fields that may change, then compare.
	munged := p.Spec.DeepCopy()
	for i := range munged.Containers {
		munged.Containers[i].Image = old.Spec.Containers[i].Image
	}
	for i := range munged.InitContainers {
		munged.InitContainers[i].Image = old.Spec.InitContainers[i].Image
	}
	munged.ActiveDeadlineSeconds = old.Spec.ActiveDeadlineSeconds
	munged.SchedulingGates = old.Spec.SchedulingGates
	munged.Tolerations = old.Spec.Tolerations
	if g, og := munged.TerminationGracePeriodSeconds, old.Spec.TerminationGracePeriodSeconds; og != nil && *og < 0 && g != nil && *g == 1 {
		munged.TerminationGracePeriodSeconds = og
	}
	if !specEqual(munged, &old.Spec) {
		errs = append(errs, field.Forbidden(specPath, "pod updates may not change fields other than "+podUpdatableList+"\n"+specDiff(&old.Spec, munged)))
	}
	return errs
}

func validateContainerUpdates(cs, old []corev1.Container, p *field.Path) (field.ErrorList, bool) {
	if len(cs) != len(old) {
		return field.ErrorList{field.Forbidden(p, "pod updates may not add or remove containers")}, true
	}
	var errs field.ErrorList
	for i, c := range cs {
		if len(c.Image) == 0 {
			errs = append(errs, field.Required(p.Index(i).Child("image"), ""))
		}
		if len(strings.TrimSpace(c.Image)) != len(c.Image) {
			errs = append(errs, field.Invalid(p.Index(i).Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
	}
	return errs, false
}

// validateOnlyAddedTolerations is upstream's: existing tolerations may not
// change, except that a NoExecute toleration's tolerationSeconds may shrink.
func validateOnlyAddedTolerations(ts, old []corev1.Toleration, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, o := range old {
		found := false
		oc := o
		oc.TolerationSeconds = nil
		for _, t := range ts {
			tc := t
			tc.TolerationSeconds = nil
			if specEqualAny(tc, oc) {
				found = specEqualAny(t.TolerationSeconds, o.TolerationSeconds) ||
					(o.TolerationSeconds != nil && t.TolerationSeconds != nil && *t.TolerationSeconds <= *o.TolerationSeconds && o.Effect == corev1.TaintEffectNoExecute)
				if found {
					break
				}
			}
		}
		if !found {
			errs = append(errs, field.Forbidden(p, "existing toleration can not be modified except its tolerationSeconds"))
			return errs
		}
	}
	return errs
}

// ValidatePodTemplateSpec is ValidatePodTemplateSpec: labels, annotations
// and the pod spec (p is the template's path).
func validatePodTemplateSpec(t *corev1.PodTemplateSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(t.Labels) > 0 {
		errs = append(errs, validateLabels(t.Labels, p.Child("labels"))...)
	}
	if len(t.Annotations) > 0 {
		errs = append(errs, validateAnnotations(t.Annotations, p.Child("annotations"))...)
	}
	errs = append(errs, validatePodSpec(&t.Spec, p.Child("spec"))...)
	if len(t.Spec.EphemeralContainers) > 0 {
		errs = append(errs, field.Forbidden(p.Child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
	}
	return errs
}

// validatePodSpec is ValidatePodSpec for the fields kubesim models:
// volumes, containers, init containers, restartPolicy, dnsPolicy,
// nodeSelector, securityContext, affinity, topology spread constraints,
// serviceAccountName, nodeName, activeDeadlineSeconds,
// hostname, subdomain, tolerations, priorityClassName and
// terminationGracePeriodSeconds.
func validatePodSpec(s *corev1.PodSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	vols := s.Volumes
	errs = append(errs, validateVolumes(vols, p)...)
	errs = append(errs, validateContainers(s.Containers, vols, p)...)
	errs = append(errs, validateInitContainers(s.InitContainers, s.Containers, vols, p)...)
	errs = append(errs, validateRequiredEnum(s.RestartPolicy, restartPolicies, p.Child("restartPolicy"))...)
	switch s.DNSPolicy {
	case corev1.DNSClusterFirstWithHostNet, corev1.DNSClusterFirst, corev1.DNSDefault, corev1.DNSNone:
	case "":
		errs = append(errs, field.Required(p.Child("dnsPolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("dnsPolicy"), s.DNSPolicy, dnsPolicies))
	}
	if len(s.NodeSelector) > 0 && !okLabels(s.NodeSelector) {
		errs = append(errs, validateLabels(s.NodeSelector, p.Child("nodeSelector"))...)
	}
	if s.SecurityContext != nil {
		errs = append(errs, validatePodSecurityContext(s.SecurityContext, s, p)...)
	}
	if s.Affinity != nil {
		errs = append(errs, validateAffinity(s.Affinity, p.Child("affinity"))...)
	}
	if len(s.TopologySpreadConstraints) > 0 {
		errs = append(errs, validateTopologySpreadConstraints(s.TopologySpreadConstraints, p.Child("topologySpreadConstraints"))...)
	}
	if s.ServiceAccountName != "" {
		for _, msg := range nameIsDNSSubdomain(s.ServiceAccountName, false) {
			errs = append(errs, field.Invalid(p.Child("serviceAccountName"), s.ServiceAccountName, msg))
		}
	}
	if s.NodeName != "" {
		for _, msg := range nameIsDNSSubdomain(s.NodeName, false) {
			errs = append(errs, field.Invalid(p.Child("nodeName"), s.NodeName, msg))
		}
	}
	if ads := s.ActiveDeadlineSeconds; ads != nil && (*ads < 1 || *ads > math.MaxInt32) {
		errs = append(errs, field.Invalid(p.Child("activeDeadlineSeconds"), *ads, validation.InclusiveRangeError(1, math.MaxInt32)))
	}
	if s.Hostname != "" {
		errs = append(errs, validateDNS1123Label(s.Hostname, p.Child("hostname"))...)
	}
	if s.Subdomain != "" {
		errs = append(errs, validateDNS1123Label(s.Subdomain, p.Child("subdomain"))...)
	}
	if len(s.Tolerations) > 0 {
		errs = append(errs, validateTolerations(s.Tolerations, p)...)
	}
	if s.PriorityClassName != "" {
		for _, msg := range nameIsDNSSubdomain(s.PriorityClassName, false) {
			errs = append(errs, field.Invalid(p.Child("priorityClassName"), s.PriorityClassName, msg))
		}
	}
	return errs
}

// validateVolumes checks volume names (required, DNS label, unique).
func validateVolumes(vs []corev1.Volume, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range vs {
		v := &vs[i]
		dup := false
		for j := 0; j < i; j++ {
			dup = dup || vs[j].Name == v.Name
		}
		if v.Name != "" && okDNS1123Label(v.Name) && !dup && okVolumeSource(&v.VolumeSource) {
			continue
		}
		errs = append(errs, validateVolumeSource(&v.VolumeSource, p.Child("volumes").Index(i))...)
		np := p.Child("volumes").Index(i).Child("name")
		if v.Name == "" {
			errs = append(errs, field.Required(np, ""))
		} else {
			errs = append(errs, validateDNS1123Label(v.Name, np)...)
		}
		if dup {
			errs = append(errs, field.Duplicate(np, v.Name))
		}
	}
	return errs
}

// hasVolume is true when a mount may use name: a volume of that name
// passed validation (upstream's map of valid volumes).
func hasVolume(vs []corev1.Volume, name string) bool {
	if name == "" || !okDNS1123Label(name) {
		return false
	}
	for i := range vs {
		if vs[i].Name == name {
			return okVolumeSource(&vs[i].VolumeSource) // the first of that name
		}
	}
	return false
}

func validateContainers(cs []corev1.Container, vols []corev1.Volume, p *field.Path) field.ErrorList {
	if len(cs) == 0 {
		return field.ErrorList{field.Required(p.Child("containers"), "")}
	}
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		errs = append(errs, validateContainerCommon(c, vols, p, "containers", i)...)
		for j := 0; j < i; j++ {
			if cs[j].Name == c.Name {
				errs = append(errs, field.Duplicate(p.Child("containers").Index(i).Child("name"), c.Name))
				break
			}
		}
		if c.Lifecycle != nil {
			if c.Lifecycle.PostStart != nil {
				errs = append(errs, validateHandler(c.Lifecycle.PostStart.Exec, c.Lifecycle.PostStart.HTTPGet, c.Lifecycle.PostStart.TCPSocket, nil, p.Child("containers").Index(i).Child("lifecycle", "postStart"))...)
			}
			if c.Lifecycle.PreStop != nil {
				errs = append(errs, validateHandler(c.Lifecycle.PreStop.Exec, c.Lifecycle.PreStop.HTTPGet, c.Lifecycle.PreStop.TCPSocket, nil, p.Child("containers").Index(i).Child("lifecycle", "preStop"))...)
			}
		}
		errs = append(errs, validateProbe(c.LivenessProbe, p, i, "livenessProbe")...)
		if c.LivenessProbe != nil && c.LivenessProbe.SuccessThreshold != 1 && c.LivenessProbe.SuccessThreshold != 0 {
			errs = append(errs, field.Invalid(p.Child("containers").Index(i).Child("livenessProbe", "successThreshold"), c.LivenessProbe.SuccessThreshold, "must be 1"))
		}
		errs = append(errs, validateProbe(c.ReadinessProbe, p, i, "readinessProbe")...)
		if c.ReadinessProbe != nil && c.ReadinessProbe.TerminationGracePeriodSeconds != nil {
			errs = append(errs, field.Invalid(p.Child("containers").Index(i).Child("readinessProbe", "terminationGracePeriodSeconds"), *c.ReadinessProbe.TerminationGracePeriodSeconds, "must not be set for readinessProbes"))
		}
		errs = append(errs, validateProbe(c.StartupProbe, p, i, "startupProbe")...)
		if c.StartupProbe != nil && c.StartupProbe.SuccessThreshold != 1 && c.StartupProbe.SuccessThreshold != 0 {
			errs = append(errs, field.Invalid(p.Child("containers").Index(i).Child("startupProbe", "successThreshold"), c.StartupProbe.SuccessThreshold, "must be 1"))
		}
	}
	return errs
}

func validateInitContainers(cs, regular []corev1.Container, vols []corev1.Volume, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		errs = append(errs, validateContainerCommon(c, vols, p, "initContainers", i)...)
		dup := false
		for j := range regular {
			dup = dup || regular[j].Name == c.Name
		}
		for j := 0; j < i; j++ {
			dup = dup || cs[j].Name == c.Name && c.Name != ""
		}
		ip := func(f string) *field.Path { return p.Child("initContainers").Index(i).Child(f) }
		if dup {
			errs = append(errs, field.Duplicate(ip("name"), c.Name))
		}
		if c.Lifecycle != nil {
			errs = append(errs, field.Forbidden(ip("lifecycle"), "may not be set for init containers"))
		}
		if c.LivenessProbe != nil {
			errs = append(errs, field.Forbidden(ip("livenessProbe"), "may not be set for init containers"))
		}
		if c.ReadinessProbe != nil {
			errs = append(errs, field.Forbidden(ip("readinessProbe"), "may not be set for init containers"))
		}
		if c.StartupProbe != nil {
			errs = append(errs, field.Forbidden(ip("startupProbe"), "may not be set for init containers"))
		}
	}
	return errs
}

// validateContainerCommon is validateContainerCommon: name, image,
// terminationMessagePolicy, ports, env names, volume mounts, pull policy
// and resources. list and i name the container's path.
func validateContainerCommon(c *corev1.Container, vols []corev1.Volume, p *field.Path, list string, i int) field.ErrorList {
	var errs field.ErrorList
	cp := func(f string) *field.Path { return p.Child(list).Index(i).Child(f) }
	if c.Name == "" {
		errs = append(errs, field.Required(cp("name"), ""))
	} else if !okDNS1123Label(c.Name) {
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			errs = append(errs, field.Invalid(cp("name"), c.Name, msg))
		}
	}
	if c.Image == "" {
		errs = append(errs, field.Required(cp("image"), ""))
	}
	switch c.TerminationMessagePolicy {
	case corev1.TerminationMessageReadFile, corev1.TerminationMessageFallbackToLogsOnError:
	case "":
		errs = append(errs, field.Required(cp("terminationMessagePolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(cp("terminationMessagePolicy"), c.TerminationMessagePolicy, terminationMsgs))
	}
	if len(c.Ports) > 0 {
		errs = append(errs, validateContainerPorts(c.Ports, cp("ports"))...)
	}
	for j := range c.Env {
		ev := &c.Env[j]
		if ev.Name == "" {
			errs = append(errs, field.Required(cp("env").Index(j).Child("name"), ""))
		} else {
			for _, msg := range validation.IsEnvVarName(ev.Name) {
				errs = append(errs, field.Invalid(cp("env").Index(j).Child("name"), ev.Name, msg))
			}
		}
		if ev.ValueFrom != nil {
			errs = append(errs, validateEnvValueFrom(ev, cp("env").Index(j).Child("valueFrom"))...)
		}
	}
	for j, m := range c.VolumeMounts {
		mp := func(f string) *field.Path { return cp("volumeMounts").Index(j).Child(f) }
		if m.Name == "" {
			errs = append(errs, field.Required(mp("name"), ""))
		}
		if !hasVolume(vols, m.Name) {
			errs = append(errs, field.NotFound(mp("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(mp("mountPath"), ""))
		}
		for k := 0; k < j; k++ {
			if c.VolumeMounts[k].MountPath == m.MountPath {
				errs = append(errs, field.Invalid(mp("mountPath"), m.MountPath, "must be unique"))
				break
			}
		}
	}
	switch c.ImagePullPolicy {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	case "":
		errs = append(errs, field.Required(cp("imagePullPolicy"), ""))
	default:
		errs = append(errs, field.NotSupported(cp("imagePullPolicy"), c.ImagePullPolicy, pullPolicies))
	}
	if len(c.Resources.Limits)+len(c.Resources.Requests) > 0 && !okResources(&c.Resources) {
		errs = append(errs, validateResources(&c.Resources, cp("resources"))...)
	}
	if c.SecurityContext != nil {
		errs = append(errs, validateSecurityContext(c.SecurityContext, cp("securityContext"))...)
	}
	return errs
}

func validateContainerPorts(ports []corev1.ContainerPort, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, port := range ports {
		if port.Name != "" {
			if msgs := validation.IsValidPortName(port.Name); len(msgs) != 0 {
				for _, msg := range msgs {
					errs = append(errs, field.Invalid(p.Index(i).Child("name"), port.Name, msg))
				}
			} else {
				for j := 0; j < i; j++ {
					if ports[j].Name == port.Name {
						errs = append(errs, field.Duplicate(p.Index(i).Child("name"), port.Name))
						break
					}
				}
			}
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(p.Index(i).Child("containerPort"), ""))
		} else {
			for _, msg := range validation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(p.Index(i).Child("containerPort"), port.ContainerPort, msg))
			}
		}
		if port.HostPort != 0 {
			for _, msg := range validation.IsValidPortNum(int(port.HostPort)) {
				errs = append(errs, field.Invalid(p.Index(i).Child("hostPort"), port.HostPort, msg))
			}
		}
		switch port.Protocol {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		case "":
			errs = append(errs, field.Required(p.Index(i).Child("protocol"), ""))
		default:
			errs = append(errs, field.NotSupported(p.Index(i).Child("protocol"), port.Protocol, portProtocols))
		}
	}
	return errs
}

// validateProbe is validateProbe; zero thresholds count as defaulted.
func validateProbe(pr *corev1.Probe, p *field.Path, i int, name string) field.ErrorList {
	if pr == nil {
		return nil
	}
	pp := p.Child("containers").Index(i).Child(name)
	errs := validateHandler(pr.Exec, pr.HTTPGet, pr.TCPSocket, pr.GRPC, pp)
	errs = append(errs, validateNonnegative(int64(pr.InitialDelaySeconds), pp.Child("initialDelaySeconds"))...)
	errs = append(errs, validateNonnegative(int64(pr.TimeoutSeconds), pp.Child("timeoutSeconds"))...)
	errs = append(errs, validateNonnegative(int64(pr.PeriodSeconds), pp.Child("periodSeconds"))...)
	errs = append(errs, validateNonnegative(int64(pr.SuccessThreshold), pp.Child("successThreshold"))...)
	errs = append(errs, validateNonnegative(int64(pr.FailureThreshold), pp.Child("failureThreshold"))...)
	if g := pr.TerminationGracePeriodSeconds; g != nil && *g <= 0 {
		errs = append(errs, field.Invalid(pp.Child("terminationGracePeriodSeconds"), *g, "must be greater than 0"))
	}
	return errs
}

// validateRequiredEnum is the check of a required field with a fixed set of
// values: Required when empty, NotSupported (listing supported in its order)
// when not one of them.
func validateRequiredEnum[T ~string](v T, supported []string, p *field.Path) field.ErrorList {
	if v == "" {
		return field.ErrorList{field.Required(p, "")}
	}
	if !slices.Contains(supported, string(v)) {
		return field.ErrorList{field.NotSupported(p, v, supported)}
	}
	return nil
}

// validateHandler is validateHandler: exactly one handler type.
func validateHandler(exec *corev1.ExecAction, http *corev1.HTTPGetAction, tcp *corev1.TCPSocketAction, grpc *corev1.GRPCAction, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	// first counts a handler that is set and says whether it is the first:
	// only the first is checked, each one after it is Forbidden.
	first := func(set bool, name string) bool {
		if !set {
			return false
		}
		if n++; n > 1 {
			errs = append(errs, field.Forbidden(p.Child(name), "may not specify more than 1 handler type"))
			return false
		}
		return true
	}
	if first(exec != nil, "exec") && len(exec.Command) == 0 {
		errs = append(errs, field.Required(p.Child("exec", "command"), ""))
	}
	if first(http != nil, "httpGet") {
		errs = append(errs, validatePortNumOrName(http.Port, p.Child("httpGet", "port"))...)
		if http.Scheme != "" && http.Scheme != corev1.URISchemeHTTP && http.Scheme != corev1.URISchemeHTTPS {
			errs = append(errs, field.NotSupported(p.Child("httpGet", "scheme"), http.Scheme, httpSchemes))
		}
	}
	if first(tcp != nil, "tcpSocket") {
		errs = append(errs, validatePortNumOrName(tcp.Port, p.Child("tcpSocket", "port"))...)
	}
	if first(grpc != nil, "grpc") {
		errs = append(errs, validatePortNumOrName(intstr.FromInt32(grpc.Port), p.Child("grpc", "port"))...)
	}
	if n == 0 {
		errs = append(errs, field.Required(p, "must specify a handler type"))
	}
	return errs
}

// validatePortNumOrName is ValidatePortNumOrName.
func validatePortNumOrName(port intstr.IntOrString, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if port.Type == intstr.Int {
		for _, msg := range validation.IsValidPortNum(port.IntValue()) {
			errs = append(errs, field.Invalid(p, port.IntValue(), msg))
		}
	} else {
		for _, msg := range validation.IsValidPortName(port.StrVal) {
			errs = append(errs, field.Invalid(p, port.StrVal, msg))
		}
	}
	return errs
}

// validateResources is ValidateResourceRequirements for standard resources:
// names, non-negative quantities, integer resources, requests <= limits.
// Resource names are visited in sorted order (upstream walks a map).
func validateResources(r *corev1.ResourceRequirements, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, name := range sortedNames(r.Limits) {
		q := r.Limits[name]
		fp := p.Child("limits").Key(string(name))
		errs = append(errs, validateResourceName(string(name), fp)...)
		errs = append(errs, validateQuantity(string(name), q, fp)...)
	}
	for _, name := range sortedNames(r.Requests) {
		q := r.Requests[name]
		fp := p.Child("requests").Key(string(name))
		errs = append(errs, validateResourceName(string(name), fp)...)
		errs = append(errs, validateQuantity(string(name), q, fp)...)
		if lim, ok := r.Limits[name]; ok {
			if q.Cmp(lim) != 0 && !overcommitAllowed(name) {
				errs = append(errs, field.Invalid(p.Child("requests"), q.String(), "must be equal to "+string(name)+" limit of "+lim.String()))
			} else if q.Cmp(lim) > 0 {
				errs = append(errs, field.Invalid(p.Child("requests"), q.String(), "must be less than or equal to "+string(name)+" limit of "+lim.String()))
			}
		} else if !overcommitAllowed(name) {
			errs = append(errs, field.Required(p.Child("limits"), "Limit must be set for non overcommitable resources"))
		}
	}
	return errs
}

func sortedNames(l corev1.ResourceList) []corev1.ResourceName {
	if len(l) == 0 {
		return nil
	}
	names := make([]corev1.ResourceName, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return names[i] < names[j] })
	return names
}

// overcommitAllowed is helper.IsOvercommitAllowed: native resources other
// than hugepages.
func overcommitAllowed(n corev1.ResourceName) bool {
	return isNative(string(n)) && !strings.HasPrefix(string(n), corev1.ResourceHugePagesPrefix)
}

func isNative(n string) bool {
	return !strings.Contains(n, "/") || strings.Contains(n, corev1.ResourceDefaultNamespacePrefix)
}

// validateResourceName is validateContainerResourceName.
func validateResourceName(n string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(n) {
		errs = append(errs, field.Invalid(p, n, msg))
	}
	if len(errs) != 0 {
		return errs
	}
	if !strings.Contains(n, "/") {
		switch corev1.ResourceName(n) {
		case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
		default:
			if !strings.HasPrefix(n, corev1.ResourceHugePagesPrefix) {
				return append(errs, field.Invalid(p, n, "must be a standard resource for containers"))
			}
		}
	} else if !isNative(n) && strings.HasPrefix(n, "requests.") {
		return append(errs, field.Invalid(p, n, "doesn't follow extended resource name standard"))
	}
	return errs
}

// validateQuantity is ValidateResourceQuantityValue.
func validateQuantity(name string, q resource.Quantity, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if q.Sign() < 0 {
		errs = append(errs, field.Invalid(p, q.String(), isNegativeErrorMsg))
	}
	if !isNative(name) || strings.HasPrefix(name, corev1.ResourceHugePagesPrefix) {
		if q.MilliValue()%1000 != 0 {
			errs = append(errs, field.Invalid(p, q.String(), "must be an integer"))
		}
	}
	return errs
}

var tolerationOperators = []string{string(corev1.TolerationOpEqual), string(corev1.TolerationOpExists)}

// validateTolerations is ValidateTolerations; p is the pod spec's path.
func validateTolerations(ts []corev1.Toleration, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, t := range ts {
		if okToleration(&t) {
			continue // the valid path builds no field paths
		}
		ip := p.Child("tolerations").Index(i)
		if t.Key != "" {
			errs = append(errs, validateLabelName(t.Key, ip.Child("key"))...)
		}
		if t.Key == "" && t.Operator != corev1.TolerationOpExists {
			errs = append(errs, field.Invalid(ip.Child("operator"), t.Operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
		}
		if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
			errs = append(errs, field.Invalid(ip.Child("effect"), t.Effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
		switch t.Operator {
		case corev1.TolerationOpEqual, "":
			if msgs := validation.IsValidLabelValue(t.Value); len(msgs) != 0 {
				errs = append(errs, field.Invalid(ip.Child("operator"), t.Value, strings.Join(msgs, ";")))
			}
		case corev1.TolerationOpExists:
			if t.Value != "" {
				errs = append(errs, field.Invalid(ip.Child("operator"), bad(t, "core"), "value must be empty when `operator` is 'Exists'"))
			}
		default:
			errs = append(errs, field.NotSupported(ip.Child("operator"), t.Operator, tolerationOperators))
		}
		if t.Effect != "" {
			switch t.Effect {
			case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
			default:
				errs = append(errs, field.NotSupported(ip.Child("effect"), t.Effect, []string{string(corev1.TaintEffectNoSchedule), string(corev1.TaintEffectPreferNoSchedule), string(corev1.TaintEffectNoExecute)}))
			}
		}
	}
	return errs
}

// okToleration is true when validateTolerations finds nothing wrong with t.
func okToleration(t *corev1.Toleration) bool {
	if t.Key != "" && !okQualifiedName(t.Key) || t.Key == "" && t.Operator != corev1.TolerationOpExists {
		return false
	}
	if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
		return false
	}
	switch t.Operator {
	case corev1.TolerationOpEqual, "":
		if !okLabelValue(t.Value) {
			return false
		}
	case corev1.TolerationOpExists:
		if t.Value != "" {
			return false
		}
	default:
		return false
	}
	switch t.Effect {
	case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		return true
	}
	return false
}
