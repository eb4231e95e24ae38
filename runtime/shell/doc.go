// Package shell runs shell commands inside a container: a POSIX shell
// (mvdan.cc/sh/v3's parser and interpreter) whose file, stat, directory and
// exec handlers point at the container's filesystem (runtime/containerfs),
// with busybox-style applets written in Go (cat, ls, touch, grep, sed, tar,
// wget, …) printing what busybox 1.36 or Debian's coreutils print.
//
// A Process is a coroutine on the virtual clock. Advance(until) runs it until
// it exits or blocks in sleep past until, and reports when it wants to wake;
// the caller (the runtime, on the virtual clock) calls Advance again at that
// time. Sleeps that end before until do not yield at all. Only one process
// runs at a time and sleep never sleeps, so a run is deterministic for a
// single thread of control (a pipeline or a background job whose stages
// sleep concurrently are ordered by wake time, ties by arrival).
//
// A loop that only polls — `while [ ! -f /data/ready ]; do sleep 1; done` —
// parks: when two consecutive passes through the same sleep changed nothing
// (no output, no file written, no variable assigned by the loop, no time or
// network read), the process waits for the filesystem's Generation to change
// instead of waking every period, and resumes at the first period boundary
// after the change. A polling loop then costs nothing while nothing happens.
//
// An interactive process (kubectl exec -i/-t, attach) reads an Input fed
// while it runs: a read with nothing buffered yields like a sleep
// (Status.Input) and the driver resumes it (Resume) at its own time once
// input came. With Config.TTY a shell with no script prompts and reads a
// line at a time (interactive.go); stty size answers the size the driver
// last gave (Resize).
//
// Which commands an image has is the image's data: the executables in its
// filesystem's PATH; a command is run by the applet of its base name, as
// busybox does. Flavor picks the message texts (busybox ash and applets, or
// Debian's dash and GNU coreutils).
//
// Network tools (wget, nc, ping, nslookup) reach the cluster through
// Config.Net. When it offers DNS, names resolve as libc does: /etc/hosts,
// then the container's /etc/resolv.conf search list and ndots, one query
// per candidate; connects that would hang take their virtual time (the
// kernel's 127 s SYN retries, -T/-w, 3 s for an unreachable address).
//
// It must not read the wall clock (time comes from Config.Start and the
// sleeps), nor touch the host filesystem. The interpreter library uses OS
// pipes for pipelines and input redirections; nothing else of the host is
// used. A Process is not safe for concurrent use: one caller advances it.
package shell
