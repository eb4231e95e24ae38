package validation

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var (
	deployKind = schema.GroupKind{Group: "apps", Kind: "Deployment"}
	rsKind     = schema.GroupKind{Group: "apps", Kind: "ReplicaSet"}
	dsKind     = schema.GroupKind{Group: "apps", Kind: "DaemonSet"}
	stsKind    = schema.GroupKind{Group: "apps", Kind: "StatefulSet"}
)

func webLabels() map[string]string { return map[string]string{"app": "web"} }

// deployment is `kubectl create deploy web --image=nginx --replicas=2` after
// defaulting.
func deployment() *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: objMeta("web"), Spec: appsv1.DeploymentSpec{
		Replicas: ptr(int32(2)),
		Selector: &metav1.LabelSelector{MatchLabels: webLabels()},
		Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxUnavailable: ptr(intstr.FromString("25%")), MaxSurge: ptr(intstr.FromString("25%"))}},
		RevisionHistoryLimit: ptr(int32(10)), ProgressDeadlineSeconds: ptr(int32(600)),
	}}
	d.Spec.Template.Labels = webLabels()
	d.Spec.Template.Spec = podSpec()
	return d
}

func TestValidateDeployment(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   string
	}{
		{"valid", func(*appsv1.Deployment) {}, ""},
		{"negative replicas", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr(int32(-1)) },
			`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"negative revisionHistoryLimit", func(d *appsv1.Deployment) { d.Spec.RevisionHistoryLimit = ptr(int32(-1)) },
			`Deployment.apps "web" is invalid: spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0`},
		{"maxSurge and maxUnavailable both 0", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxUnavailable: ptr(intstr.FromInt32(0)), MaxSurge: ptr(intstr.FromInt32(0))}
		},
			"Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0"},
		{"maxUnavailable over 100%", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("150%"))
		},
			`Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%`},
		{"maxSurge not a percent", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxSurge = ptr(intstr.FromString("abc"))
		},
			`Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`},
		{"negative maxSurge", func(d *appsv1.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxSurge = ptr(intstr.FromInt32(-2))
		},
			`Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: -2: must be greater than or equal to 0`},
		{"recreate with rollingUpdate", func(d *appsv1.Deployment) { d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType },
			"Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"},
		{"progressDeadlineSeconds not above minReadySeconds", func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = 600 },
			`Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds`},
		{"empty selector", func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} },
			`Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment`},
		{"selector does not match", func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "other"} },
			"Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"},
		{"template restartPolicy", func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = "Never" },
			`Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`},
		{"template container without image", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" },
			`Deployment.apps "web" is invalid: spec.template.spec.containers[0].image: Required value`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := deployment()
			tt.mutate(d)
			check(t, tt.want, invalid(deployKind, d.Name, ValidateDeployment(d)))
		})
	}
}

func TestValidateDeploymentUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   string
	}{
		{"image", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:1.25" }, ""},
		{"replicas -1 (the patch of issue 11)", func(d *appsv1.Deployment) { d.Spec.Replicas = ptr(int32(-1)) },
			`Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"selector", func(d *appsv1.Deployment) {
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "fe"}}
			d.Spec.Template.Labels = d.Spec.Selector.MatchLabels
		},
			`Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := deployment()
			d := old.DeepCopy()
			tt.mutate(d)
			check(t, tt.want, invalid(deployKind, d.Name, ValidateDeploymentUpdate(d, old)))
		})
	}
}

func replicaSet() *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: objMeta("web-1"), Spec: appsv1.ReplicaSetSpec{
		Replicas: ptr(int32(2)), Selector: &metav1.LabelSelector{MatchLabels: webLabels()}}}
	rs.Spec.Template.Labels = webLabels()
	rs.Spec.Template.Spec = podSpec()
	return rs
}

func TestValidateReplicaSet(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.ReplicaSet)
		update bool
		want   string
	}{
		{"valid", func(*appsv1.ReplicaSet) {}, false, ""},
		{"negative replicas", func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr(int32(-1)) }, false,
			`ReplicaSet.apps "web-1" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"activeDeadlineSeconds", func(rs *appsv1.ReplicaSet) { rs.Spec.Template.Spec.ActiveDeadlineSeconds = ptr(int64(5)) }, false,
			`ReplicaSet.apps "web-1" is invalid: spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported`},
		{"negative replicas on update (reported once)", func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr(int32(-1)) }, true,
			`ReplicaSet.apps "web-1" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"selector immutable", func(rs *appsv1.ReplicaSet) {
			rs.Spec.Selector.MatchLabels = map[string]string{"app": "web", "x": "y"}
			rs.Spec.Template.Labels = rs.Spec.Selector.MatchLabels
		}, true,
			`ReplicaSet.apps "web-1" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "x":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := replicaSet()
			rs := old.DeepCopy()
			tt.mutate(rs)
			errs := ValidateReplicaSet(rs)
			if tt.update {
				errs = ValidateReplicaSetUpdate(rs, old)
			}
			check(t, tt.want, invalid(rsKind, rs.Name, errs))
		})
	}
}

func daemonSet() *appsv1.DaemonSet {
	ds := &appsv1.DaemonSet{ObjectMeta: objMeta("agent"), Spec: appsv1.DaemonSetSpec{
		Selector: &metav1.LabelSelector{MatchLabels: webLabels()},
		UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr(intstr.FromInt32(1)), MaxSurge: ptr(intstr.FromInt32(0))}},
		RevisionHistoryLimit: ptr(int32(10)),
	}}
	ds.Spec.Template.Labels = webLabels()
	ds.Spec.Template.Spec = podSpec()
	return ds
}

func TestValidateDaemonSet(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.DaemonSet)
		update bool
		want   string
	}{
		{"valid", func(*appsv1.DaemonSet) {}, false, ""},
		{"both surge and unavailable", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxSurge = ptr(intstr.FromInt32(1))
		}, false, `DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero`},
		{"both zero", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromInt32(0))
		}, false, `DaemonSet.apps "agent" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0`},
		{"negative revisionHistoryLimit", func(ds *appsv1.DaemonSet) { ds.Spec.RevisionHistoryLimit = ptr(int32(-1)) }, false,
			`DaemonSet.apps "agent" is invalid: spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0`},
		{"selector immutable", func(ds *appsv1.DaemonSet) {
			ds.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
			ds.Spec.Template.Labels = ds.Spec.Selector.MatchLabels
		}, true, `DaemonSet.apps "agent" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := daemonSet()
			ds := old.DeepCopy()
			tt.mutate(ds)
			errs := ValidateDaemonSet(ds)
			if tt.update {
				errs = ValidateDaemonSetUpdate(ds, old)
			}
			check(t, tt.want, invalid(dsKind, ds.Name, errs))
		})
	}
}

func statefulSet() *appsv1.StatefulSet {
	s := &appsv1.StatefulSet{ObjectMeta: objMeta("db"), Spec: appsv1.StatefulSetSpec{
		Replicas: ptr(int32(3)), ServiceName: "db",
		Selector:            &metav1.LabelSelector{MatchLabels: webLabels()},
		PodManagementPolicy: appsv1.OrderedReadyPodManagement,
		UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
			RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(0))}},
		RevisionHistoryLimit: ptr(int32(10)),
	}}
	s.Spec.Template.Labels = webLabels()
	s.Spec.Template.Spec = podSpec()
	return s
}

func TestValidateStatefulSet(t *testing.T) {
	const forbidden127 = `StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`
	const forbidden133 = `StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`
	tests := []struct {
		name    string
		version Version
		mutate  func(*appsv1.StatefulSet)
		update  bool
		want    string
	}{
		{"valid", 27, func(*appsv1.StatefulSet) {}, false, ""},
		{"negative replicas", 27, func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr(int32(-1)) }, false,
			`StatefulSet.apps "db" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{"name must be a DNS label", 27, func(s *appsv1.StatefulSet) { s.Name = "db.v1" }, false,
			`StatefulSet.apps "db.v1" is invalid: metadata.name: Invalid value: "db.v1": must not contain dots`},
		{"negative partition", 27, func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr(int32(-1)) }, false,
			`StatefulSet.apps "db" is invalid: spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0`},
		{"serviceName unchecked in 1.27", 27, func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "DB" }, false, ""},
		{"serviceName a DNS label in 1.33", 33, func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "DB" }, false,
			`StatefulSet.apps "db" is invalid: spec.serviceName: Invalid value: "DB": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`},
		{"scale and new image", 27, func(s *appsv1.StatefulSet) {
			s.Spec.Replicas = ptr(int32(5))
			s.Spec.Template.Spec.Containers[0].Image = "nginx:1.25"
		}, true, ""},
		{"serviceName is immutable", 27, func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "db2" }, true, forbidden127},
		{"serviceName is immutable in 1.33", 33, func(s *appsv1.StatefulSet) { s.Spec.ServiceName = "db2" }, true, forbidden133},
		{"revisionHistoryLimit immutable in 1.27", 27, func(s *appsv1.StatefulSet) { s.Spec.RevisionHistoryLimit = ptr(int32(3)) }, true, forbidden127},
		{"revisionHistoryLimit mutable in 1.33", 33, func(s *appsv1.StatefulSet) { s.Spec.RevisionHistoryLimit = ptr(int32(3)) }, true, ""},
		{"negative replicas on update", 27, func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr(int32(-1)) }, true,
			`StatefulSet.apps "db" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := statefulSet()
			s := old.DeepCopy()
			tt.mutate(s)
			errs := ValidateStatefulSet(s, tt.version)
			if tt.update {
				errs = ValidateStatefulSetUpdate(s, old, tt.version)
			}
			check(t, tt.want, invalid(stsKind, s.Name, errs))
		})
	}
}

func TestValidateScale(t *testing.T) {
	k := schema.GroupKind{Group: "autoscaling", Kind: "Scale"}
	s := &autoscalingv1.Scale{ObjectMeta: objMeta("web"), Spec: autoscalingv1.ScaleSpec{Replicas: -1}}
	check(t, `Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`, invalid(k, s.Name, ValidateScale(s)))
	s.Spec.Replicas = 0
	check(t, "", invalid(k, s.Name, ValidateScale(s)))
}
