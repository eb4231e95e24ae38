// Package quota is the arithmetic of ResourceQuota: what an object charges
// against a quota (its usage), which quotas it falls under (scopes), the
// constraints a quota puts on a pod (every container must state the
// cpu/memory it is quota'd for), and the resource-list helpers and texts the
// admission plugin and the controller share.
//
// The resourcequota admission plugin (sim/registry) checks a new object's
// usage against its namespace's quotas and charges it; the resourcequota
// controller (sim/controllers) recomputes status.used from the stored
// objects. Both count with this package, so the two never disagree.
//
// Upstream it follows: k8s.io/apiserver pkg/quota/v1 (Add, Mask,
// LessThanOrEqual, the generic object-count evaluator), pkg/quota/v1/evaluator/core
// (pods, services, persistentvolumeclaims) and the admission plugin's
// prettyPrint. Pod requests and limits are component-helpers' PodRequests
// and PodLimits, as the pod evaluator's.
//
// It must not: read the store, the clock or any global state; its
// functions are pure over the objects they are given (now is passed in).
package quota
