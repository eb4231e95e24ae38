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

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/certsign"
	"kubesim/sim/loop"
)

// TestCSRSigning: an approved kube-apiserver-client request waits for the
// CA, is issued once one is installed; one with a server-auth usage fails
// with upstream's reason and message; a pending one and another signer's
// are left alone.
func TestCSRSigning(t *testing.T) {
	holder := &certsign.Holder{}
	e := newEnv(t, "v1.27.1", func(ctx Context) (loop.Component, error) {
		ctx.CA = holder
		return build(ctx, newCSRSigning)
	})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "jane"}}, key)
	req := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	approved := []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved, Status: "True"}}
	mk := func(name, signer string, usages []certificatesv1.KeyUsage, conds []certificatesv1.CertificateSigningRequestCondition) {
		e.create("certificatesigningrequests", "", &certificatesv1.CertificateSigningRequest{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: certificatesv1.CertificateSigningRequestSpec{Request: req, SignerName: signer, Usages: usages}})
		if conds != nil {
			csr := getT[*certificatesv1.CertificateSigningRequest](e, "certificatesigningrequests", "", name)
			csr.Status.Conditions = conds
			e.update("certificatesigningrequests", "", csr, "approval")
		}
	}
	client := []certificatesv1.KeyUsage{"client auth"}
	mk("ok", signerAPIServerClient, client, approved)
	mk("server", signerAPIServerClient, []certificatesv1.KeyUsage{"server auth"}, approved)
	mk("pending", signerAPIServerClient, client, nil)
	mk("other", "example.com/signer", client, approved)
	e.settle()
	get := func(name string) *certificatesv1.CertificateSigningRequest {
		return getT[*certificatesv1.CertificateSigningRequest](e, "certificatesigningrequests", "", name)
	}
	if c := get("ok"); len(c.Status.Certificate) != 0 || len(c.Status.Conditions) != 1 {
		t.Fatalf("acted without a CA: %+v", c.Status)
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, NotBefore: testStart.Add(-time.Hour), NotAfter: testStart.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	keyDER, _ := x509.MarshalECPrivateKey(caKey)
	ca, err := certsign.Parse(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	holder.Set(ca)
	e.settle()
	if c := get("ok"); len(c.Status.Certificate) == 0 {
		t.Errorf("not issued after the CA came: %+v", c.Status)
	}
	c := get("server")
	if len(c.Status.Certificate) != 0 || len(c.Status.Conditions) != 2 || c.Status.Conditions[1].Reason != "SignerValidationFailure" ||
		c.Status.Conditions[1].Message != "invalid usage for client certificate: server auth" {
		t.Errorf("server-auth request: %+v", c.Status)
	}
	for _, name := range []string{"pending", "other"} {
		if c := get(name); len(c.Status.Certificate) != 0 {
			t.Errorf("%s issued", name)
		}
	}
}
