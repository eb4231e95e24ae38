package controllers

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim/satoken"
	"kubesim/sim/store"
)

// tokensController is kube-controller-manager's serviceaccount-token
// controller for the Secrets users create: a kubernetes.io/service-account-token
// Secret naming an existing service account gets its token, ca.crt and
// namespace data and the service account's uid annotation. A service
// account's change looks at its namespace's Secrets again.
type tokensController struct {
	controller[*corev1.Secret]
}

func newTokens(b *base) *tokensController {
	c := &tokensController{}
	c.controller = newController[*corev1.Secret](b, "serviceaccount-token", b.secrets, c.sync)
	c.relistIf = func(s *corev1.Secret) bool { return s.Type == corev1.SecretTypeServiceAccountToken }
	c.onEventFor = resources("serviceaccounts")
	c.onEvent = func(_ store.Event, res, ns, _ string) {
		if res == "serviceaccounts" {
			c.relistNS(ns)
		}
	}
	return c
}

func (c *tokensController) sync(key string, _ time.Time) bool {
	sec, ok := c.live(key)
	if !ok || c.Tokens == nil || sec.Type != corev1.SecretTypeServiceAccountToken {
		return false
	}
	name := sec.Annotations[corev1.ServiceAccountNameKey]
	sa, ok := get[*corev1.ServiceAccount](c.base, c.serviceaccounts, sec.Namespace, name)
	if !ok || name == "" {
		return false
	}
	if uid := sec.Annotations[corev1.ServiceAccountUIDKey]; uid != "" && uid != string(sa.UID) {
		return false
	}
	if len(sec.Data[corev1.ServiceAccountTokenKey]) > 0 && sec.Annotations[corev1.ServiceAccountUIDKey] != "" {
		return false
	}
	upd := sec.DeepCopy()
	if upd.Annotations == nil {
		upd.Annotations = map[string]string{}
	}
	upd.Annotations[corev1.ServiceAccountUIDKey] = string(sa.UID)
	if upd.Data == nil {
		upd.Data = map[string][]byte{}
	}
	ca := c.RootCAPEM
	if cert := c.CA.CA(); cert != nil {
		ca = string(cert.PEM)
	} else if ca == "" {
		ca = placeholderPEM("kubernetes")
	}
	upd.Data[corev1.ServiceAccountRootCAKey] = []byte(ca)
	upd.Data[corev1.ServiceAccountNamespaceKey] = []byte(sec.Namespace)
	if len(upd.Data[corev1.ServiceAccountTokenKey]) == 0 {
		upd.Data[corev1.ServiceAccountTokenKey] = []byte(c.Tokens.IssueLegacy(satoken.Ref{Namespace: sa.Namespace, Name: sa.Name, UID: string(sa.UID)}, sec.Name))
	}
	return c.update(c.secrets, upd, "")
}
