// Package containerfs is the filesystem a container sees, in memory and on
// the virtual clock.
//
// It owns:
//   - Layer: an image's read-only root filesystem, built from data
//     (NewLayer) and shared by every container of that image;
//   - FS: one container's view: the image layer under a writable upper layer
//     that lives as long as the container (a restart gets a new FS), with
//     whiteouts for deleted image files and opaque directories for ones
//     recreated, plus mounts on top;
//   - Volume: a directory tree mounted into containers (an emptyDir shared
//     by a pod's containers and surviving their restarts, a configMap, the
//     service-account token, a file the kubelet writes such as /etc/hosts);
//     a mount may be read-only, and writes through it fail with EROFS; a
//     node's host filesystem ("/" of the machine, which hostPath volumes
//     mount subtrees of) is a Volume too, and Volume.FS views any volume
//     as a filesystem;
//   - the kubelet-managed files (HostsFile, ResolvConf) as a real kubelet and
//     containerd write them;
//   - Generation and ChangedAt, so a process polling the filesystem can park
//     until something changes.
//
// Operations follow io/fs and os: paths are absolute or relative to "/",
// symlinks are followed as the kernel does (at most 40), and errors are
// *fs.PathError wrapping syscall errnos (ENOENT, EEXIST, EISDIR, ENOTDIR,
// EROFS, ENOTEMPTY, EINVAL, ELOOP) so a shell prints them as strerror does.
//
// Time comes only from the Clock the caller gives (file modification times);
// nothing here reads the wall clock. An FS and the Volumes it mounts are not
// safe for concurrent use: the runtime uses them under its lock, one process
// at a time. A Layer is immutable and safe to share.
package containerfs
