// Package hosts is the machines under the cluster's nodes: for each node a
// host with the filesystem a kubeadm node holds (/etc/kubernetes with its
// kubeconfigs, static pod manifests and pki, /var/lib/kubelet, the
// containerd and flannel files, /etc/hosts with the Vagrant names), its
// systemd units (kubelet and the node's container runtime) with their
// journal, and a root shell on it: runtime/shell over that filesystem, with
// the node's programs (systemctl, journalctl, crictl, ip, kubectl, ssh) as
// commands (and curl, etcdctl, etcdutl, kubeadm, openssl, ctr, nerdctl), on the
// cluster's virtual clock. Its certificates are real (pki.go), and what
// it holds outlives a stop and start of the cluster (persist.go).
//
// Files drive the node as on a real one: a changed manifest under
// /etc/kubernetes/manifests replaces its mirror pod (a bad image tag leaves
// the component in ImagePullBackOff, and while the kube-scheduler's or the
// controller manager's static pod does not run, that component does
// nothing; a kube-apiserver or etcd manifest with a wrong flag, a missing
// certificate or an unreachable etcd makes kube-apiserver exit with its
// own error and the API refuse its clients until the file is fixed);
// `systemctl stop containerd` makes the node NotReady ("container runtime
// is down") and crictl fail, its containers still running;
// `systemctl stop kubelet` stops the node's kubelet service (the
// node goes NotReady after the grace period) without stopping its
// containers; `crictl stop` stops a container behind the kubelet's back,
// and the kubelet restarts it. etcdctl and etcdutl work against the
// cluster's store: a snapshot is a real copy of its bbolt file, and
// restoring one into a data directory and pointing etcd's manifest there
// makes the cluster's objects the snapshot's.
//
// Each node has its Kubernetes packages as apt and dpkg keep them, in its
// files (apt.go): kubeadm, kubelet and kubectl of the cluster's release,
// held, from the pkgs.k8s.io repository of the minor the source list
// names; apt-get, apt, apt-cache, apt-mark and dpkg change them with
// apt's output and refusals. kubeadm is the installed package's:
// `kubeadm upgrade plan|apply|node` (upgrade.go, upgradeapply.go) print
// kubeadm 1.28's output and rewrite the control plane's static pod
// manifests, waiting on the virtual clock for each new pod; the kubelet
// service starts its package's version (the node reports it from then on).
//
// On bare machines (sim.ClusterSpec.Bare, bare.go) the hosts start as the
// packages leave them: no kubeadm files, the kubelet unit failing every
// RestartSec for want of its configuration. `kubeadm init` and `kubeadm
// join` (kubeadm_init.go) print kubeadm 1.27's output and preflight and
// discovery errors, write what kubeadm writes and restart the kubelet,
// whose first start registers the node; `kubeadm reset` undoes them.
//
// A host's filesystem is the node's own (the kubelet's host paths), held in
// memory: nothing here reads or writes the machine kubesim runs on. A shell
// sleeps on the virtual clock: while it sleeps the cluster advances to its
// wake time (Run).
//
// The hosts of a cluster are kept with it (For); every call that reaches
// the cluster goes through its lock (Cluster.Do/Locked), never from inside
// the loop.
package hosts
