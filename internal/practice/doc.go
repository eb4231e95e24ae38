// Package practice is the learner's shell over a simulated cluster: it runs
// command lines (kubectl, k, curl, vagrant) the way the practice shell and
// transcripts do, and implements scenarios.Env for replays and killercoda
// scenarios, with real-bash shims for scripts.
package practice
