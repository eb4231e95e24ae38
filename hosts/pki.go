package hosts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math"
	"math/big"
	"net"
	"slices"
	"strings"
	"time"

	"kubesim/sim/certsign"
)

// The certificates kubeadm leaves on a node, real ones: /etc/kubernetes/pki
// on a control plane (the cluster CA, the front-proxy and etcd CAs and
// their leaves with kubeadm's subjects, usages and SANs), the client
// certificates embedded in the kubeconfigs, the kubelet's client and
// serving certificates, and the service-account key pair.
//
// The cluster CA is the one the cluster signs CertificateSigningRequests
// with (sim.Cluster.ClusterCA, kept in the state directory by the server),
// so a certificate `kubectl certificate approve` issued verifies against
// /etc/kubernetes/pki/ca.crt; a cluster without one (stepped, or a state
// directory made before ca.key was kept) gets a "kubernetes" CA of its
// own. sa.key is the key the cluster's service-account tokens are signed
// with (sim/satoken, Ed25519), so sa.pub verifies them.
//
// Everything else is reproducible from the cluster's seed: the keys are
// ECDSA P-256 (kubeadm's encryptionAlgorithm ECDSA-P256) derived from the
// seed and the certificate's name, serial numbers too, and ECDSA
// signatures are RFC 6979's deterministic ones. Times are the virtual
// clock's: kubeadm init ran when the control-plane node registered; a CA
// is backdated five minutes and lasts 3650 days, a leaf starts with its CA
// and lasts 365 days (kubeadm's CertificateValidity).

const (
	caValidity   = 10 * 365 * 24 * time.Hour
	certValidity = 365 * 24 * time.Hour
	certBackdate = 5 * time.Minute
)

// issuer is a CA with its key.
type issuer struct {
	cert   *x509.Certificate
	key    crypto.Signer
	pem    []byte
	keyPEM []byte
}

// clusterPKI is the cluster's CAs.
type clusterPKI struct {
	ca, frontProxy, etcd *issuer
	init                 time.Time
}

// pki returns the cluster's CAs: those kubeadm init left on the control
// plane (/etc/kubernetes/pki) when they are there, else the cluster CA
// and seed-derived front-proxy and etcd CAs, as kubeadm init makes them
// now. Call it with the cluster lock held.
func (hs *Hosts) pki() *clusterPKI {
	c := hs.c
	var cpHost *Host
	// kubeadm init ran when the control plane registered (or, on machines
	// kubeadm has not set up yet, runs now).
	init := c.Clock.Now()
	if cp := c.Spec.ControlPlane(); cp != nil {
		if cpHost = hs.hosts[cp.Name]; cpHost != nil {
			if n := cpHost.node(); n != nil {
				init = n.CreationTimestamp.Time
			}
		}
	}
	p := &clusterPKI{init: init.UTC()}
	seed := c.Spec.Seed
	onDisk := func(base string) *issuer {
		if cpHost == nil {
			return nil
		}
		crt, err1 := cpHost.fs.ReadFile("/etc/kubernetes/pki/" + base + ".crt")
		key, err2 := cpHost.fs.ReadFile("/etc/kubernetes/pki/" + base + ".key")
		if err1 != nil || err2 != nil {
			return nil
		}
		ca, err := certsign.Parse(crt, key)
		if err != nil {
			return nil
		}
		return &issuer{cert: ca.Cert, key: ca.Key, pem: crt, keyPEM: key}
	}
	if p.ca = onDisk("ca"); p.ca == nil {
		if ca := c.ClusterCA(); ca != nil {
			if kp, err := marshalKey(ca.Key); err == nil {
				p.ca = &issuer{cert: ca.Cert, key: ca.Key, pem: ca.PEM, keyPEM: kp}
			}
		}
	}
	if p.ca == nil {
		p.ca = selfSignedCA(seed, "kubernetes", p.init)
	}
	if p.frontProxy = onDisk("front-proxy-ca"); p.frontProxy == nil {
		p.frontProxy = selfSignedCA(seed, "front-proxy-ca", p.init)
	}
	if p.etcd = onDisk("etcd/ca"); p.etcd == nil {
		p.etcd = selfSignedCA(seed, "etcd-ca", p.init)
	}
	return p
}

// seedKey derives an ECDSA P-256 key from the seed and what it is for.
func seedKey(seed uint64, what string) *ecdsa.PrivateKey {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/key/%s", seed, what))
	for {
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), sum[:]); err == nil {
			return k
		}
		sum = sha256.Sum256(sum[:])
	}
}

// seedSerial is a serial number in [1, 2^63-1], as kubeadm draws them.
func seedSerial(seed uint64, what string) *big.Int {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/serial/%s", seed, what))
	n := binary.BigEndian.Uint64(sum[:8]) % (math.MaxInt64 - 1)
	return new(big.Int).SetUint64(n + 1)
}

// selfSignedCA is client-go's NewSelfSignedCACert as kubeadm calls it:
// CN and a DNS name of the CN, backdated, ten years.
func selfSignedCA(seed uint64, cn string, init time.Time) *issuer {
	key := seedKey(seed, cn)
	tmpl := &x509.Certificate{
		SerialNumber: seedSerial(seed, cn), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: init.Add(-certBackdate), NotAfter: init.Add(caValidity),
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(fmt.Sprintf("hosts: self-signed %s: %v", cn, err))
	}
	cert, _ := x509.ParseCertificate(der)
	kp, _ := marshalKey(key)
	return &issuer{cert: cert, key: key, pem: certPEM(der), keyPEM: kp}
}

// leaf is one certificate to issue.
type leaf struct {
	name     string // what it is for (the key's and serial's seed)
	cn       string
	org      []string
	usages   []x509.ExtKeyUsage
	dns      []string
	ips      []string
	keyUsage x509.KeyUsage // 0: kubeadm's digital signature, key encipherment
	// notBefore and notAfter, when set, replace kubeadm's (the kubelet's
	// certificates come from elsewhere).
	notBefore, notAfter time.Time
}

// issue signs l with iss: the certificate's PEM and its key's.
func (iss *issuer) issue(seed uint64, init time.Time, l leaf) (certPEMData, keyPEMData []byte) {
	key := seedKey(seed, l.name)
	ku := l.keyUsage
	if ku == 0 {
		ku = x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature
	}
	notBefore := iss.cert.NotBefore
	if notBefore.After(init) {
		notBefore = init.Add(-certBackdate)
	}
	notAfter := init.Add(certValidity)
	if !l.notBefore.IsZero() {
		notBefore, notAfter = l.notBefore, l.notAfter
	}
	dns := slices.Sorted(slices.Values(l.dns)) // RemoveDuplicateAltNames sorts them
	tmpl := &x509.Certificate{
		SerialNumber: seedSerial(seed, l.name), Subject: pkix.Name{CommonName: l.cn, Organization: l.org},
		DNSNames: dns, NotBefore: notBefore.UTC(), NotAfter: notAfter.UTC(),
		KeyUsage: ku, ExtKeyUsage: l.usages, BasicConstraintsValid: true,
	}
	for _, ip := range l.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(nil, tmpl, iss.cert, key.Public(), iss.key)
	if err != nil {
		panic(fmt.Sprintf("hosts: certificate %s: %v", l.name, err))
	}
	kp, _ := marshalKey(key)
	return certPEM(der), kp
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// marshalKey is keyutil.MarshalPrivateKeyToPEM: SEC 1 for ECDSA, PKCS #1
// for RSA, PKCS #8 otherwise.
func marshalKey(key any) ([]byte, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
	case *rsa.PrivateKey:
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// adminOrg is admin.conf's group: kubeadm:cluster-admins from 1.29 (with
// super-admin.conf in system:masters), system:masters before.
func (h *Host) adminOrg() string {
	if minorOf(h.cluster().Spec.KubernetesVersion) >= 29 {
		return "kubeadm:cluster-admins"
	}
	return "system:masters"
}

// writePKI writes the node's certificates, keys and kubeconfigs, with
// server the API server's URL. Call it with the cluster lock held.
func (h *Host) writePKI(server string) {
	c := h.cluster()
	p := h.hs.pki()
	seed, init := c.Spec.Seed, p.init
	joined := init
	if n := h.node(); n != nil {
		joined = n.CreationTimestamp.Time.UTC()
	}
	const K = "/etc/kubernetes/pki/"
	h.write(K+"ca.crt", string(p.ca.pem), 0o644)

	// The kubelet's client certificate (signed through a CSR when it
	// joined: the signer's backdate and a year) and its self-signed
	// serving certificate.
	kc, kk := p.ca.issue(seed, init, leaf{name: h.Name + "/kubelet-client", cn: "system:node:" + h.Name, org: []string{"system:nodes"},
		usages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, keyUsage: x509.KeyUsageDigitalSignature,
		notBefore: joined.Add(-certBackdate), notAfter: joined.Add(certValidity)})
	dated := fmt.Sprintf("/var/lib/kubelet/pki/kubelet-client-%s.pem", joined.Format("2006-01-02-15-04-05"))
	h.write(dated, string(kc)+string(kk), 0o600)
	h.root.Symlink(dated, "/var/lib/kubelet/pki/kubelet-client-current.pem")
	sc, sk := h.kubeletServing(seed, joined)
	h.write("/var/lib/kubelet/pki/kubelet.crt", sc, 0o644)
	h.write("/var/lib/kubelet/pki/kubelet.key", sk, 0o600)
	h.write("/etc/kubernetes/kubelet.conf", kubeconfigFile(server, p.ca.pem, "system:node:"+h.Name, nil, nil, "/var/lib/kubelet/pki/kubelet-client-current.pem"), 0o600)
	if !h.ControlPlane {
		return
	}

	v := minorOf(c.Spec.KubernetesVersion)
	masters := []string{"system:masters"}
	var etcdOrg []string
	kubeletClientOrg := masters
	if v >= 29 {
		kubeletClientOrg, etcdOrg = []string{"kubeadm:cluster-admins"}, nil
	} else {
		etcdOrg = masters
	}
	svcIP := firstServiceIP(c.Spec.ServiceCIDR)
	client := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	etcdDNS, etcdIPs := []string{h.Name, "localhost"}, []string{h.IP, "127.0.0.1", "::1"}
	files := []struct {
		file string
		iss  *issuer
		l    leaf
	}{
		{"apiserver", p.ca, leaf{cn: "kube-apiserver", usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			dns: []string{h.Name, "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
			ips: []string{svcIP, h.IP}}},
		{"apiserver-kubelet-client", p.ca, leaf{cn: "kube-apiserver-kubelet-client", org: kubeletClientOrg, usages: client}},
		{"front-proxy-client", p.frontProxy, leaf{cn: "front-proxy-client", usages: client}},
		{"etcd/server", p.etcd, leaf{cn: h.Name, usages: both, dns: etcdDNS, ips: etcdIPs}},
		{"etcd/peer", p.etcd, leaf{cn: h.Name, usages: both, dns: etcdDNS, ips: etcdIPs}},
		{"etcd/healthcheck-client", p.etcd, leaf{cn: "kube-etcd-healthcheck-client", org: etcdOrg, usages: client}},
		{"apiserver-etcd-client", p.etcd, leaf{cn: "kube-apiserver-etcd-client", org: etcdOrg, usages: client}},
	}
	h.write(K+"ca.key", string(p.ca.keyPEM), 0o600)
	h.write(K+"front-proxy-ca.crt", string(p.frontProxy.pem), 0o644)
	h.write(K+"front-proxy-ca.key", string(p.frontProxy.keyPEM), 0o600)
	h.write(K+"etcd/ca.crt", string(p.etcd.pem), 0o644)
	h.write(K+"etcd/ca.key", string(p.etcd.keyPEM), 0o600)
	for _, f := range files {
		f.l.name = h.Name + "/" + f.file
		crt, key := f.iss.issue(seed, init, f.l)
		h.write(K+f.file+".crt", string(crt), 0o644)
		h.write(K+f.file+".key", string(key), 0o600)
	}
	saKey := c.Tokens().Key()
	saPriv, _ := marshalKey(saKey)
	saPubDER, _ := x509.MarshalPKIXPublicKey(saKey.Public().(ed25519.PublicKey))
	h.write(K+"sa.key", string(saPriv), 0o600)
	h.write(K+"sa.pub", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPubDER})), 0o600)

	// The kubeconfigs, each with its client certificate embedded.
	local := "https://" + h.IP + ":6443"
	confs := []struct {
		file, server, cn string
		org              []string
	}{
		{"admin.conf", server, "kubernetes-admin", []string{h.adminOrg()}},
		{"controller-manager.conf", local, "system:kube-controller-manager", nil},
		{"scheduler.conf", local, "system:kube-scheduler", nil},
	}
	if v >= 29 {
		confs = append(confs, struct {
			file, server, cn string
			org              []string
		}{"super-admin.conf", server, "kubernetes-super-admin", masters})
	}
	for _, cf := range confs {
		crt, key := p.ca.issue(seed, init, leaf{name: h.Name + "/" + cf.file, cn: cf.cn, org: cf.org, usages: client})
		data := kubeconfigFile(cf.server, p.ca.pem, cf.cn, crt, key, "")
		h.write("/etc/kubernetes/"+cf.file, data, 0o600)
		if cf.file == "admin.conf" {
			h.fs.MkdirAll("/root/.kube", 0o755)
			h.write("/root/.kube/config", data, 0o600)
		}
	}
}

// kubeletServing is the kubelet's self-signed serving pair
// (certutil.GenerateSelfSignedCertKey): a "NAME-ca@UNIX" CA and a
// "NAME@UNIX" certificate it signs, an hour backdated, for a year; the
// file holds both.
func (h *Host) kubeletServing(seed uint64, joined time.Time) (string, string) {
	from := joined.Add(-time.Hour)
	stamp := fmt.Sprint(joined.Unix())
	caKey := seedKey(seed, h.Name+"/kubelet-serving-ca")
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: h.Name + "-ca@" + stamp},
		NotBefore: from, NotAfter: from.Add(certValidity),
		KeyUsage:              x509.KeyUsageKeyEncipherment | x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	caDER, _ := x509.CreateCertificate(nil, caTmpl, caTmpl, caKey.Public(), caKey)
	caCert, _ := x509.ParseCertificate(caDER)
	ca := &issuer{cert: caCert, key: caKey}
	crt, key := ca.issue(seed, joined, leaf{name: h.Name + "/kubelet-serving", cn: h.Name + "@" + stamp,
		usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, dns: []string{h.Name},
		notBefore: from, notAfter: from.Add(certValidity)})
	return string(crt) + string(certPEM(caDER)), string(key)
}

// firstServiceIP is the service range's first address (the kubernetes
// Service's ClusterIP, in the apiserver certificate).
func firstServiceIP(cidr string) string {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return "10.96.0.1"
	}
	ip := n.IP.To4()
	if ip == nil {
		ip = n.IP
	}
	out := append(net.IP(nil), ip...)
	out[len(out)-1]++
	return out.String()
}

// kubeconfigFile is a kubeadm kubeconfig for user: with embedded client
// data, or pointing at certFile (the kubelet's rotated pair).
func kubeconfigFile(server string, caPEM []byte, user string, crt, key []byte, certFile string) string {
	ctxName := user + "@kubernetes"
	var u string
	if certFile != "" {
		u = fmt.Sprintf("    client-certificate: %s\n    client-key: %s\n", certFile, certFile)
	} else {
		u = fmt.Sprintf("    client-certificate-data: %s\n    client-key-data: %s\n", b64(string(crt)), b64(string(key)))
	}
	return fmt.Sprintf(`apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: %s
    server: %s
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: %s
  name: %s
current-context: %s
kind: Config
preferences: {}
users:
- name: %s
  user:
%s`, b64(string(caPEM)), server, user, ctxName, ctxName, user, u)
}

// caCertHash is kubeadm's --discovery-token-ca-cert-hash: sha256 of the
// cluster CA's SubjectPublicKeyInfo (the control plane's
// /etc/kubernetes/pki/ca.crt). It takes the cluster lock.
func (h *Host) caCertHash() string {
	var sum [32]byte
	h.cluster().Locked(func() { sum = sha256.Sum256(h.hs.pki().ca.cert.RawSubjectPublicKeyInfo) })
	return fmt.Sprintf("sha256:%x", sum)
}

// readCert parses the first certificate of a PEM file on the host.
func (h *Host) readCert(p string) *x509.Certificate {
	data, err := h.fs.ReadFile(p)
	if err != nil {
		return nil
	}
	cert, _ := firstCert(data)
	return cert
}

// firstCert parses the first CERTIFICATE block of PEM data.
func firstCert(data []byte) (*x509.Certificate, bool) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, false
		}
		if b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE" {
			cert, err := x509.ParseCertificate(b.Bytes)
			return cert, err == nil
		}
	}
}

// kubeadmCert is the certificate kubeadm's certs commands call name:
// apiserver, etcd-peer, the CAs, or a kubeconfig's (admin.conf) embedded
// client certificate.
func (h *Host) kubeadmCert(name string) *x509.Certificate {
	const K = "/etc/kubernetes/pki/"
	if strings.HasSuffix(name, ".conf") {
		data, err := h.fs.ReadFile("/etc/kubernetes/" + name)
		if err != nil {
			return nil
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if v, ok := strings.CutPrefix(line, "client-certificate-data:"); ok {
				raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
				if err != nil {
					return nil
				}
				cert, _ := firstCert(raw)
				return cert
			}
			if v, ok := strings.CutPrefix(line, "client-certificate:"); ok {
				return h.readCert(strings.TrimSpace(v))
			}
		}
		return nil
	}
	file := map[string]string{"etcd-ca": "etcd/ca", "etcd-server": "etcd/server", "etcd-peer": "etcd/peer",
		"etcd-healthcheck-client": "etcd/healthcheck-client"}[name]
	if file == "" {
		file = name
	}
	return h.readCert(K + file + ".crt")
}
