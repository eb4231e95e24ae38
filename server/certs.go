package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Credentials are a cluster's CA, serving certificate and token.
type Credentials struct {
	CAPEM, CertPEM, KeyPEM []byte
	Token                  string
	// CAKeyPEM is the CA's key (ca.key), which signs the client
	// certificates of approved CertificateSigningRequests; empty for a
	// state directory made before it was kept.
	CAKeyPEM []byte
}

// loadOrCreateCredentials reads the credentials in dir, creating them on
// first use (crypto/rand: these protect a real socket, they are not part of
// the simulation).
func loadOrCreateCredentials(dir string) (*Credentials, error) {
	paths := map[string]string{"ca": filepath.Join(dir, "ca.crt"), "crt": filepath.Join(dir, "apiserver.crt"), "key": filepath.Join(dir, "apiserver.key"), "token": filepath.Join(dir, "token"), "cakey": filepath.Join(dir, "ca.key")}
	if ca, err := os.ReadFile(paths["ca"]); err == nil {
		crt, err1 := os.ReadFile(paths["crt"])
		key, err2 := os.ReadFile(paths["key"])
		tok, err3 := os.ReadFile(paths["token"])
		if err1 == nil && err2 == nil && err3 == nil {
			caKey, _ := os.ReadFile(paths["cakey"])
			return &Credentials{CAPEM: ca, CertPEM: crt, KeyPEM: key, Token: string(tok), CAKeyPEM: caKey}, nil
		}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubesim-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.96.0.1")},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	caKeyDER, err := x509.MarshalECPrivateKey(caKey)
	if err != nil {
		return nil, err
	}
	tokBytes := make([]byte, 24)
	if _, err := rand.Read(tokBytes); err != nil {
		return nil, err
	}
	c := &Credentials{
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		Token:   hex.EncodeToString(tokBytes),

		CAKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: caKeyDER}),
	}
	for name, data := range map[string][]byte{"ca": c.CAPEM, "crt": c.CertPEM, "key": c.KeyPEM, "token": []byte(c.Token), "cakey": c.CAKeyPEM} {
		if err := os.WriteFile(paths[name], data, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", paths[name], err)
		}
	}
	return c, nil
}
