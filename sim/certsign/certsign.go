package certsign

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
)

// CA is a parsed signing certificate and its key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// PEM is the certificate as given.
	PEM []byte
}

// Parse reads a PEM certificate and a PEM private key (PKCS#1, SEC 1 or
// PKCS#8).
func Parse(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil {
		return nil, errors.New("certsign: no PEM certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("certsign: no PEM key")
	}
	var key any
	switch kb.Type {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(kb.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("certsign: key type %T cannot sign", key)
	}
	return &CA{Cert: cert, Key: signer, PEM: certPEM}, nil
}

// Holder is the cluster's CA slot. It is read and written under the
// cluster's lock; Generation changes with every Set so that a controller
// can look again at what it skipped while the slot was empty.
type Holder struct {
	ca  *CA
	gen int
}

// Set installs ca.
func (h *Holder) Set(ca *CA) { h.ca, h.gen = ca, h.gen+1 }

// CA returns the installed CA, or nil.
func (h *Holder) CA() *CA {
	if h == nil {
		return nil
	}
	return h.ca
}

// Generation counts the Sets.
func (h *Holder) Generation() int {
	if h == nil {
		return 0
	}
	return h.gen
}

// MaxDuration is kube-controller-manager's --cluster-signing-duration default.
const MaxDuration = 365 * 24 * time.Hour

// backdate is the signer's allowance for clock skew.
const backdate = 5 * time.Minute

// Sign issues the certificate of an approved request: the request's
// subject and SANs, the CSR's usages, a 128-bit serial from r, valid from
// now-5m for the requested duration (expirationSeconds, at most
// MaxDuration, never past the CA). It returns the PEM certificate.
func (ca *CA) Sign(csr *certificatesv1.CertificateSigningRequest, now time.Time, r *rand.Rand) ([]byte, error) {
	block, _ := pem.Decode(csr.Spec.Request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return nil, errors.New("PEM block type must be CERTIFICATE REQUEST")
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, err
	}
	if err := req.CheckSignature(); err != nil {
		return nil, err
	}
	// signingDuration: the requested duration within [10m, MaxDuration].
	ttl := MaxDuration
	if e := csr.Spec.ExpirationSeconds; e != nil && time.Duration(*e)*time.Second < ttl {
		ttl = max(time.Duration(*e)*time.Second, 10*time.Minute)
	}
	notBefore := now.Add(-backdate)
	if notBefore.Before(ca.Cert.NotBefore) {
		notBefore = ca.Cert.NotBefore
	}
	notAfter := now.Add(ttl)
	if notAfter.After(ca.Cert.NotAfter) {
		notAfter = ca.Cert.NotAfter
	}
	keyUsage, extUsage := usages(csr.Spec.Usages)
	serial := new(big.Int).SetUint64(r.Uint64())
	serial.Lsh(serial, 64).Or(serial, new(big.Int).SetUint64(r.Uint64()))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: req.Subject,
		DNSNames: req.DNSNames, IPAddresses: req.IPAddresses, EmailAddresses: req.EmailAddresses, URIs: req.URIs,
		NotBefore: notBefore.UTC().Truncate(time.Second), NotAfter: notAfter.UTC().Truncate(time.Second),
		KeyUsage: keyUsage, ExtKeyUsage: extUsage, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(randReader{r}, tmpl, ca.Cert, req.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// usages maps the API's key usages to x509's (certificates' KeyUsagesFromStrings).
func usages(in []certificatesv1.KeyUsage) (x509.KeyUsage, []x509.ExtKeyUsage) {
	keyUsages := map[certificatesv1.KeyUsage]x509.KeyUsage{
		"signing": x509.KeyUsageDigitalSignature, "digital signature": x509.KeyUsageDigitalSignature,
		"content commitment": x509.KeyUsageContentCommitment, "key encipherment": x509.KeyUsageKeyEncipherment,
		"key agreement": x509.KeyUsageKeyAgreement, "data encipherment": x509.KeyUsageDataEncipherment,
		"cert sign": x509.KeyUsageCertSign, "crl sign": x509.KeyUsageCRLSign,
		"encipher only": x509.KeyUsageEncipherOnly, "decipher only": x509.KeyUsageDecipherOnly,
	}
	extUsages := map[certificatesv1.KeyUsage]x509.ExtKeyUsage{
		"any": x509.ExtKeyUsageAny, "server auth": x509.ExtKeyUsageServerAuth, "client auth": x509.ExtKeyUsageClientAuth,
		"code signing": x509.ExtKeyUsageCodeSigning, "email protection": x509.ExtKeyUsageEmailProtection,
		"s/mime": x509.ExtKeyUsageEmailProtection, "ipsec end system": x509.ExtKeyUsageIPSECEndSystem,
		"ipsec tunnel": x509.ExtKeyUsageIPSECTunnel, "ipsec user": x509.ExtKeyUsageIPSECUser,
		"timestamping": x509.ExtKeyUsageTimeStamping, "ocsp signing": x509.ExtKeyUsageOCSPSigning,
		"microsoft sgc": x509.ExtKeyUsageMicrosoftServerGatedCrypto, "netscape sgc": x509.ExtKeyUsageNetscapeServerGatedCrypto,
	}
	var ku x509.KeyUsage
	var eku []x509.ExtKeyUsage
	seen := map[x509.ExtKeyUsage]bool{}
	for _, u := range in {
		if k, ok := keyUsages[u]; ok {
			ku |= k
		}
		if e, ok := extUsages[u]; ok && !seen[e] {
			seen[e] = true
			eku = append(eku, e)
		}
	}
	return ku, eku
}

// randReader is the seeded source as an io.Reader (the signature's nonce;
// crypto may mix in its own randomness, so signatures are not reproducible,
// serials and validity are).
type randReader struct{ r *rand.Rand }

var _ io.Reader = randReader{}

func (rr randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(rr.r.Uint32())
	}
	return len(p), nil
}
