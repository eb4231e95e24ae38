package validation

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var podKind = schema.GroupKind{Kind: "Pod"}

func TestValidatePod(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*corev1.Pod)
		want   string
	}{
		{"valid", func(*corev1.Pod) {}, ""},
		{"name not a subdomain", func(p *corev1.Pod) { p.Name = "Web_1" },
			`Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`},
		{"bad label value", func(p *corev1.Pod) { p.Labels = map[string]string{"app": "a b"} },
			`Pod "p" is invalid: metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`},
		{"no containers", func(p *corev1.Pod) { p.Spec.Containers = nil },
			`Pod "p" is invalid: spec.containers: Required value`},
		{"container name and image", func(p *corev1.Pod) { p.Spec.Containers[0].Name = "Web"; p.Spec.Containers[0].Image = "" },
			`Pod "p" is invalid: [spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), spec.containers[0].image: Required value]`},
		{"duplicate container", func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, p.Spec.Containers[0]) },
			`Pod "p" is invalid: spec.containers[1].name: Duplicate value: "web"`},
		{"ports out of range", func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 70000, Protocol: "TCP"}, {ContainerPort: 0, HostPort: -1, Protocol: "TCP"}, {ContainerPort: 80, Protocol: "HTTP"}}
		},
			`Pod "p" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.containers[0].ports[1].containerPort: Required value, spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive, spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"]`},
		{"negative probe period", func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromInt32(80)}}, PeriodSeconds: -5, InitialDelaySeconds: -1}
		},
			`Pod "p" is invalid: [spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0, spec.containers[0].livenessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0]`},
		{"probe without handler", func(p *corev1.Pod) {
			p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{}
		},
			`Pod "p" is invalid: spec.containers[0].readinessProbe: Required value: must specify a handler type`},
		{"liveness successThreshold", func(p *corev1.Pod) {
			p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(0)}}, SuccessThreshold: 2}
		},
			`Pod "p" is invalid: [spec.containers[0].livenessProbe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1]`},
		{"negative cpu request", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{"cpu": qty("-1")}
		},
			`Pod "p" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0`},
		{"request above limit", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{"cpu": qty("1")}, Requests: corev1.ResourceList{"cpu": qty("2")}}
		},
			`Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1`},
		{"unknown resource", func(p *corev1.Pod) {
			p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{"gpu": qty("1")}
		},
			`Pod "p" is invalid: spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers`},
		{"restartPolicy", func(p *corev1.Pod) { p.Spec.RestartPolicy = "Sometimes" },
			`Pod "p" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
		{"imagePullPolicy", func(p *corev1.Pod) { p.Spec.Containers[0].ImagePullPolicy = "Maybe" },
			`Pod "p" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "Maybe": supported values: "Always", "IfNotPresent", "Never"`},
		{"mount of a missing volume", func(p *corev1.Pod) {
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		},
			`Pod "p" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"`},
		{"volume without a type", func(p *corev1.Pod) { p.Spec.Volumes = []corev1.Volume{{Name: "data"}} },
			`Pod "p" is invalid: spec.volumes[0]: Required value: must specify a volume type`},
		{"two volume types", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}, HostPath: &corev1.HostPathVolumeSource{Path: "/data"}}}}
		},
			`Pod "p" is invalid: spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type`},
		{"hostPath without path, mounted", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
		},
			`Pod "p" is invalid: [spec.volumes[0].hostPath.path: Required value, spec.containers[0].volumeMounts[0].name: Not found: "data"]`},
		{"configMap volume without name", func(p *corev1.Pod) {
			p.Spec.Volumes = []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{Items: []corev1.KeyToPath{{Key: "a", Path: "/abs"}}}}}}
		},
			`Pod "p" is invalid: [spec.volumes[0].configMap.name: Required value, spec.volumes[0].configMap.items[0].path: Invalid value: "/abs": must be a relative path]`},
		{"node affinity without terms", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{}}}
		},
			`Pod "p" is invalid: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term`},
		{"node affinity In without values", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "disk", Operator: corev1.NodeSelectorOpIn}}}}}}}
		},
			"Pod \"p\" is invalid: spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"},
		{"pod anti-affinity without topologyKey, weight 0", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{}}}}
		},
			`Pod "p" is invalid: [spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100, spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Required value: can not be empty, spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Invalid value: "": name part must be non-empty, spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]`},
		{"topology spread maxSkew 0", func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "zone", WhenUnsatisfiable: "Sometimes"}}
		},
			`Pod "p" is invalid: [spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero, spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"]`},
		{"env from a configMap without key", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}}}
		},
			`Pod "p" is invalid: spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Required value`},
		{"env value and valueFrom", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "A", Value: "x", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
		},
			"Pod \"p\" is invalid: spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
		{"negative runAsUser", func(p *corev1.Pod) {
			p.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsUser: ptr(int64(-1))}
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{RunAsGroup: ptr(int64(-2))}
		},
			`Pod "p" is invalid: [spec.containers[0].securityContext.runAsGroup: Invalid value: -2: must be between 0 and 2147483647, inclusive, spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive]`},
		{"env name", func(p *corev1.Pod) { p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "1=x"}} },
			`Pod "p" is invalid: spec.containers[0].env[0].name: Invalid value: "1=x": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`},
		{"activeDeadlineSeconds 0", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(0)) },
			`Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive`},
		{"init container probe", func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{p.Spec.Containers[0]}
			p.Spec.InitContainers[0].Name = "init"
			p.Spec.InitContainers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"true"}}}}
		},
			`Pod "p" is invalid: spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers`},
		{"toleration without key", func(p *corev1.Pod) {
			p.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpEqual, Value: "x"}}
		},
			`Pod "p" is invalid: spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when ` + "`key`" + ` is empty, which means "match all values and all keys"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &corev1.Pod{ObjectMeta: objMeta("p"), Spec: podSpec()}
			tt.mutate(p)
			check(t, tt.want, invalid(podKind, p.Name, ValidatePod(p)))
		})
	}
}

func TestValidatePodUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*corev1.Pod)
		want   string // the message up to the diff
		diff   []string
	}{
		{"image may change", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "nginx:1.25" }, "", nil},
		{"tolerations may be added", func(p *corev1.Pod) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Key: "k", Operator: corev1.TolerationOpExists})
		}, "", nil},
		{"activeDeadlineSeconds may shrink", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(10)) }, "", nil},
		{"nodeName", func(p *corev1.Pod) { p.Spec.NodeName = "w2" },
			"Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
			[]string{"  core.PodSpec{", "- \tNodeName: \"w1\",", "+ \tNodeName: \"w2\","}},
		{"container added", func(p *corev1.Pod) {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "b", Image: "busybox", TerminationMessagePolicy: "File", ImagePullPolicy: "Always"})
		}, `Pod "p" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers`, nil},
		{"activeDeadlineSeconds may not grow", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr(int64(100)) },
			`Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 100: must be less than or equal to previous value`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := &corev1.Pod{ObjectMeta: objMeta("p"), Spec: podSpec()}
			old.Spec.NodeName = "w1"
			old.Spec.ActiveDeadlineSeconds = ptr(int64(60))
			p := old.DeepCopy()
			tt.mutate(p)
			got := invalid(podKind, p.Name, ValidatePodUpdate(p, old))
			head, rest, _ := strings.Cut(got, "\n")
			check(t, tt.want, head)
			for _, line := range tt.diff {
				if !strings.Contains(rest, line+"\n") {
					t.Errorf("diff lacks %q:\n%s", line, rest)
				}
			}
		})
	}
}

// BenchmarkValidatePod measures what a pod create and a kubelet status
// update cost: a pod as the registry admits it (service account volume and
// mount, owner reference). Both should allocate nothing.
func BenchmarkValidatePod(b *testing.B) {
	p := &corev1.Pod{ObjectMeta: objMeta("web-7f9c6bd8b5-x2x7k"), Spec: podSpec()}
	p.GenerateName = "web-7f9c6bd8b5-"
	p.Labels = map[string]string{"app": "web", "pod-template-hash": "7f9c6bd8b5"}
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web-7f9c6bd8b5", UID: "u2", Controller: ptr(true)}}
	p.Spec.Volumes = []corev1.Volume{{Name: "kube-api-access-abcde", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}}}}
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "kube-api-access-abcde", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true}}
	p.Spec.Containers[0].Resources.Requests = corev1.ResourceList{"cpu": qty("10m"), "memory": qty("10Mi")}
	p.Spec.SecurityContext = &corev1.PodSecurityContext{}
	p.Spec.Tolerations = []corev1.Toleration{{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr(int64(300))}}
	b.Run("create", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if errs := ValidatePod(p); len(errs) != 0 {
				b.Fatal(errs)
			}
		}
	})
	b.Run("status", func(b *testing.B) {
		cur := p.DeepCopy()
		cur.Status.Phase = corev1.PodRunning
		b.ReportAllocs()
		for b.Loop() {
			if errs := ValidateStatusUpdate(cur, p); len(errs) != 0 {
				b.Fatal(errs)
			}
		}
	})
}
