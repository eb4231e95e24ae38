// Package images is the image catalog: what common container images are and
// do, as data.
//
// It owns:
//   - reference parsing and normalisation ("nginx" → docker.io/library/nginx:latest);
//   - the catalog of repositories, their tags and which version each tag
//     pointed at on a given date (a cluster of 2023 pulls httpd 2.4.57 and sees
//     the 45-byte "It works!" page; one of 2026 pulls 2.4.68 and sees 191 bytes),
//     kept in catalog.yaml (embedded; catalogfile.go reads it), which names
//     each program's behaviour (the servers' log lines and HTTP sites in
//     data.go); add an image by adding an entry there;
//   - pull errors with the runtime's exact text;
//   - the behaviour of a container started from an image: log lines with
//     offsets from start, exit, HTTP ports, stop behaviour. A main process
//     that is a shell script or a shell command is only marked Scripted:
//     runtime/shell runs it over the container's filesystem (runtime/chain's
//     script.go). The modest command set of shell.go still models what is
//     left as a timeline (a script that ends by running the image's server,
//     a shell kept open on stdin, python) and the image's own programs that
//     exec reaches;
//   - each image's root filesystem as data (rootfs.go: RootFS, one shared
//     runtime/containerfs layer per image, with the userland's commands in
//     PATH: busybox applets, or Debian's dash, bash and coreutils).
//
// Concurrency: a Catalog and its Images are immutable and safe to share. A
// Process is not safe for concurrent use: its HTTP handlers append
// access-log lines, exec sessions keep a working directory, and LogsUntil
// extends a loop's cache. Use it from the simulation loop, or under the
// runtime's lock (runtime/chain's ContainerLogs and HTTP helpers).
//
// It must not: read the wall clock, use global randomness, know about pods,
// nodes, networks or runtimes. Time enters through ProcessSpec.Start and
// Process.Clock. Facts and their sources: shared/reference/images.md; every
// figure not found there is marked [guess] next to it.
package images
