package sim

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"kubesim/sim/registry"
)

// addonVersions are the images kubeadm and flannel deployed for a release.
type addonVersions struct {
	coredns, etcd, pause, flannel, flannelCNI string
}

// addonsFor returns kubeadm's pinned addon images for a minor version
// (cmd/kubeadm/app/constants: CoreDNSVersion, etcd versions per release).
func addonsFor(minor int) addonVersions {
	v := addonVersions{coredns: "v1.10.1", etcd: "3.5.7-0", pause: "3.9", flannel: "v0.21.4", flannelCNI: "v1.1.2"}
	switch {
	case minor >= 33:
		v.coredns, v.etcd, v.pause, v.flannel, v.flannelCNI = "v1.12.0", "3.5.21-0", "3.10", "v0.26.7", "v1.6.2-flannel1"
	case minor >= 31:
		v.coredns, v.etcd, v.pause, v.flannel, v.flannelCNI = "v1.11.3", "3.5.15-0", "3.10", "v0.26.1", "v1.6.0-flannel1"
	case minor >= 29:
		v.coredns, v.etcd, v.pause, v.flannel, v.flannelCNI = "v1.11.1", "3.5.10-0", "3.9", "v0.24.2", "v1.4.0-flannel1"
	case minor == 28:
		v.coredns, v.etcd = "v1.10.1", "3.5.9-0"
	case minor <= 26:
		v.coredns, v.etcd, v.pause = "v1.9.3", "3.5.6-0", "3.9"
	}
	return v
}

func (c *Cluster) res(group, resource string) *registry.Resource {
	r, ok := registry.Lookup(schema.GroupResource{Group: group, Resource: resource})
	if !ok {
		panic("sim: resource not served: " + resource)
	}
	return r
}

func (c *Cluster) mustCreate(group, resource, ns string, obj runtime.Object) {
	var err error
	c.as(bootstrapManager(group, resource, ns, objName(obj)), func() { _, err = c.Registry.Create(c.res(group, resource), ns, obj, false) })
	if err != nil {
		panic(fmt.Sprintf("sim: bootstrap %s %s/%s: %v", resource, ns, objName(obj), err))
	}
}

func objName(obj runtime.Object) string {
	if m, ok := obj.(metav1.ObjectMetaAccessor); ok {
		return m.GetObjectMeta().GetName()
	}
	return "?"
}

// bootstrapObjects creates what kubeadm init, the kube-controller-manager's
// first sync and the flannel manifest leave in a new cluster (nodes and
// static pods come from the kubelets).
func (c *Cluster) bootstrapObjects() {
	av := c.bootstrapKubeadm()
	c.bootstrapFlannel(av)
	c.bootstrapStorage()
}

// bootstrapKubeadm creates what kubeadm init and the
// kube-controller-manager's first sync leave; it returns the addon
// versions.
func (c *Cluster) bootstrapKubeadm() addonVersions {
	for _, ns := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
		c.mustCreate("", "namespaces", "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	for _, pc := range []struct {
		name  string
		value int32
		desc  string
	}{
		{"system-cluster-critical", 2000000000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
		{"system-node-critical", 2000001000, "Used for system critical pods that must not be moved from their current node."},
	} {
		c.mustCreate("scheduling.k8s.io", "priorityclasses", "", &schedulingv1.PriorityClass{ObjectMeta: metav1.ObjectMeta{Name: pc.name}, Value: pc.value, Description: pc.desc})
	}
	cp := c.Spec.ControlPlane()
	c.mustCreate("", "services", "default", &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec:       corev1.ServiceSpec{ClusterIP: "10.96.0.1", Ports: []corev1.ServicePort{{Name: "https", Port: 443, TargetPort: intstr.FromInt32(6443), Protocol: corev1.ProtocolTCP}}},
	})
	c.mustCreate("", "configmaps", "kube-public", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cluster-info"},
		Data: map[string]string{"kubeconfig": fmt.Sprintf("apiVersion: v1\nclusters:\n- cluster:\n    server: https://%s:6443\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {}\nusers: null\n", cp.IP)}})
	c.mustCreate("", "configmaps", "kube-system", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kubeadm-config"},
		Data: map[string]string{"ClusterConfiguration": fmt.Sprintf("apiServer:\n  extraArgs:\n    authorization-mode: Node,RBAC\n  timeoutForControlPlane: 4m0s\napiVersion: kubeadm.k8s.io/v1beta3\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\ncontrollerManager: {}\ndns: {}\netcd:\n  local:\n    dataDir: /var/lib/etcd\nimageRepository: registry.k8s.io\nkind: ClusterConfiguration\nkubernetesVersion: %s\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: %s\n  serviceSubnet: %s\nscheduler: {}\n", c.Spec.KubernetesVersion, c.Spec.PodCIDR, c.Spec.ServiceCIDR)}})
	c.mustCreate("", "configmaps", "kube-system", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "coredns"},
		Data: map[string]string{"Corefile": ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n"}})
	c.mustCreate("", "configmaps", "kube-system", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Labels: map[string]string{"app": "kube-proxy"}},
		Data: map[string]string{"config.conf": fmt.Sprintf("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nclusterCIDR: %s\nkind: KubeProxyConfiguration\nmode: \"\"\n", c.Spec.PodCIDR)}})
	c.mustCreate("", "services", "kube-system", &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-dns", Labels: map[string]string{"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
			Annotations: map[string]string{"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
		Spec: corev1.ServiceSpec{ClusterIP: "10.96.0.10", Selector: map[string]string{"k8s-app": "kube-dns"}, Ports: []corev1.ServicePort{
			{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromInt32(53)},
			{Name: "dns-tcp", Port: 53, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(53)},
			{Name: "metrics", Port: 9153, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(9153)},
		}},
	})
	minor := minorVersion(c.Spec.KubernetesVersion)
	av := addonsFor(minor)
	c.mustCreate("apps", "deployments", "kube-system", corednsDeployment(av))
	c.mustCreate("apps", "daemonsets", "kube-system", kubeProxyDaemonSet(c.Spec.KubernetesVersion))
	return av
}

// bootstrapFlannel creates what `kubectl apply -f kube-flannel.yml` left.
func (c *Cluster) bootstrapFlannel(av addonVersions) {
	c.mustCreate("", "namespaces", "", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "kube-flannel", Labels: map[string]string{"k8s-app": "flannel", "pod-security.kubernetes.io/enforce": "privileged"}}})
	c.mustCreate("", "configmaps", "kube-flannel", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kube-flannel-cfg", Labels: map[string]string{"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
		Data: map[string]string{
			"cni-conf.json": "{\n  \"name\": \"cbr0\",\n  \"cniVersion\": \"0.3.1\",\n  \"plugins\": [\n    {\n      \"type\": \"flannel\",\n      \"delegate\": {\n        \"hairpinMode\": true,\n        \"isDefaultGateway\": true\n      }\n    },\n    {\n      \"type\": \"portmap\",\n      \"capabilities\": {\n        \"portMappings\": true\n      }\n    }\n  ]\n}\n",
			"net-conf.json": fmt.Sprintf("{\n  \"Network\": \"%s\",\n  \"Backend\": {\n    \"Type\": \"vxlan\"\n  }\n}\n", c.Spec.PodCIDR),
		}})
	c.mustCreate("apps", "daemonsets", "kube-flannel", flannelDaemonSet(av))
}

func minorVersion(v string) int {
	_, minor, _ := parseVersion(v)
	return minor
}

func qty(s string) resource.Quantity { return resource.MustParse(s) }

// corednsDeployment is kubeadm's CoreDNS Deployment (phases/addons/dns/manifests.go).
func corednsDeployment(av addonVersions) *appsv1.Deployment {
	labels := map[string]string{"k8s-app": "kube-dns"}
	one := intstr.FromInt32(1)
	replicas := int32(2)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "coredns", Labels: map[string]string{"k8s-app": "kube-dns"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &one}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k8s-app": "kube-dns"}},
				Spec: corev1.PodSpec{
					PriorityClassName:  "system-cluster-critical",
					ServiceAccountName: "coredns",
					Affinity: &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
						Weight: 100, PodAffinityTerm: corev1.PodAffinityTerm{
							LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k8s-app", Operator: metav1.LabelSelectorOpIn, Values: []string{"kube-dns"}}}},
							TopologyKey:   "kubernetes.io/hostname",
						}}}}},
					Tolerations: []corev1.Toleration{
						{Key: "CriticalAddonsOnly", Operator: corev1.TolerationOpExists},
						{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule},
					},
					NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
					Containers: []corev1.Container{{
						Name:            "coredns",
						Image:           "registry.k8s.io/coredns/coredns:" + av.coredns,
						ImagePullPolicy: corev1.PullIfNotPresent,
						Resources: corev1.ResourceRequirements{
							Limits:   corev1.ResourceList{corev1.ResourceMemory: qty("170Mi")},
							Requests: corev1.ResourceList{corev1.ResourceCPU: qty("100m"), corev1.ResourceMemory: qty("70Mi")},
						},
						Args:         []string{"-conf", "/etc/coredns/Corefile"},
						VolumeMounts: []corev1.VolumeMount{{Name: "config-volume", MountPath: "/etc/coredns", ReadOnly: true}},
						Ports: []corev1.ContainerPort{
							{ContainerPort: 53, Name: "dns", Protocol: corev1.ProtocolUDP},
							{ContainerPort: 53, Name: "dns-tcp", Protocol: corev1.ProtocolTCP},
							{ContainerPort: 9153, Name: "metrics", Protocol: corev1.ProtocolTCP},
						},
						SecurityContext: &corev1.SecurityContext{
							AllowPrivilegeEscalation: ptr(false),
							Capabilities:             &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE"}, Drop: []corev1.Capability{"all"}},
							ReadOnlyRootFilesystem:   ptr(true),
						},
						LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/health", Port: intstr.FromInt32(8080), Scheme: corev1.URISchemeHTTP}},
							InitialDelaySeconds: 60, TimeoutSeconds: 5, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 5},
						ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8181), Scheme: corev1.URISchemeHTTP}},
							TimeoutSeconds: 1, PeriodSeconds: 10, SuccessThreshold: 1, FailureThreshold: 3},
						TerminationMessagePath:   corev1.TerminationMessagePathDefault,
						TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					}},
					DNSPolicy: corev1.DNSDefault,
					Volumes: []corev1.Volume{{Name: "config-volume", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
						LocalObjectReference: corev1.LocalObjectReference{Name: "coredns"},
						Items:                []corev1.KeyToPath{{Key: "Corefile", Path: "Corefile"}},
						DefaultMode:          ptr(int32(420)),
					}}}},
				},
			},
		},
	}
}

// kubeProxyDaemonSet is kubeadm's kube-proxy DaemonSet (phases/addons/proxy/manifests.go).
func kubeProxyDaemonSet(version string) *appsv1.DaemonSet {
	labels := map[string]string{"k8s-app": "kube-proxy"}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-proxy", Labels: map[string]string{"k8s-app": "kube-proxy"}},
		Spec: appsv1.DaemonSetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: labels},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k8s-app": "kube-proxy"}},
				Spec: corev1.PodSpec{
					PriorityClassName:  "system-node-critical",
					ServiceAccountName: "kube-proxy",
					HostNetwork:        true,
					NodeSelector:       map[string]string{"kubernetes.io/os": "linux"},
					Tolerations:        []corev1.Toleration{{Operator: corev1.TolerationOpExists}},
					Containers: []corev1.Container{{
						Name:            "kube-proxy",
						Image:           "registry.k8s.io/kube-proxy:" + version,
						ImagePullPolicy: corev1.PullIfNotPresent,
						Command:         []string{"/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"},
						Env:             []corev1.EnvVar{{Name: "NODE_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "spec.nodeName"}}}},
						SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)},
						VolumeMounts: []corev1.VolumeMount{
							{Name: "kube-proxy", MountPath: "/var/lib/kube-proxy"},
							{Name: "xtables-lock", MountPath: "/run/xtables.lock"},
							{Name: "lib-modules", MountPath: "/lib/modules", ReadOnly: true},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: "kube-proxy", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-proxy"}, DefaultMode: ptr(int32(420))}}},
						{Name: "xtables-lock", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/run/xtables.lock", Type: ptr(corev1.HostPathFileOrCreate)}}},
						{Name: "lib-modules", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/lib/modules", Type: ptr(corev1.HostPathType(""))}}},
					},
				},
			},
		},
	}
}

// flannelDaemonSet is the kube-flannel-ds DaemonSet of flannel's kube-flannel.yml.
func flannelDaemonSet(av addonVersions) *appsv1.DaemonSet {
	labels := map[string]string{"app": "flannel", "k8s-app": "flannel"}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "kube-flannel-ds", Labels: map[string]string{"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "flannel", "k8s-app": "flannel", "tier": "node"}},
				Spec: corev1.PodSpec{
					Affinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
						NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/os", Operator: corev1.NodeSelectorOpIn, Values: []string{"linux"}}}}},
					}}},
					HostNetwork:        true,
					PriorityClassName:  "system-node-critical",
					Tolerations:        []corev1.Toleration{{Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
					ServiceAccountName: "flannel",
					Containers: []corev1.Container{{
						Name:    "kube-flannel",
						Image:   "docker.io/flannel/flannel:" + av.flannel,
						Command: []string{"/opt/bin/flanneld"},
						Args:    []string{"--ip-masq", "--kube-subnet-mgr"},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: qty("100m"), corev1.ResourceMemory: qty("50Mi")},
						},
						SecurityContext: &corev1.SecurityContext{Privileged: ptr(false), Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN", "NET_RAW"}}},
						Env: []corev1.EnvVar{
							{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
							{Name: "POD_NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
							{Name: "EVENT_QUEUE_DEPTH", Value: "5000"},
						},
						VolumeMounts: []corev1.VolumeMount{{Name: "run", MountPath: "/run/flannel"}, {Name: "flannel-cfg", MountPath: "/etc/kube-flannel/"}, {Name: "xtables-lock", MountPath: "/run/xtables.lock"}},
					}},
					Volumes: []corev1.Volume{
						{Name: "run", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/run/flannel"}}},
						{Name: "flannel-cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-flannel-cfg"}}}},
						{Name: "xtables-lock", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/run/xtables.lock", Type: ptr(corev1.HostPathFileOrCreate)}}},
					},
				},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }
