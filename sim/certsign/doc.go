// Package certsign is the cluster CA's signing half, as
// kube-controller-manager's csrsigning controller holds it
// (--cluster-signing-cert-file/--cluster-signing-key-file): the CA
// certificate and key, and the rule that turns an approved
// CertificateSigningRequest into a certificate (serial number from the
// cluster's seeded source, validity on the virtual clock: backdated five
// minutes, for the requested duration capped at a year and at the CA's
// own expiry).
//
// The CA is made by the shell (server/) on first start and kept in the
// state directory; the shell hands it to the cluster with Holder.Set, and
// until then nothing is signed.
package certsign
