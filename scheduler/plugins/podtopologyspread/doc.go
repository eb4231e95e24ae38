// Package podtopologyspread implements PodTopologySpread: hard constraints
// (DoNotSchedule) as a filter, soft ones (ScheduleAnyway) and the
// cluster-default constraints as a score.
//
// It reads services and controllers only through framework.ObjectLister and
// keeps no state between cycles.
package podtopologyspread
