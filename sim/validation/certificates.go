package validation

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validKeyUsages are certificates' KeyUsage values (allValidUsages).
var validKeyUsages = sets.New[string](
	"signing", "digital signature", "content commitment", "key encipherment", "key agreement",
	"data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
	"server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
	"ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
)

// ValidateCertificateSigningRequest is ValidateCertificateSigningRequestCreate
// (pkg/apis/certificates/validation) for certificates.k8s.io/v1: a PEM
// CERTIFICATE REQUEST with a valid signature, usages from the known set
// without duplicates, a qualified signerName, expirationSeconds ≥ 600.
func ValidateCertificateSigningRequest(csr *certificatesv1.CertificateSigningRequest) field.ErrorList {
	errs := validateGeneric(csr)
	spec := field.NewPath("spec")
	if err := checkCSR(csr.Spec.Request); err != nil {
		errs = append(errs, field.Invalid(spec.Child("request"), goValue{fmt.Sprintf("%#v", csr.Spec.Request)}, err.Error()))
	}
	if len(csr.Spec.Usages) == 0 {
		errs = append(errs, field.Required(spec.Child("usages"), "usages must be provided"))
	}
	seen := sets.New[string]()
	for i, u := range csr.Spec.Usages {
		p := spec.Child("usages").Index(i)
		if !validKeyUsages.Has(string(u)) {
			errs = append(errs, field.NotSupported(p, u, sets.List(validKeyUsages)))
		}
		if seen.Has(string(u)) {
			errs = append(errs, field.Duplicate(p, u))
		}
		seen.Insert(string(u))
	}
	if csr.Spec.SignerName == "" {
		errs = append(errs, field.Required(spec.Child("signerName"), ""))
	} else {
		errs = append(errs, validateSignerName(spec.Child("signerName"), csr.Spec.SignerName)...)
	}
	if e := csr.Spec.ExpirationSeconds; e != nil && *e < 600 {
		errs = append(errs, field.Invalid(spec.Child("expirationSeconds"), *e, "may not specify a duration less than 600 seconds (10 minutes)"))
	}
	return errs
}

// checkCSR is certificates.ParseCSR and CheckSignature.
func checkCSR(request []byte) error {
	block, _ := pem.Decode(request)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		return errors.New("PEM block type must be CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return err
	}
	return csr.CheckSignature()
}

// validateSignerName is ValidateSignerName: a DNS subdomain, a "/", and a
// path segment.
func validateSignerName(p *field.Path, name string) field.ErrorList {
	domain, path, ok := strings.Cut(name, "/")
	if !ok || domain == "" || path == "" || strings.Count(domain, ".") < 1 {
		return field.ErrorList{field.Invalid(p, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")}
	}
	var errs field.ErrorList
	for _, msg := range utilvalidation.IsDNS1123Subdomain(domain) {
		errs = append(errs, field.Invalid(p, name, fmt.Sprintf("validating domain component: %s", msg)))
	}
	return errs
}
