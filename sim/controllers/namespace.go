package controllers

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// namespaceController finishes the deletion of Terminating namespaces
// (upstream pkg/controller/namespace): it deletes every namespaced object in
// them, waits for graceful deletions to finish (store events re-queue it),
// then removes the "kubernetes" finalizer, which removes the namespace.
// The status conditions upstream writes while content remains
// (NamespaceContentRemaining, …) are not written: the Registry removes a
// terminating namespace on any update.
type namespaceController struct {
	controller[*corev1.Namespace]
	terminating map[string]bool
}

func newNamespace(b *base) *namespaceController {
	c := &namespaceController{terminating: map[string]bool{}}
	c.controller = newController[*corev1.Namespace](b, "namespace", b.namespaces, c.syncNamespace)
	c.onEvent = func(ev store.Event, res, ns, name string) {
		switch {
		case res == "namespaces" && ev.Type == store.Delete:
			delete(c.terminating, name)
		case res != "namespaces" && ns != "" && c.terminating[ns]:
			c.queue.add(ns)
		}
	}
	return c
}

func (c *namespaceController) syncNamespace(name string, _ time.Time) bool {
	n, ok := c.get(name)
	if !ok || n.DeletionTimestamp == nil {
		return false
	}
	c.terminating[name] = true
	wrote, remaining := false, 0
	for _, res := range c.Registry.Served() {
		if !res.Namespaced || res.NewList == nil || res.Alias {
			continue
		}
		objs, _, _ := c.Registry.List(res, name, registry.ListOptions{})
		for _, o := range objs {
			remaining++
			m := metaOf(o)
			if m.GetDeletionTimestamp() != nil {
				continue
			}
			bg := metav1.DeletePropagationBackground
			if _, err := c.Registry.Delete(res, name, m.GetName(), &metav1.DeleteOptions{PropagationPolicy: &bg}); err == nil {
				wrote = true
			}
		}
	}
	if remaining > 0 {
		return wrote
	}
	var fins []corev1.FinalizerName
	for _, f := range n.Spec.Finalizers {
		if f != corev1.FinalizerKubernetes {
			fins = append(fins, f)
		}
	}
	if len(fins) == len(n.Spec.Finalizers) && len(fins) > 0 {
		return wrote
	}
	cp := n.DeepCopy()
	cp.Spec.Finalizers = fins
	if c.update(c.namespaces, cp, "") {
		wrote = true
	}
	if len(fins) == 0 && len(cp.Finalizers) == 0 {
		if _, err := c.Registry.Remove(c.namespaces, "", name); err == nil {
			wrote = true
		}
	}
	return wrote
}

// serviceAccountController makes sure every active namespace has the
// "default" ServiceAccount (upstream pkg/controller/serviceaccount).
type serviceAccountController struct {
	controller[*corev1.Namespace]
}

func newServiceAccount(b *base) *serviceAccountController {
	c := &serviceAccountController{}
	c.controller = newController[*corev1.Namespace](b, "serviceaccount", b.namespaces, c.syncNS)
	c.onEventFor = resources("serviceaccounts")
	c.onEvent = func(ev store.Event, res, ns, name string) {
		if res == "serviceaccounts" && ev.Type == store.Delete && name == "default" {
			c.queue.add(ns)
		}
	}
	return c
}

func (c *serviceAccountController) syncNS(ns string, _ time.Time) bool {
	if !c.active(ns) {
		return false
	}
	if _, ok := get[*corev1.ServiceAccount](c.base, c.serviceaccounts, ns, "default"); ok {
		return false
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}}
	_, err := c.Registry.Create(c.serviceaccounts, ns, sa, false)
	return err == nil
}

// active reports whether a namespace exists and is not terminating.
func (b *base) active(ns string) bool {
	n, ok := get[*corev1.Namespace](b, b.namespaces, "", ns)
	return ok && n.DeletionTimestamp == nil && n.Status.Phase != corev1.NamespaceTerminating
}

// Root CA publisher constants (upstream pkg/controller/certificates/rootcacertpublisher).
const (
	rootCAConfigMap       = "kube-root-ca.crt"
	descriptionAnnotation = "kubernetes.io/description"
	rootCADescription     = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
		"No other usage is guaranteed across distributions of Kubernetes clusters."
)

// rootCACertController publishes the kube-root-ca.crt ConfigMap in every
// active namespace and restores its data if changed. The certificate is
// the cluster CA's once one is installed (as kube-controller-manager
// publishes its --root-ca-file), else RootCAPEM, else a deterministic
// placeholder PEM block (a stepped cluster without a server).
type rootCACertController struct {
	controller[*corev1.Namespace]
	pem    string
	seenCA int
}

func newRootCACert(b *base) *rootCACertController {
	pem := b.RootCAPEM
	if pem == "" {
		pem = placeholderPEM("kubernetes")
	}
	c := &rootCACertController{pem: pem}
	if ca := b.CA.CA(); ca != nil {
		c.pem, c.seenCA = string(ca.PEM), b.CA.Generation()
	}
	c.controller = newController[*corev1.Namespace](b, "root-ca-cert-publisher", b.namespaces, c.syncNS)
	c.onEventFor = resources("configmaps")
	c.onEvent = func(_ store.Event, res, ns, name string) {
		if res == "configmaps" && name == rootCAConfigMap {
			c.queue.add(ns)
		}
	}
	return c
}

// Run publishes a CA installed since the last run in every namespace.
func (c *rootCACertController) Run(now time.Time) bool {
	if g := c.CA.Generation(); g != c.seenCA {
		c.seenCA = g
		if ca := c.CA.CA(); ca != nil {
			c.pem = string(ca.PEM)
			c.relistNS("")
		}
	}
	return c.controller.Run(now)
}

// placeholderPEM returns a PEM-framed block of deterministic bytes.
func placeholderPEM(seed string) string {
	var raw []byte
	h := sha256.Sum256([]byte(seed))
	for len(raw) < 760 {
		raw = append(raw, h[:]...)
		h = sha256.Sum256(h[:])
	}
	b64 := base64.StdEncoding.EncodeToString(raw[:760])
	var sb strings.Builder
	sb.WriteString("-----BEGIN CERTIFICATE-----\n")
	for len(b64) > 64 {
		sb.WriteString(b64[:64] + "\n")
		b64 = b64[64:]
	}
	sb.WriteString(b64 + "\n-----END CERTIFICATE-----\n")
	return sb.String()
}

func (c *rootCACertController) syncNS(ns string, _ time.Time) bool {
	if !c.active(ns) {
		return false
	}
	cm, ok := get[*corev1.ConfigMap](c.base, c.configmaps, ns, rootCAConfigMap)
	if !ok {
		obj := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: rootCAConfigMap, Namespace: ns, Annotations: map[string]string{descriptionAnnotation: rootCADescription}},
			Data:       map[string]string{"ca.crt": c.pem},
		}
		_, err := c.Registry.Create(c.configmaps, ns, obj, false)
		return err == nil
	}
	if cm.Data["ca.crt"] == c.pem && len(cm.Data) == 1 && cm.Annotations[descriptionAnnotation] == rootCADescription {
		return false
	}
	cp := cm.DeepCopy()
	cp.Data = map[string]string{"ca.crt": c.pem}
	if cp.Annotations == nil {
		cp.Annotations = map[string]string{}
	}
	cp.Annotations[descriptionAnnotation] = rootCADescription
	return c.update(c.configmaps, cp, "")
}
