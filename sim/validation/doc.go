// Package validation ports the validation rules and messages of
// kube-apiserver for every kind kubesim serves: the rules of
// k8s.io/kubernetes pkg/apis/{core,apps,batch,policy,coordination,scheduling,
// discovery,networking}/validation, the immutability checks of the registry strategies
// (pkg/registry/*/strategy.go) and apimachinery's pkg/api/validation and
// pkg/apis/meta/v1/validation, over the k8s.io/api versioned types.
//
// Each ValidateX returns a field.ErrorList whose errors print exactly as
// kube-apiserver's do through apierrors.NewInvalid(kind, name, errs):
// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
// The rules were read from the v1.27.1 sources (the lecture's version) and
// compared with v1.28–v1.33; where a rule or message changed inside the range
// kubesim serves, the function takes a Version (the cluster's minor version)
// and behaves as that release did. Differences known and handled:
//   - StatefulSet update: 1.33 also lets revisionHistoryLimit change and its
//     message names it; 1.33 checks spec.serviceName as a DNS label on create.
//   - NetworkPolicy ipBlock: 1.27–1.29 say "not a valid CIDR" and stop at
//     the first bad except; 1.30 on print apimachinery's CIDR message.
//   - Values in "Invalid value: ..." are printed as 1.27–1.33 print them
//     (Go syntax of the internal type for structs and maps, see render.go);
//     apimachinery v0.34+ prints JSON instead.
//
// Validation runs after defaulting, as in kube-apiserver. Fields that
// upstream defaults but kubesim does not (probe thresholds, HTTP probe path
// and scheme) are treated as defaulted when empty rather than rejected.
//
// The package is pure: no clock, no store, no I/O. Pod validation runs on
// every pod create (the scheduling benchmarks create 150k pods), so the
// happy path builds no field paths and allocates little.
package validation
