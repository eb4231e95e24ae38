package apiserver

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"kubesim/sim/registry"
)

// releaseTag is a Kubernetes release's image tag (v1.28.15).
var releaseTag = regexp.MustCompile(`^v1\.\d+\.\d+$`)

// serverVersion is the version /version reports: the kube-apiserver
// binary's. On a kubeadm cluster that is the image tag of the running
// kube-apiserver static pod, so after `kubeadm upgrade apply` (or an edit
// of its manifest) the version follows once the new pod runs. Without
// such a pod, or with a tag that is no release, it is Config.Version.
func (s *Server) serverVersion() string {
	res, ok := registry.Lookup(schema.GroupResource{Resource: "pods"})
	if !ok {
		return s.cfg.Version
	}
	sel := labels.SelectorFromSet(labels.Set{"component": "kube-apiserver", "tier": "control-plane"})
	version := s.cfg.Version
	s.cfg.Driver.Read(func() {
		objs, _, err := s.cfg.Registry.Committed().List(res, "kube-system", registry.ListOptions{Labels: sel})
		if err != nil {
			return
		}
		for _, o := range objs {
			p := o.(*corev1.Pod)
			if p.Status.Phase != corev1.PodRunning || len(p.Spec.Containers) == 0 {
				continue
			}
			ref, _, _ := strings.Cut(p.Spec.Containers[0].Image, "@")
			if tag := ref[strings.LastIndex(ref, ":")+1:]; releaseTag.MatchString(tag) {
				version = tag
				return
			}
		}
	})
	return version
}
