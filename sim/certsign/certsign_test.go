package certsign

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func newCA(t *testing.T) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), randReader{rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 6, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(randReader{rand.New(rand.NewPCG(3, 4))}, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	ca, err := Parse(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func request(t *testing.T) []byte {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), randReader{rand.New(rand.NewPCG(5, 6))})
	der, err := x509.CreateCertificateRequest(randReader{rand.New(rand.NewPCG(7, 8))}, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "jane", Organization: []string{"devs"}}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// TestSign checks the issued certificate: the request's subject, client
// auth, backdated five minutes, the requested duration or the CA's expiry
// whichever is first, verifiable against the CA, and the serial drawn from
// the seeded source (same seed, same serial).
func TestSign(t *testing.T) {
	ca := newCA(t)
	req := request(t)
	for _, tt := range []struct {
		name    string
		seconds *int32
		after   time.Time
	}{
		{"one day", ptr(int32(86400)), now.Add(24 * time.Hour)},
		{"capped at the CA", nil, ca.Cert.NotAfter},
	} {
		t.Run(tt.name, func(t *testing.T) {
			csr := &certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{
				Request: req, ExpirationSeconds: tt.seconds, Usages: []certificatesv1.KeyUsage{"digital signature", "client auth"}}}
			out, err := ca.Sign(csr, now, rand.New(rand.NewPCG(9, 9)))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := pem.Decode(out)
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			if cert.Subject.CommonName != "jane" || len(cert.Subject.Organization) != 1 || cert.Subject.Organization[0] != "devs" {
				t.Errorf("subject %v", cert.Subject)
			}
			if !cert.NotBefore.Equal(now.Add(-5*time.Minute)) || !cert.NotAfter.Equal(tt.after) {
				t.Errorf("validity %v – %v, want %v – %v", cert.NotBefore, cert.NotAfter, now.Add(-5*time.Minute), tt.after)
			}
			pool := x509.NewCertPool()
			pool.AddCert(ca.Cert)
			if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Errorf("verify: %v", err)
			}
			again, _ := ca.Sign(csr, now, rand.New(rand.NewPCG(9, 9)))
			b2, _ := pem.Decode(again)
			cert2, _ := x509.ParseCertificate(b2.Bytes)
			if cert.SerialNumber.Cmp(cert2.SerialNumber) != 0 {
				t.Errorf("serials %v and %v from the same seed", cert.SerialNumber, cert2.SerialNumber)
			}
		})
	}
	if _, err := ca.Sign(&certificatesv1.CertificateSigningRequest{Spec: certificatesv1.CertificateSigningRequestSpec{Request: []byte("x")}}, now, rand.New(rand.NewPCG(1, 1))); err == nil || err.Error() != "PEM block type must be CERTIFICATE REQUEST" {
		t.Errorf("bad request: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
