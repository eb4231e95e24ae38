package plugins

import (
	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins/defaultpreemption"
	"kubesim/scheduler/plugins/imagelocality"
	"kubesim/scheduler/plugins/interpodaffinity"
	"kubesim/scheduler/plugins/nodeaffinity"
	"kubesim/scheduler/plugins/nodename"
	"kubesim/scheduler/plugins/nodeports"
	"kubesim/scheduler/plugins/noderesources"
	"kubesim/scheduler/plugins/nodeunschedulable"
	"kubesim/scheduler/plugins/podtopologyspread"
	"kubesim/scheduler/plugins/tainttoleration"
	"kubesim/scheduler/plugins/volumebinding"
)

// Registry returns a fresh registry of every in-tree plugin.
func Registry() framework.Registry {
	return framework.Registry{
		nodename.Name:                        nodename.New,
		nodeunschedulable.Name:               nodeunschedulable.New,
		tainttoleration.Name:                 tainttoleration.New,
		nodeaffinity.Name:                    nodeaffinity.New,
		nodeports.Name:                       nodeports.New,
		noderesources.FitName:                noderesources.NewFit,
		noderesources.BalancedAllocationName: noderesources.NewBalancedAllocation,
		podtopologyspread.Name:               podtopologyspread.New,
		interpodaffinity.Name:                interpodaffinity.New,
		imagelocality.Name:                   imagelocality.New,
		defaultpreemption.Name:               defaultpreemption.New,
		volumebinding.Name:                   volumebinding.New,
	}
}
