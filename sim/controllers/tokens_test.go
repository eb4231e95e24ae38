package controllers

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/loop"
	"kubesim/sim/satoken"
)

// TestTokensController: a service-account-token Secret waits for its
// service account, then gets a token the cluster's signer verifies (bound
// to the secret and the account's uid), ca.crt, namespace and the uid
// annotation; a Secret of another type is left alone.
func TestTokensController(t *testing.T) {
	signer := satoken.New(7)
	e := newEnv(t, "v1.27.1", func(ctx Context) (loop.Component, error) {
		ctx.Tokens = signer
		return build(ctx, newTokens)
	})
	e.create("secrets", "default", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "robot-token", Annotations: map[string]string{corev1.ServiceAccountNameKey: "robot"}},
		Type: corev1.SecretTypeServiceAccountToken})
	e.create("secrets", "default", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "plain"}, Data: map[string][]byte{"a": []byte("b")}})
	e.settle()
	if s := getT[*corev1.Secret](e, "secrets", "default", "robot-token"); len(s.Data) != 0 {
		t.Fatalf("populated before the service account exists: %v", s.Data)
	}
	sa := e.create("serviceaccounts", "default", &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}).(*corev1.ServiceAccount)
	e.settle()
	s := getT[*corev1.Secret](e, "secrets", "default", "robot-token")
	if got := s.Annotations[corev1.ServiceAccountUIDKey]; got != string(sa.UID) {
		t.Errorf("uid annotation %q, want %q", got, sa.UID)
	}
	if string(s.Data["namespace"]) != "default" || len(s.Data["ca.crt"]) == 0 {
		t.Errorf("data %v", s.Data)
	}
	l, ok := signer.VerifyLegacy(string(s.Data["token"]))
	if !ok || l.SecretName != "robot-token" || l.UID != string(sa.UID) || l.Subject != "system:serviceaccount:default:robot" {
		t.Errorf("token claims %+v, %v", l, ok)
	}
	if p := getT[*corev1.Secret](e, "secrets", "default", "plain"); len(p.Data) != 1 || len(p.Annotations) != 0 {
		t.Errorf("plain secret changed: %+v", p)
	}
}
