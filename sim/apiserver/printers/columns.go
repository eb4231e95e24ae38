package printers

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	discoveryv1beta1 "k8s.io/api/discovery/v1beta1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Column descriptions come from the same SwaggerDoc() maps of k8s.io/api that
// kube-apiserver's printers.go reads (including its use of the older
// extensions/v1beta1, batch/v1beta1 and discovery/v1beta1 docs), or are the
// literal strings printers.go uses. Column sets as in printers.go AddHandlers,
// kubernetes fork yongruilin/kubernetes@144a7980762c245f12c2a7b457c8aaef18496071
// (~v1.33) and pacoxu/kubernetes@220e39ff301d43e23b5b364e84c065286494dc95 (~v1.27).
var (
	docName              = metav1.ObjectMeta{}.SwaggerDoc()["name"]
	docCreationTimestamp = metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"]
)

const (
	docContainers = "Names of each container in the template."
	docImages     = "Images referenced by each container in the template."
)

func nameColumn() metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: "Name", Type: "string", Format: "name", Description: docName}
}

func ageColumn() metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: "Age", Type: "string", Description: docCreationTimestamp}
}

func col(name, typ, desc string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Description: desc}
}

func wide(name, typ, desc string) metav1.TableColumnDefinition {
	return metav1.TableColumnDefinition{Name: name, Type: typ, Description: desc, Priority: 1}
}

var podColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
	col("Status", "string", "The aggregate status of the containers in this pod."),
	col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
	ageColumn(),
	wide("IP", "string", corev1.PodStatus{}.SwaggerDoc()["podIP"]),
	wide("Node", "string", corev1.PodSpec{}.SwaggerDoc()["nodeName"]),
	wide("Nominated Node", "string", corev1.PodStatus{}.SwaggerDoc()["nominatedNodeName"]),
	wide("Readiness Gates", "string", corev1.PodSpec{}.SwaggerDoc()["readinessGates"]),
}

var nodeColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Status", "string", "The status of the node"),
	col("Roles", "string", "The roles of the node"),
	ageColumn(),
	col("Version", "string", corev1.NodeSystemInfo{}.SwaggerDoc()["kubeletVersion"]),
	wide("Internal-IP", "string", corev1.NodeStatus{}.SwaggerDoc()["addresses"]),
	wide("External-IP", "string", corev1.NodeStatus{}.SwaggerDoc()["addresses"]),
	wide("OS-Image", "string", corev1.NodeSystemInfo{}.SwaggerDoc()["osImage"]),
	wide("Kernel-Version", "string", corev1.NodeSystemInfo{}.SwaggerDoc()["kernelVersion"]),
	wide("Container-Runtime", "string", corev1.NodeSystemInfo{}.SwaggerDoc()["containerRuntimeVersion"]),
}

var namespaceColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Status", "string", "The status of the namespace"),
	ageColumn(),
}

var eventColumns = []metav1.TableColumnDefinition{
	col("Last Seen", "string", corev1.Event{}.SwaggerDoc()["lastTimestamp"]),
	col("Type", "string", corev1.Event{}.SwaggerDoc()["type"]),
	col("Reason", "string", corev1.Event{}.SwaggerDoc()["reason"]),
	col("Object", "string", corev1.Event{}.SwaggerDoc()["involvedObject"]),
	wide("Subobject", "string", corev1.ObjectReference{}.SwaggerDoc()["fieldPath"]),
	wide("Source", "string", corev1.Event{}.SwaggerDoc()["source"]),
	col("Message", "string", corev1.Event{}.SwaggerDoc()["message"]),
	wide("First Seen", "string", corev1.Event{}.SwaggerDoc()["firstTimestamp"]),
	wide("Count", "string", corev1.Event{}.SwaggerDoc()["count"]),
	{Name: "Name", Type: "string", Format: "name", Priority: 1, Description: docName},
}

var serviceColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Type", "string", corev1.ServiceSpec{}.SwaggerDoc()["type"]),
	col("Cluster-IP", "string", corev1.ServiceSpec{}.SwaggerDoc()["clusterIP"]),
	col("External-IP", "string", corev1.ServiceSpec{}.SwaggerDoc()["externalIPs"]),
	col("Port(s)", "string", corev1.ServiceSpec{}.SwaggerDoc()["ports"]),
	ageColumn(),
	wide("Selector", "string", corev1.ServiceSpec{}.SwaggerDoc()["selector"]),
}

var endpointsColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Endpoints", "string", corev1.Endpoints{}.SwaggerDoc()["subsets"]),
	ageColumn(),
}

var endpointSliceColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("AddressType", "string", discoveryv1beta1.EndpointSlice{}.SwaggerDoc()["addressType"]),
	col("Ports", "string", discoveryv1beta1.EndpointSlice{}.SwaggerDoc()["ports"]),
	col("Endpoints", "string", discoveryv1beta1.EndpointSlice{}.SwaggerDoc()["endpoints"]),
	ageColumn(),
}

var configMapColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Data", "string", corev1.ConfigMap{}.SwaggerDoc()["data"]),
	ageColumn(),
}

var secretColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Type", "string", corev1.Secret{}.SwaggerDoc()["type"]),
	col("Data", "string", corev1.Secret{}.SwaggerDoc()["data"]),
	ageColumn(),
}

var serviceAccountColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Secrets", "string", corev1.ServiceAccount{}.SwaggerDoc()["secrets"]),
	ageColumn(),
}

var leaseColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Holder", "string", coordinationv1.LeaseSpec{}.SwaggerDoc()["holderIdentity"]),
	ageColumn(),
}

var deploymentColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Ready", "string", "Number of the pod with ready state"),
	col("Up-to-date", "string", extensionsv1beta1.DeploymentStatus{}.SwaggerDoc()["updatedReplicas"]),
	col("Available", "string", extensionsv1beta1.DeploymentStatus{}.SwaggerDoc()["availableReplicas"]),
	ageColumn(),
	wide("Containers", "string", docContainers),
	wide("Images", "string", docImages),
	wide("Selector", "string", extensionsv1beta1.DeploymentSpec{}.SwaggerDoc()["selector"]),
}

var replicaSetColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Desired", "integer", extensionsv1beta1.ReplicaSetSpec{}.SwaggerDoc()["replicas"]),
	col("Current", "integer", extensionsv1beta1.ReplicaSetStatus{}.SwaggerDoc()["replicas"]),
	col("Ready", "integer", extensionsv1beta1.ReplicaSetStatus{}.SwaggerDoc()["readyReplicas"]),
	ageColumn(),
	wide("Containers", "string", docContainers),
	wide("Images", "string", docImages),
	wide("Selector", "string", extensionsv1beta1.ReplicaSetSpec{}.SwaggerDoc()["selector"]),
}

var daemonSetColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Desired", "integer", extensionsv1beta1.DaemonSetStatus{}.SwaggerDoc()["desiredNumberScheduled"]),
	col("Current", "integer", extensionsv1beta1.DaemonSetStatus{}.SwaggerDoc()["currentNumberScheduled"]),
	col("Ready", "integer", extensionsv1beta1.DaemonSetStatus{}.SwaggerDoc()["numberReady"]),
	col("Up-to-date", "integer", extensionsv1beta1.DaemonSetStatus{}.SwaggerDoc()["updatedNumberScheduled"]),
	col("Available", "integer", extensionsv1beta1.DaemonSetStatus{}.SwaggerDoc()["numberAvailable"]),
	col("Node Selector", "string", corev1.PodSpec{}.SwaggerDoc()["nodeSelector"]),
	ageColumn(),
	wide("Containers", "string", docContainers),
	wide("Images", "string", docImages),
	wide("Selector", "string", extensionsv1beta1.DaemonSetSpec{}.SwaggerDoc()["selector"]),
}

var statefulSetColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Ready", "string", "Number of the pod with ready state"),
	ageColumn(),
	wide("Containers", "string", docContainers),
	wide("Images", "string", docImages),
}

var priorityClassColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Value", "integer", schedulingv1.PriorityClass{}.SwaggerDoc()["value"]),
	col("Global-Default", "boolean", schedulingv1.PriorityClass{}.SwaggerDoc()["globalDefault"]),
	ageColumn(),
	// Priority 0 upstream although the cell is only added for wide output:
	// the server is always wide, so kubectl shows it by default.
	col("PreemptionPolicy", "string", schedulingv1.PriorityClass{}.SwaggerDoc()["preemptionPolicy"]),
}

var podDisruptionBudgetColumns = []metav1.TableColumnDefinition{
	nameColumn(),
	col("Min Available", "string", "The minimum number of pods that must be available."),
	col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
	col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
	ageColumn(),
}

// Job STATUS arrived in v1.30 (kubernetes PR #123226).
var (
	jobColumns130 = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Status", "string", "Status of the job."),
		col("Completions", "string", batchv1.JobStatus{}.SwaggerDoc()["succeeded"]),
		col("Duration", "string", "Time required to complete the job."),
		ageColumn(),
		wide("Containers", "string", docContainers),
		wide("Images", "string", docImages),
		wide("Selector", "string", batchv1.JobSpec{}.SwaggerDoc()["selector"]),
	}
	jobColumns127 = append(jobColumns130[:1:1], jobColumns130[2:]...)
)

func jobColumns(c *printContext) []metav1.TableColumnDefinition {
	if c.atLeast(30) {
		return jobColumns130
	}
	return jobColumns127
}

// CronJob TIMEZONE arrived in v1.30 (kubernetes PR #122231).
var (
	cronJobColumns130 = []metav1.TableColumnDefinition{
		nameColumn(),
		col("Schedule", "string", batchv1beta1.CronJobSpec{}.SwaggerDoc()["schedule"]),
		col("Timezone", "string", batchv1beta1.CronJobSpec{}.SwaggerDoc()["timeZone"]),
		col("Suspend", "boolean", batchv1beta1.CronJobSpec{}.SwaggerDoc()["suspend"]),
		col("Active", "integer", batchv1beta1.CronJobStatus{}.SwaggerDoc()["active"]),
		col("Last Schedule", "string", batchv1beta1.CronJobStatus{}.SwaggerDoc()["lastScheduleTime"]),
		ageColumn(),
		wide("Containers", "string", docContainers),
		wide("Images", "string", docImages),
		wide("Selector", "string", batchv1.JobSpec{}.SwaggerDoc()["selector"]),
	}
	cronJobColumns127 = append(cronJobColumns130[:2:2], cronJobColumns130[3:]...)
)

func cronJobColumns(c *printContext) []metav1.TableColumnDefinition {
	if c.atLeast(30) {
		return cronJobColumns130
	}
	return cronJobColumns127
}

// handlers maps each served resource to its printer.
var handlers = map[schema.GroupResource]handler{
	{Resource: "pods"}:                                                     {corev1.SchemeGroupVersion.WithKind("Pod"), fixed(podColumns), typed(printPod)},
	{Resource: "nodes"}:                                                    {corev1.SchemeGroupVersion.WithKind("Node"), fixed(nodeColumns), typed(printNode)},
	{Resource: "namespaces"}:                                               {corev1.SchemeGroupVersion.WithKind("Namespace"), fixed(namespaceColumns), typed(printNamespace)},
	{Resource: "events"}:                                                   {corev1.SchemeGroupVersion.WithKind("Event"), fixed(eventColumns), typed(printEvent)},
	{Resource: "services"}:                                                 {corev1.SchemeGroupVersion.WithKind("Service"), fixed(serviceColumns), typed(printService)},
	{Resource: "endpoints"}:                                                {corev1.SchemeGroupVersion.WithKind("Endpoints"), fixed(endpointsColumns), typed(printEndpoints)},
	{Resource: "configmaps"}:                                               {corev1.SchemeGroupVersion.WithKind("ConfigMap"), fixed(configMapColumns), typed(printConfigMap)},
	{Resource: "secrets"}:                                                  {corev1.SchemeGroupVersion.WithKind("Secret"), fixed(secretColumns), typed(printSecret)},
	{Resource: "serviceaccounts"}:                                          {corev1.SchemeGroupVersion.WithKind("ServiceAccount"), fixed(serviceAccountColumns), typed(printServiceAccount)},
	{Group: "discovery.k8s.io", Resource: "endpointslices"}:                {discoveryv1.SchemeGroupVersion.WithKind("EndpointSlice"), fixed(endpointSliceColumns), typed(printEndpointSlice)},
	{Group: "coordination.k8s.io", Resource: "leases"}:                     {coordinationv1.SchemeGroupVersion.WithKind("Lease"), fixed(leaseColumns), typed(printLease)},
	{Group: "apps", Resource: "deployments"}:                               {appsv1.SchemeGroupVersion.WithKind("Deployment"), fixed(deploymentColumns), typed(printDeployment)},
	{Group: "apps", Resource: "replicasets"}:                               {appsv1.SchemeGroupVersion.WithKind("ReplicaSet"), fixed(replicaSetColumns), typed(printReplicaSet)},
	{Group: "apps", Resource: "daemonsets"}:                                {appsv1.SchemeGroupVersion.WithKind("DaemonSet"), fixed(daemonSetColumns), typed(printDaemonSet)},
	{Group: "apps", Resource: "statefulsets"}:                              {appsv1.SchemeGroupVersion.WithKind("StatefulSet"), fixed(statefulSetColumns), typed(printStatefulSet)},
	{Group: "scheduling.k8s.io", Resource: "priorityclasses"}:              {schedulingv1.SchemeGroupVersion.WithKind("PriorityClass"), fixed(priorityClassColumns), typed(printPriorityClass)},
	{Group: "policy", Resource: "poddisruptionbudgets"}:                    {policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"), fixed(podDisruptionBudgetColumns), typed(printPodDisruptionBudget)},
	{Group: "batch", Resource: "jobs"}:                                     {batchv1.SchemeGroupVersion.WithKind("Job"), jobColumns, typed(printJob)},
	{Group: "certificates.k8s.io", Resource: "certificatesigningrequests"}: {certificatesv1.SchemeGroupVersion.WithKind("CertificateSigningRequest"), fixed(certificateSigningRequestColumns), typed(printCertificateSigningRequest)},
	{Group: "rbac.authorization.k8s.io", Resource: "rolebindings"}:         {rbacv1.SchemeGroupVersion.WithKind("RoleBinding"), fixed(roleBindingColumns), typed(printRoleBinding)},
	{Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"}:  {rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"), fixed(clusterRoleBindingColumns), typed(printClusterRoleBinding)},
	{Resource: "persistentvolumes"}:                                        {corev1.SchemeGroupVersion.WithKind("PersistentVolume"), pvColumns, typed(printPersistentVolume)},
	{Resource: "persistentvolumeclaims"}:                                   {corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"), pvcColumns, typed(printPersistentVolumeClaim)},
	{Group: "storage.k8s.io", Resource: "storageclasses"}:                  {storagev1.SchemeGroupVersion.WithKind("StorageClass"), fixed(storageClassColumns), typed(printStorageClass)},
	{Group: "networking.k8s.io", Resource: "ingresses"}:                    {networkingv1.SchemeGroupVersion.WithKind("Ingress"), fixed(ingressColumns), typed(printIngress)},
	{Group: "networking.k8s.io", Resource: "ingressclasses"}:               {networkingv1.SchemeGroupVersion.WithKind("IngressClass"), fixed(ingressClassColumns), typed(printIngressClass)},
	{Group: "networking.k8s.io", Resource: "networkpolicies"}:              {networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"), fixed(networkPolicyColumns), typed(printNetworkPolicy)},
	{Group: "batch", Resource: "cronjobs"}:                                 {batchv1.SchemeGroupVersion.WithKind("CronJob"), cronJobColumns, typed(printCronJob)},
}
