package registry

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// defaultObject applies what kube-apiserver's defaulting functions set
// (k8s.io/kubernetes pkg/apis/*/v1/defaults.go); the default admission
// plugins (plugin/pkg/admission: ServiceAccount, DefaultTolerationSeconds,
// Priority) are admit's. old is nil on create.
func (r *Registry) defaultObject(res *Resource, obj runtime.Object, old runtime.Object) {
	if res.Custom != nil {
		r.defaultCustom(res, obj, old)
		return
	}
	r.defaultCRD(obj, old)
	r.dropDisabledFields(obj, old)
	switch o := obj.(type) {
	case *corev1.Pod:
		defaultPodRequests(o)
		defaultPodSpec(&o.Spec)
	case *appsv1.Deployment:
		if o.Spec.Replicas == nil {
			o.Spec.Replicas = ptr(int32(1))
		}
		if o.Spec.Strategy.Type == "" {
			o.Spec.Strategy.Type = appsv1.RollingUpdateDeploymentStrategyType
		}
		if o.Spec.Strategy.Type == appsv1.RollingUpdateDeploymentStrategyType {
			if o.Spec.Strategy.RollingUpdate == nil {
				o.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{}
			}
			if o.Spec.Strategy.RollingUpdate.MaxUnavailable == nil {
				v := intstr.FromString("25%")
				o.Spec.Strategy.RollingUpdate.MaxUnavailable = &v
			}
			if o.Spec.Strategy.RollingUpdate.MaxSurge == nil {
				v := intstr.FromString("25%")
				o.Spec.Strategy.RollingUpdate.MaxSurge = &v
			}
		}
		if o.Spec.RevisionHistoryLimit == nil {
			o.Spec.RevisionHistoryLimit = ptr(int32(10))
		}
		if o.Spec.ProgressDeadlineSeconds == nil {
			o.Spec.ProgressDeadlineSeconds = ptr(int32(600))
		}
		defaultPodSpec(&o.Spec.Template.Spec)
	case *appsv1.ReplicaSet:
		if o.Spec.Replicas == nil {
			o.Spec.Replicas = ptr(int32(1))
		}
		defaultPodSpec(&o.Spec.Template.Spec)
	case *appsv1.DaemonSet:
		if o.Spec.UpdateStrategy.Type == "" {
			o.Spec.UpdateStrategy.Type = appsv1.RollingUpdateDaemonSetStrategyType
		}
		if o.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType && o.Spec.UpdateStrategy.RollingUpdate == nil {
			one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
			o.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one, MaxSurge: &zero}
		}
		if o.Spec.RevisionHistoryLimit == nil {
			o.Spec.RevisionHistoryLimit = ptr(int32(10))
		}
		defaultPodSpec(&o.Spec.Template.Spec)
	case *corev1.Service:
		r.defaultService(o, old)
	case *corev1.PersistentVolume, *corev1.PersistentVolumeClaim, *storagev1.StorageClass:
		r.defaultStorage(obj, old)
	case *corev1.Namespace:
		if o.Status.Phase == "" {
			o.Status.Phase = corev1.NamespaceActive
		}
		if old == nil && len(o.Spec.Finalizers) == 0 {
			o.Spec.Finalizers = []corev1.FinalizerName{corev1.FinalizerKubernetes}
		}
		if o.Labels == nil {
			o.Labels = map[string]string{}
		}
		o.Labels["kubernetes.io/metadata.name"] = o.Name
	case *appsv1.StatefulSet:
		if o.Spec.Replicas == nil {
			o.Spec.Replicas = ptr(int32(1))
		}
		if o.Spec.PodManagementPolicy == "" {
			o.Spec.PodManagementPolicy = appsv1.OrderedReadyPodManagement
		}
		if o.Spec.UpdateStrategy.Type == "" {
			o.Spec.UpdateStrategy.Type = appsv1.RollingUpdateStatefulSetStrategyType
		}
		if o.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && o.Spec.UpdateStrategy.RollingUpdate == nil {
			o.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(0))}
		}
		if o.Spec.RevisionHistoryLimit == nil {
			o.Spec.RevisionHistoryLimit = ptr(int32(10))
		}
		if r.minor() >= 27 && o.Spec.PersistentVolumeClaimRetentionPolicy == nil {
			o.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType}
		}
		defaultClaimTemplates(o.Spec.VolumeClaimTemplates)
		defaultPodSpec(&o.Spec.Template.Spec)
	case *batchv1.Job:
		r.defaultJob(o, old)
	case *batchv1.CronJob:
		if o.Spec.ConcurrencyPolicy == "" {
			o.Spec.ConcurrencyPolicy = batchv1.AllowConcurrent
		}
		if o.Spec.Suspend == nil {
			o.Spec.Suspend = ptr(false)
		}
		if o.Spec.SuccessfulJobsHistoryLimit == nil {
			o.Spec.SuccessfulJobsHistoryLimit = ptr(int32(3))
		}
		if o.Spec.FailedJobsHistoryLimit == nil {
			o.Spec.FailedJobsHistoryLimit = ptr(int32(1))
		}
		defaultPodSpec(&o.Spec.JobTemplate.Spec.Template.Spec)
	case *schedulingv1.PriorityClass:
		if o.PreemptionPolicy == nil {
			p := corev1.PreemptLowerPriority
			o.PreemptionPolicy = &p
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		defaultHPA(o)
	case *corev1.LimitRange:
		defaultLimitRange(o)
	case *corev1.ResourceQuota:
		if old == nil {
			o.Status = corev1.ResourceQuotaStatus{} // the strategy's PrepareForCreate
		}
	case *corev1.Secret:
		if o.Type == "" {
			o.Type = corev1.SecretTypeOpaque
		}
	case *networkingv1.NetworkPolicy:
		defaultNetworkPolicy(o)
	case *networkingv1.IngressClass:
		if p := o.Spec.Parameters; p != nil && p.Scope == nil {
			p.Scope = ptr(networkingv1.IngressClassParametersReferenceScopeCluster)
		}
	case *rbacv1.RoleBinding:
		defaultRoleRef(&o.RoleRef)
		defaultSubjects(o.Subjects)
	case *rbacv1.ClusterRoleBinding:
		defaultRoleRef(&o.RoleRef)
		defaultSubjects(o.Subjects)
	}
}

// defaultRoleRef and defaultSubjects are rbac/v1's SetDefaults_RoleBinding,
// SetDefaults_ClusterRoleBinding and SetDefaults_Subject.
// defaultNetworkPolicy is networking/v1's SetDefaults_NetworkPolicy and
// SetDefaults_NetworkPolicyPort: a port without a protocol is TCP; a
// policy without policyTypes affects Ingress, and Egress too when it has
// egress rules.
func defaultNetworkPolicy(np *networkingv1.NetworkPolicy) {
	tcp := func(ports []networkingv1.NetworkPolicyPort) {
		for i := range ports {
			if ports[i].Protocol == nil {
				ports[i].Protocol = ptr(corev1.ProtocolTCP)
			}
		}
	}
	for i := range np.Spec.Ingress {
		tcp(np.Spec.Ingress[i].Ports)
	}
	for i := range np.Spec.Egress {
		tcp(np.Spec.Egress[i].Ports)
	}
	if len(np.Spec.PolicyTypes) == 0 {
		np.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(np.Spec.Egress) != 0 {
			np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
}

func defaultRoleRef(r *rbacv1.RoleRef) {
	if r.APIGroup == "" {
		r.APIGroup = rbacv1.GroupName
	}
}

func defaultSubjects(subjects []rbacv1.Subject) {
	for i := range subjects {
		s := &subjects[i]
		if s.APIGroup == "" && (s.Kind == rbacv1.UserKind || s.Kind == rbacv1.GroupKind) {
			s.APIGroup = rbacv1.GroupName
		}
	}
}

func ptr[T any](v T) *T { return &v }

// defaultPodSpec applies the core/v1 Pod and PodTemplate defaults.
func defaultPodSpec(s *corev1.PodSpec) {
	if s.RestartPolicy == "" {
		s.RestartPolicy = corev1.RestartPolicyAlways
	}
	if s.DNSPolicy == "" {
		s.DNSPolicy = corev1.DNSClusterFirst
	}
	if s.TerminationGracePeriodSeconds == nil {
		s.TerminationGracePeriodSeconds = sharedGracePeriod
	}
	if s.SecurityContext == nil {
		s.SecurityContext = sharedEmptyPodSecurityContext
	}
	if s.SchedulerName == "" {
		s.SchedulerName = corev1.DefaultSchedulerName
	}
	for i := range s.InitContainers {
		defaultContainer(&s.InitContainers[i])
	}
	for i := range s.Containers {
		defaultContainer(&s.Containers[i])
	}
}

func defaultContainer(c *corev1.Container) {
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = corev1.TerminationMessagePathDefault
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = corev1.TerminationMessageReadFile
	}
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = corev1.PullIfNotPresent
		if imageTag(c.Image) == "latest" {
			c.ImagePullPolicy = corev1.PullAlways
		}
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = corev1.ProtocolTCP
		}
	}
	for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
		defaultProbe(p)
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []*corev1.LifecycleHandler{l.PostStart, l.PreStop} {
			if h != nil {
				defaultHTTPGet(h.HTTPGet)
			}
		}
	}
}

// defaultProbe is core/v1 SetDefaults_Probe: timeout 1s, period 10s,
// success threshold 1, failure threshold 3.
func defaultProbe(p *corev1.Probe) {
	if p == nil {
		return
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	defaultHTTPGet(p.HTTPGet)
}

// defaultHTTPGet is SetDefaults_HTTPGetAction: path "/", scheme HTTP.
func defaultHTTPGet(h *corev1.HTTPGetAction) {
	if h == nil {
		return
	}
	if h.Path == "" {
		h.Path = "/"
	}
	if h.Scheme == "" {
		h.Scheme = corev1.URISchemeHTTP
	}
}

// imageTag returns the tag of an image reference ("latest" when absent, "" for a digest).
func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	slash := strings.LastIndex(image, "/")
	if colon := strings.LastIndex(image, ":"); colon > slash {
		return image[colon+1:]
	}
	return "latest"
}

// admitPod applies the default admission plugins to a new pod.
func (r *Registry) admitPod(p *corev1.Pod) {
	if p.Spec.EnableServiceLinks == nil {
		p.Spec.EnableServiceLinks = sharedTrue
	}
	if p.Spec.Priority == nil {
		p.Spec.Priority = sharedPriorityZero
		if pc := r.priorityClass(p.Spec.PriorityClassName); pc != nil {
			p.Spec.Priority = ptr(pc.Value)
			if pc.PreemptionPolicy != nil && p.Spec.PreemptionPolicy == nil {
				p.Spec.PreemptionPolicy = ptr(*pc.PreemptionPolicy)
			}
		}
	}
	if p.Spec.PreemptionPolicy == nil {
		p.Spec.PreemptionPolicy = sharedPreemptLower
	}
	// DefaultTolerationSeconds.
	addTol := func(key string) {
		for _, t := range p.Spec.Tolerations {
			if (t.Key == key || t.Key == "") && (t.Effect == corev1.TaintEffectNoExecute || t.Effect == "") {
				return
			}
		}
		p.Spec.Tolerations = append(p.Spec.Tolerations, defaultToleration(key))
	}
	if _, mirror := p.Annotations[corev1.MirrorPodAnnotationKey]; !mirror {
		if len(p.Spec.Tolerations) == 0 {
			p.Spec.Tolerations = defaultTolerations // shared.go
		} else {
			addTol(corev1.TaintNodeNotReady)
			addTol(corev1.TaintNodeUnreachable)
		}
		r.admitServiceAccount(p)
	}
	if p.Status.Phase == "" {
		p.Status.Phase = corev1.PodPending
	}
	if p.Status.QOSClass == "" {
		p.Status.QOSClass = qosClass(p)
	}
}

// admitServiceAccount is the ServiceAccount admission plugin: the default
// account and its projected token volume.
// kubeAPIAccess is the projected volume the ServiceAccount admission adds
// to every pod. Every pod shares this one value, as stored objects are
// never modified (whoever changes a pod changes a deep copy).
var kubeAPIAccess = &corev1.ProjectedVolumeSource{
	DefaultMode: ptr(int32(0o644)),
	Sources: []corev1.VolumeProjection{
		{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{ExpirationSeconds: ptr(int64(3607)), Path: "token"}},
		{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
		{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
	},
}

func (r *Registry) admitServiceAccount(p *corev1.Pod) {
	if p.Spec.ServiceAccountName == "" {
		p.Spec.ServiceAccountName = "default"
	}
	p.Spec.DeprecatedServiceAccount = p.Spec.ServiceAccountName
	if p.Spec.AutomountServiceAccountToken != nil && !*p.Spec.AutomountServiceAccountToken {
		return
	}
	for i := range p.Spec.Volumes {
		if strings.HasPrefix(p.Spec.Volumes[i].Name, "kube-api-access-") {
			return
		}
	}
	name := r.withSuffix("kube-api-access-", 5)
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: kubeAPIAccess}})
	mount := corev1.VolumeMount{Name: name, ReadOnly: true, MountPath: "/var/run/secrets/kubernetes.io/serviceaccount"}
	for i := range p.Spec.Containers {
		p.Spec.Containers[i].VolumeMounts = append(p.Spec.Containers[i].VolumeMounts, mount)
	}
	for i := range p.Spec.InitContainers {
		p.Spec.InitContainers[i].VolumeMounts = append(p.Spec.InitContainers[i].VolumeMounts, mount)
	}
}

func (r *Registry) priorityClass(name string) *schedulingv1.PriorityClass {
	if name == "" {
		return nil
	}
	res := byGR[schedulingV1.WithResource("priorityclasses").GroupResource()]
	obj, err := r.Get(res, "", name)
	if err != nil {
		return nil
	}
	return obj.(*schedulingv1.PriorityClass)
}

// qosClass computes the pod's QoS class as the kubelet's qos helper does.
func qosClass(p *corev1.Pod) corev1.PodQOSClass {
	requests, limits := 0, 0
	guaranteed := true
	for _, cs := range [...][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for i := range cs { // by index: a Container is half a kilobyte
			res := &cs[i].Resources
			for _, name := range [...]corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, hasReq := res.Requests[name]
				lim, hasLim := res.Limits[name]
				if hasReq && !req.IsZero() {
					requests++
				}
				if hasLim && !lim.IsZero() {
					limits++
				}
				if !hasLim || lim.IsZero() || (hasReq && req.Cmp(lim) != 0) {
					guaranteed = false
				}
			}
		}
	}
	switch {
	case requests == 0 && limits == 0:
		return corev1.PodQOSBestEffort
	case guaranteed:
		return corev1.PodQOSGuaranteed
	default:
		return corev1.PodQOSBurstable
	}
}

// defaultJob is batch/v1 Job defaulting plus the job strategy's generated
// selector (pkg/registry/batch/job/strategy.go): the controller-uid label on
// selector and template, with the job-name labels.
func (r *Registry) defaultJob(j *batchv1.Job, old runtime.Object) {
	if j.Spec.Parallelism == nil {
		j.Spec.Parallelism = ptr(int32(1))
	}
	if j.Spec.Completions == nil && (j.Spec.CompletionMode == nil || *j.Spec.CompletionMode == batchv1.NonIndexedCompletion) {
		j.Spec.Completions = ptr(int32(1))
	}
	if j.Spec.BackoffLimit == nil {
		j.Spec.BackoffLimit = ptr(int32(6))
	}
	if j.Spec.CompletionMode == nil {
		m := batchv1.NonIndexedCompletion
		j.Spec.CompletionMode = &m
	}
	if j.Spec.Suspend == nil {
		j.Spec.Suspend = ptr(false)
	}
	if r.minor() >= 29 && j.Spec.PodReplacementPolicy == nil {
		p := batchv1.TerminatingOrFailed
		j.Spec.PodReplacementPolicy = &p
	}
	defaultPodSpec(&j.Spec.Template.Spec)
	if old != nil || (j.Spec.ManualSelector != nil && *j.Spec.ManualSelector) {
		return
	}
	uid := string(j.UID)
	labels := map[string]string{"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": j.Name, "controller-uid": uid, "job-name": j.Name}
	if j.Spec.Template.Labels == nil {
		j.Spec.Template.Labels = map[string]string{}
	}
	for k, v := range labels {
		j.Spec.Template.Labels[k] = v
	}
	j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": uid}}
}

// minor is the cluster's Kubernetes minor version, parsed once per version
// (every create asks: fmt.Sscanf cost ~160 B a call).
func (r *Registry) minor() int {
	if r.minorOf != r.version || !r.minorSet {
		var major, minor int
		fmt.Sscanf(strings.TrimPrefix(r.version, "v"), "%d.%d", &major, &minor)
		r.minorOf, r.minorVal, r.minorSet = r.version, minor, true
	}
	return r.minorVal
}
