package validation

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate returns the errors kube-apiserver of version v reports when obj
// is created (after defaulting). Kinds without rules of their own get the
// generic metadata checks (name a DNS subdomain, labels, annotations).
func Validate(obj runtime.Object, v Version) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		return ValidatePod(o)
	case *corev1.Service:
		return ValidateService(o)
	case *corev1.ConfigMap:
		return ValidateConfigMap(o)
	case *corev1.Secret:
		return ValidateSecret(o)
	case *corev1.Namespace:
		return ValidateNamespace(o)
	case *corev1.ServiceAccount:
		return ValidateServiceAccount(o)
	case *corev1.Node:
		return ValidateNode(o)
	case *corev1.Endpoints:
		return ValidateEndpoints(o)
	case *corev1.PersistentVolume:
		return ValidatePersistentVolume(o)
	case *corev1.PersistentVolumeClaim:
		return ValidatePersistentVolumeClaim(o)
	case *storagev1.StorageClass:
		return ValidateStorageClass(o)
	case *appsv1.Deployment:
		return ValidateDeployment(o)
	case *appsv1.ReplicaSet:
		return ValidateReplicaSet(o)
	case *appsv1.DaemonSet:
		return ValidateDaemonSet(o)
	case *appsv1.StatefulSet:
		return ValidateStatefulSet(o, v)
	case *batchv1.Job:
		return ValidateJob(o)
	case *batchv1.CronJob:
		return ValidateCronJob(o)
	case *apiextensionsv1.CustomResourceDefinition:
		return ValidateCustomResourceDefinition(o)
	case *policyv1.PodDisruptionBudget:
		return ValidatePodDisruptionBudget(o)
	case *coordinationv1.Lease:
		return ValidateLease(o)
	case *schedulingv1.PriorityClass:
		return ValidatePriorityClass(o)
	case *discoveryv1.EndpointSlice:
		return ValidateEndpointSlice(o)
	case *networkingv1.NetworkPolicy:
		return ValidateNetworkPolicy(o, v)
	case *networkingv1.Ingress:
		return ValidateIngress(o)
	case *networkingv1.IngressClass:
		return ValidateIngressClass(o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		return ValidateHorizontalPodAutoscaler(o)
	case *rbacv1.Role:
		return ValidateRole(o)
	case *rbacv1.ClusterRole:
		return ValidateClusterRole(o)
	case *rbacv1.RoleBinding:
		return ValidateRoleBinding(o)
	case *rbacv1.ClusterRoleBinding:
		return ValidateClusterRoleBinding(o)
	case *certificatesv1.CertificateSigningRequest:
		return ValidateCertificateSigningRequest(o)
	}
	return validateGeneric(obj)
}

// ValidateUpdate returns the errors kube-apiserver of version v reports
// when old is replaced by obj through the main resource (spec updates:
// immutability included).
func ValidateUpdate(obj, old runtime.Object, v Version) field.ErrorList {
	switch o := obj.(type) {
	case *corev1.Pod:
		if op, ok := old.(*corev1.Pod); ok {
			return ValidatePodUpdate(o, op)
		}
	case *corev1.Service:
		if op, ok := old.(*corev1.Service); ok {
			return ValidateServiceUpdate(o, op)
		}
	case *corev1.ConfigMap:
		if op, ok := old.(*corev1.ConfigMap); ok {
			return ValidateConfigMapUpdate(o, op)
		}
	case *corev1.Secret:
		if op, ok := old.(*corev1.Secret); ok {
			return ValidateSecretUpdate(o, op)
		}
	case *corev1.Endpoints:
		if op, ok := old.(*corev1.Endpoints); ok {
			return append(validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta), ValidateEndpoints(o)...)
		}
	case *corev1.PersistentVolume:
		if op, ok := old.(*corev1.PersistentVolume); ok {
			return ValidatePersistentVolumeUpdate(o, op)
		}
	case *corev1.PersistentVolumeClaim:
		if op, ok := old.(*corev1.PersistentVolumeClaim); ok {
			return ValidatePersistentVolumeClaimUpdate(o, op, v)
		}
	case *storagev1.StorageClass:
		if op, ok := old.(*storagev1.StorageClass); ok {
			return ValidateStorageClassUpdate(o, op)
		}
	case *appsv1.Deployment:
		if op, ok := old.(*appsv1.Deployment); ok {
			return ValidateDeploymentUpdate(o, op)
		}
	case *appsv1.ReplicaSet:
		if op, ok := old.(*appsv1.ReplicaSet); ok {
			return ValidateReplicaSetUpdate(o, op)
		}
	case *appsv1.DaemonSet:
		if op, ok := old.(*appsv1.DaemonSet); ok {
			return ValidateDaemonSetUpdate(o, op)
		}
	case *appsv1.StatefulSet:
		if op, ok := old.(*appsv1.StatefulSet); ok {
			return ValidateStatefulSetUpdate(o, op, v)
		}
	case *batchv1.Job:
		if op, ok := old.(*batchv1.Job); ok {
			return ValidateJobUpdate(o, op)
		}
	case *batchv1.CronJob:
		if op, ok := old.(*batchv1.CronJob); ok {
			return ValidateCronJobUpdate(o, op)
		}
	case *apiextensionsv1.CustomResourceDefinition:
		if op, ok := old.(*apiextensionsv1.CustomResourceDefinition); ok {
			return ValidateCustomResourceDefinitionUpdate(o, op)
		}
	case *policyv1.PodDisruptionBudget:
		if op, ok := old.(*policyv1.PodDisruptionBudget); ok {
			return ValidatePodDisruptionBudgetUpdate(o, op)
		}
	case *coordinationv1.Lease:
		if op, ok := old.(*coordinationv1.Lease); ok {
			return ValidateLeaseUpdate(o, op)
		}
	case *schedulingv1.PriorityClass:
		if op, ok := old.(*schedulingv1.PriorityClass); ok {
			return ValidatePriorityClassUpdate(o, op)
		}
	case *discoveryv1.EndpointSlice:
		if op, ok := old.(*discoveryv1.EndpointSlice); ok {
			return ValidateEndpointSliceUpdate(o, op)
		}
	case *networkingv1.NetworkPolicy:
		if op, ok := old.(*networkingv1.NetworkPolicy); ok {
			return ValidateNetworkPolicyUpdate(o, op, v)
		}
	case *networkingv1.Ingress:
		if op, ok := old.(*networkingv1.Ingress); ok {
			return ValidateIngressUpdate(o, op)
		}
	case *networkingv1.IngressClass:
		if op, ok := old.(*networkingv1.IngressClass); ok {
			return ValidateIngressClassUpdate(o, op)
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if op, ok := old.(*autoscalingv2.HorizontalPodAutoscaler); ok {
			return append(ValidateHorizontalPodAutoscaler(o), validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta)...)
		}
	case *rbacv1.Role:
		if op, ok := old.(*rbacv1.Role); ok {
			return append(ValidateRole(o), validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta)...)
		}
	case *rbacv1.ClusterRole:
		if op, ok := old.(*rbacv1.ClusterRole); ok {
			return append(ValidateClusterRole(o), validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta)...)
		}
	case *rbacv1.RoleBinding:
		if op, ok := old.(*rbacv1.RoleBinding); ok {
			errs := append(ValidateRoleBinding(o), validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta)...)
			return append(errs, validateRoleRefUpdate(o.RoleRef, op.RoleRef)...)
		}
	case *rbacv1.ClusterRoleBinding:
		if op, ok := old.(*rbacv1.ClusterRoleBinding); ok {
			errs := append(ValidateClusterRoleBinding(o), validateObjectMetaUpdate(&o.ObjectMeta, &op.ObjectMeta)...)
			return append(errs, validateRoleRefUpdate(o.RoleRef, op.RoleRef)...)
		}
	}
	return ValidateStatusUpdate(obj, old)
}

// ValidateStatusUpdate is what the status strategies check of an update
// through a status subresource: the metadata (the spec is the stored one).
func ValidateStatusUpdate(obj, old runtime.Object) field.ErrorList {
	if crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition); ok {
		if o, ok := old.(*apiextensionsv1.CustomResourceDefinition); ok {
			return ValidateCustomResourceDefinitionStatusUpdate(crd, o)
		}
	}
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	om, err := meta.Accessor(old)
	if err != nil {
		return nil
	}
	nm, ok1 := m.(*metav1.ObjectMeta)
	oldm, ok2 := om.(*metav1.ObjectMeta)
	if !ok1 || !ok2 {
		return nil
	}
	return validateObjectMetaUpdate(nm, oldm)
}

// validateGeneric is rest.BeforeCreate's metadata check for kinds without
// rules here (events, bindings, reviews): a DNS subdomain name.
func validateGeneric(obj runtime.Object) field.ErrorList {
	a, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	m, ok := a.(*metav1.ObjectMeta)
	if !ok {
		return nil
	}
	return validateObjectMeta(m, m.Namespace != "", subdomainName)
}
