package controllers

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"kubesim/sim/certsign"
	"kubesim/sim/loop"
)

// TestRootCAPublishesClusterCA: kube-root-ca.crt holds a placeholder
// until the cluster CA is installed, then that CA's certificate in every
// namespace (pods verify the API server with it).
func TestRootCAPublishesClusterCA(t *testing.T) {
	holder := &certsign.Holder{}
	e := newEnv(t, "v1.27.1", func(ctx Context) (loop.Component, error) {
		ctx.CA = holder
		return build(ctx, newRootCACert)
	})
	e.settle()
	cm := getT[*corev1.ConfigMap](e, "configmaps", "default", rootCAConfigMap)
	if cm.Data["ca.crt"] != placeholderPEM("kubernetes") {
		t.Fatalf("before the CA: ca.crt = %q", cm.Data["ca.crt"])
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubernetes"}, NotBefore: testStart.Add(-time.Hour),
		NotAfter: testStart.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	ca, err := certsign.Parse(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	holder.Set(ca)
	e.settle()
	for _, ns := range []string{"default", "kube-system", "kube-node-lease"} {
		cm := getT[*corev1.ConfigMap](e, "configmaps", ns, rootCAConfigMap)
		if cm.Data["ca.crt"] != string(certPEM) {
			t.Errorf("%s/kube-root-ca.crt after the CA: %q, want the cluster CA", ns, cm.Data["ca.crt"])
		}
	}
}
