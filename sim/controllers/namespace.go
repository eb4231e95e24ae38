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
	*base
	queue       queue
	terminating map[string]bool
	synced      bool
}

func newNamespace(b *base) *namespaceController {
	return &namespaceController{base: b, queue: queue{}, terminating: map[string]bool{}}
}

func (c *namespaceController) Name() string { return "namespace" }

func (c *namespaceController) Handle(ev store.Event) {
	res, ns, name := splitKey(ev.KV.Key)
	if res == "namespaces" {
		n, ok := objOf(ev).(*corev1.Namespace)
		switch {
		case ev.Type == store.Delete:
			delete(c.terminating, name)
		case ok && n.DeletionTimestamp != nil:
			c.terminating[name] = true
			c.queue.add(name)
		}
		return
	}
	if ns != "" && c.terminating[ns] {
		c.queue.add(ns)
	}
}

func (c *namespaceController) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		for _, n := range list[*corev1.Namespace](c.base, c.namespaces, "") {
			if n.DeletionTimestamp != nil {
				c.terminating[n.Name] = true
				c.queue.add(n.Name)
			}
		}
	}
	wrote := false
	for _, name := range c.queue.drain() {
		if c.sync(name) {
			wrote = true
		}
	}
	return wrote
}

func (c *namespaceController) sync(name string) bool {
	n, ok := get[*corev1.Namespace](c.base, c.namespaces, "", name)
	if !ok || n.DeletionTimestamp == nil {
		return false
	}
	wrote, remaining := false, 0
	for _, res := range registry.Resources() {
		if !res.Namespaced || res.NewList == nil {
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
	cp.ResourceVersion = ""
	if _, err := c.Registry.Update(c.namespaces, "", cp, ""); err == nil {
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
	*base
	queue  queue
	synced bool
}

func newServiceAccount(b *base) *serviceAccountController {
	return &serviceAccountController{base: b, queue: queue{}}
}

func (c *serviceAccountController) Name() string { return "serviceaccount" }

func (c *serviceAccountController) Handle(ev store.Event) {
	res, ns, name := splitKey(ev.KV.Key)
	switch {
	case res == "namespaces" && ev.Type == store.Put:
		c.queue.add(name)
	case res == "serviceaccounts" && ev.Type == store.Delete && name == "default":
		c.queue.add(ns)
	}
}

func (c *serviceAccountController) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		for _, n := range list[*corev1.Namespace](c.base, c.namespaces, "") {
			c.queue.add(n.Name)
		}
	}
	wrote := false
	for _, ns := range c.queue.drain() {
		n, ok := get[*corev1.Namespace](c.base, c.namespaces, "", ns)
		if !ok || n.DeletionTimestamp != nil || n.Status.Phase == corev1.NamespaceTerminating {
			continue
		}
		if _, ok := get[*corev1.ServiceAccount](c.base, c.serviceaccounts, ns, "default"); ok {
			continue
		}
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: ns}}
		if _, err := c.Registry.Create(c.serviceaccounts, ns, sa, false); err == nil {
			wrote = true
		}
	}
	return wrote
}

// Root CA publisher constants (upstream pkg/controller/certificates/rootcacertpublisher).
const (
	rootCAConfigMap       = "kube-root-ca.crt"
	descriptionAnnotation = "kubernetes.io/description"
	rootCADescription     = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
		"No other usage is guaranteed across distributions of Kubernetes clusters."
)

// rootCACertController publishes the kube-root-ca.crt ConfigMap in every
// active namespace and restores its data if changed. The certificate is a
// deterministic placeholder PEM block (no real key material).
type rootCACertController struct {
	*base
	queue  queue
	pem    string
	synced bool
}

func newRootCACert(b *base) *rootCACertController {
	pem := b.RootCAPEM
	if pem == "" {
		pem = placeholderPEM("kubernetes")
	}
	return &rootCACertController{base: b, queue: queue{}, pem: pem}
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

func (c *rootCACertController) Name() string { return "root-ca-cert-publisher" }

func (c *rootCACertController) Handle(ev store.Event) {
	res, ns, name := splitKey(ev.KV.Key)
	switch {
	case res == "namespaces" && ev.Type == store.Put:
		c.queue.add(name)
	case res == "configmaps" && name == rootCAConfigMap:
		c.queue.add(ns)
	}
}

func (c *rootCACertController) Run(now time.Time) bool {
	if !c.synced {
		c.synced = true
		for _, n := range list[*corev1.Namespace](c.base, c.namespaces, "") {
			c.queue.add(n.Name)
		}
	}
	wrote := false
	for _, ns := range c.queue.drain() {
		n, ok := get[*corev1.Namespace](c.base, c.namespaces, "", ns)
		if !ok || n.DeletionTimestamp != nil || n.Status.Phase == corev1.NamespaceTerminating {
			continue
		}
		cm, ok := get[*corev1.ConfigMap](c.base, c.configmaps, ns, rootCAConfigMap)
		if !ok {
			obj := &corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: rootCAConfigMap, Namespace: ns, Annotations: map[string]string{descriptionAnnotation: rootCADescription}},
				Data:       map[string]string{"ca.crt": c.pem},
			}
			if _, err := c.Registry.Create(c.configmaps, ns, obj, false); err == nil {
				wrote = true
			}
			continue
		}
		if cm.Data["ca.crt"] == c.pem && len(cm.Data) == 1 && cm.Annotations[descriptionAnnotation] == rootCADescription {
			continue
		}
		cp := cm.DeepCopy()
		cp.Data = map[string]string{"ca.crt": c.pem}
		if cp.Annotations == nil {
			cp.Annotations = map[string]string{}
		}
		cp.Annotations[descriptionAnnotation] = rootCADescription
		cp.ResourceVersion = ""
		if _, err := c.Registry.Update(c.configmaps, ns, cp, ""); err == nil {
			wrote = true
		}
	}
	return wrote
}
