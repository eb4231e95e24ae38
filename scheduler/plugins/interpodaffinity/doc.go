// Package interpodaffinity implements InterPodAffinity: required pod
// affinity/anti-affinity (the pod's and existing pods') as a filter,
// preferred terms (and existing pods' required affinity, weighted by
// HardPodAffinityWeight) as a score.
//
// It keeps no state between cycles; namespace labels come through
// framework.ObjectLister.
package interpodaffinity
