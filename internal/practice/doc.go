// Package practice is the learner's shell over a simulated cluster. On a
// terminal that is their own bash (Env.Shell, bash.go): their ~/.bashrc,
// then a generated rcfile puts shims for kubectl, k, curl, ssh, vagrant,
// kubesim (and a scenario's commands) first on PATH, all reaching the
// cluster's loopback endpoint. Without one, the built-in prompt runs
// command lines (kubectl, k, curl, vagrant) the way transcripts do. Env
// implements scenarios.Env for replays and killercoda scenarios, with
// real-bash shims for scripts. For a learner (Env.Pace) the cluster's
// time follows the wall clock and kubectl runs as a child process, so
// that watches last until Ctrl-C and Ctrl-C ends only the command.
//
// It must not write outside the Env's folder: the learner's HOME gets
// only what their own bash writes there by itself (history goes to the
// Env's folder).
package practice
