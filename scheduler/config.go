package scheduler

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"k8s.io/apimachinery/pkg/util/version"

	"kubesim/scheduler/framework"
	"kubesim/scheduler/plugins"
	"kubesim/scheduler/plugins/defaultpreemption"
	"kubesim/scheduler/plugins/imagelocality"
	"kubesim/scheduler/plugins/nodeaffinity"
	"kubesim/scheduler/plugins/nodename"
	"kubesim/scheduler/plugins/nodeports"
	"kubesim/scheduler/plugins/noderesources"
	"kubesim/scheduler/plugins/nodeunschedulable"
	"kubesim/scheduler/plugins/podtopologyspread"
	"kubesim/scheduler/plugins/tainttoleration"
	"kubesim/scheduler/plugins/volumebinding"
)

// DefaultSchedulerName is the name pods ask for by default.
const DefaultSchedulerName = "default-scheduler"

// PrioritySortName is the queue-sort plugin; it is built into the queue.
const PrioritySortName = "PrioritySort"

// PluginConfig enables one plugin at every extension point it implements
// (like a MultiPoint entry), with its score weight and arguments.
type PluginConfig struct {
	Name string
	// Weight multiplies the normalised score (0 means 1 for score plugins).
	Weight int32
	// Args is the plugin's argument struct (nil = upstream defaults).
	Args any
}

// Profile is an ordered plugin list; filter plugins run in this order, and
// the first to reject a node gives that node's reason.
type Profile struct {
	Plugins []PluginConfig
}

// DefaultProfile is kube-scheduler's default plugin set, order and weights
// (pkg/scheduler/apis/config/v1/default_plugins.go), without the volume
// plugins (kubesim has no persistent volumes) and the binder (the simulator
// binds).
func DefaultProfile() Profile {
	return Profile{Plugins: []PluginConfig{
		{Name: PrioritySortName},
		{Name: nodeunschedulable.Name},
		{Name: nodename.Name},
		{Name: tainttoleration.Name, Weight: 3},
		{Name: nodeaffinity.Name, Weight: 2},
		{Name: nodeports.Name},
		{Name: noderesources.FitName, Weight: 1},
		{Name: volumebinding.Name},
		{Name: podtopologyspread.Name, Weight: 2},
		{Name: "InterPodAffinity", Weight: 2},
		{Name: defaultpreemption.Name},
		{Name: noderesources.BalancedAllocationName, Weight: 1},
		{Name: imagelocality.Name, Weight: 1},
	}}
}

// Config configures a Scheduler.
type Config struct {
	// Profile lists plugins, weights and args; DefaultProfile() is kube-scheduler's.
	Profile Profile
	// Registry maps plugin names to factories; nil means plugins.Registry().
	Registry framework.Registry
	// Rand is the cluster's seeded source: ties between equal top scores and
	// the preemption offset come from it. Required.
	Rand *rand.Rand
	// PCG, when set, is Rand's source (rand.New(PCG)): host selection then
	// steps it inline for its tie draws, the same stream as Rand.IntN
	// (select.go). New checks that Rand draws from it.
	PCG *rand.PCG
	// Parallelism bounds filter/score workers (kube-scheduler default 16);
	// results are merged in node order so it never changes the outcome.
	Parallelism int
	// PercentageOfNodesToScore: 0 = adaptive (50 - nodes/125, at least 5%,
	// at least 100 nodes); 100 or -1 = all nodes.
	PercentageOfNodesToScore int32
	// SchedulerName is the spec.schedulerName this scheduler serves.
	SchedulerName string
	// KubernetesVersion selects version-dependent texts ("v1.27.1"). ≤ v1.29:
	// the FailedScheduling message ends in ".." after a preemption message;
	// ≥ v1.35: the taint reason reads "node(s) had untolerated taint(s)".
	// Empty means v1.30–v1.34 texts (single ".", taint "{key: value}").
	KubernetesVersion string
	// Explain records per-node filter and score details in Result.Explain.
	Explain bool
	// Record keeps the decisions of the last Record pods placed, for
	// Decision (decision.go says what a decision holds); 0 keeps none.
	// Clusters of more than RecordAllNodes nodes record only with
	// RecordLarge, and then a summary.
	Record      int
	RecordLarge bool
	// PodInitialBackoff and PodMaxBackoff default to 1 s and 10 s.
	PodInitialBackoffSeconds, PodMaxBackoffSeconds int
	// MaxInUnschedulableSeconds is how long a pod waits in the unschedulable
	// pool before it is retried anyway (default 300).
	MaxInUnschedulableSeconds int
}

// DefaultConfig is kube-scheduler's defaults with the given seeded source.
func DefaultConfig(r *rand.Rand) Config {
	return Config{
		Profile:                   DefaultProfile(),
		Rand:                      r,
		Parallelism:               16,
		SchedulerName:             DefaultSchedulerName,
		Explain:                   true,
		PodInitialBackoffSeconds:  1,
		PodMaxBackoffSeconds:      10,
		MaxInUnschedulableSeconds: 300,
	}
}

// DefaultConfigPCG is DefaultConfig(rand.New(src)) with Config.PCG set to src.
func DefaultConfigPCG(src *rand.PCG) Config {
	c := DefaultConfig(rand.New(src))
	c.PCG = src
	return c
}

func (c *Config) validate() error {
	if c.Record < 0 {
		return fmt.Errorf("scheduler: Record %d must not be negative", c.Record)
	}
	if c.Rand == nil {
		return errors.New("scheduler: Config.Rand is required (the cluster's seeded source)")
	}
	if c.PCG != nil {
		if err := checkPCG(c.Rand, c.PCG); err != nil {
			return err
		}
	}
	if c.Parallelism < 1 {
		return fmt.Errorf("scheduler: Parallelism %d must be at least 1", c.Parallelism)
	}
	if p := c.PercentageOfNodesToScore; p < -1 || p > 100 {
		return fmt.Errorf("scheduler: PercentageOfNodesToScore %d not in [-1, 100]", p)
	}
	if c.SchedulerName == "" {
		c.SchedulerName = DefaultSchedulerName
	}
	if c.PodInitialBackoffSeconds <= 0 {
		c.PodInitialBackoffSeconds = 1
	}
	if c.PodMaxBackoffSeconds <= 0 {
		c.PodMaxBackoffSeconds = 10
	}
	if c.PodMaxBackoffSeconds < c.PodInitialBackoffSeconds {
		return fmt.Errorf("scheduler: PodMaxBackoffSeconds %d below PodInitialBackoffSeconds %d", c.PodMaxBackoffSeconds, c.PodInitialBackoffSeconds)
	}
	if c.MaxInUnschedulableSeconds <= 0 {
		c.MaxInUnschedulableSeconds = 300
	}
	if c.KubernetesVersion != "" {
		if _, err := version.ParseGeneric(c.KubernetesVersion); err != nil {
			return fmt.Errorf("scheduler: KubernetesVersion: %w", err)
		}
	}
	seen := map[string]bool{}
	for _, p := range c.Profile.Plugins {
		if seen[p.Name] {
			return fmt.Errorf("scheduler: plugin %q listed twice in the profile", p.Name)
		}
		seen[p.Name] = true
		if p.Weight < 0 {
			return fmt.Errorf("scheduler: plugin %q has negative weight %d", p.Name, p.Weight)
		}
	}
	if c.Registry == nil {
		c.Registry = plugins.Registry()
	}
	return nil
}

// versionAtLeast reports whether the configured version is ≥ major.minor
// (true when no version is set).
func (c *Config) versionAtLeast(major, minor uint) bool {
	if c.KubernetesVersion == "" {
		return true
	}
	v, err := version.ParseGeneric(c.KubernetesVersion)
	if err != nil {
		return true
	}
	return v.AtLeast(version.MajorMinor(major, minor))
}

// applyVersionArgs fills version-dependent plugin args.
func (c *Config) applyVersionArgs(name string, args any) any {
	if name == tainttoleration.Name && args == nil && c.versionAtLeast(1, 35) && c.KubernetesVersion != "" {
		return tainttoleration.Args{GenericReason: true}
	}
	return args
}
