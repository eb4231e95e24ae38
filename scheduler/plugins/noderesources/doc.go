// Package noderesources implements NodeResourcesFit (the requests filter and
// the LeastAllocated / MostAllocated / RequestedToCapacityRatio scores) and
// NodeResourcesBalancedAllocation.
//
// Requests come from k8s.io/component-helpers/resource.PodRequests; it keeps
// no state between cycles.
package noderesources
