// Package practice is the learner's shell over a simulated cluster: it runs
// command lines (kubectl, k, curl, vagrant) the way the practice shell and
// transcripts do, and implements scenarios.Env for replays and killercoda
// scenarios, with real-bash shims for scripts. For a learner at a terminal
// (Env.Pace) the cluster's time follows the wall clock and kubectl runs as
// a child process, so that watches last until Ctrl-C and Ctrl-C ends only
// the command.
package practice
