package hosts

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"time"

	"kubesim/runtime/shell"
)

// openssl on a host: `openssl x509` reading a certificate (-in FILE or
// stdin) and printing what OpenSSL 3.0 (Ubuntu 22.04's) prints for -text,
// -subject, -issuer, -dates, -startdate, -enddate, -serial, in the order
// given, then the PEM unless -noout; and `openssl version`.
func (h *Host) openssl(c *shell.Cmd) int {
	args := c.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(c.Stderr, "openssl: interactive mode is not supported here")
		return 1
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(c.Stdout, "OpenSSL 3.0.2 15 Mar 2022 (Library: OpenSSL 3.0.2 15 Mar 2022)")
		return 0
	case "x509":
		return h.opensslX509(c, args[1:])
	}
	fmt.Fprintf(c.Stderr, "Invalid command '%s'; type \"help\" for a list.\n", args[0])
	return 1
}

func (h *Host) opensslX509(c *shell.Cmd, args []string) int {
	in, noout := "", false
	var prints []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := "-" + strings.TrimLeft(a, "-")
		switch name {
		case "-in", "-inform", "-nameopt", "-certopt":
			if i+1 >= len(args) {
				fmt.Fprintf(c.Stderr, "x509: Option %s needs a value\nx509: Use -help for summary.\n", name)
				return 1
			}
			i++
			if name == "-in" {
				in = args[i]
			}
		case "-noout":
			noout = true
		case "-text", "-subject", "-issuer", "-dates", "-startdate", "-enddate", "-serial":
			prints = append(prints, name)
		default:
			fmt.Fprintf(c.Stderr, "x509: Unknown option: %s\nx509: Use -help for summary.\n", a)
			return 1
		}
	}
	var data []byte
	src := in
	if in == "" {
		src = "<stdin>"
		data, _ = io.ReadAll(c.Stdin)
	} else {
		b, err := h.fs.ReadFile(c.Abs(in))
		if err != nil {
			fmt.Fprintf(c.Stderr, "Could not open file or uri for loading certificate from %s\n", in)
			fmt.Fprintf(c.Stderr, "40F7A5C1D17F0000:error:80000002:system library:file_open:No such file or directory:../providers/implementations/storemgmt/file_store.c:267:calling stat(%s)\n", in)
			fmt.Fprintln(c.Stderr, "Unable to load certificate")
			return 1
		}
		data = b
	}
	cert, ok := firstCert(data)
	if !ok {
		fmt.Fprintf(c.Stderr, "Could not read certificate from %s\nUnable to load certificate\n", src)
		return 1
	}
	w := c.Stdout
	for _, p := range prints {
		switch p {
		case "-text":
			io.WriteString(w, certText(cert))
		case "-subject":
			fmt.Fprintf(w, "subject=%s\n", dn(cert.Subject))
		case "-issuer":
			fmt.Fprintf(w, "issuer=%s\n", dn(cert.Issuer))
		case "-dates":
			fmt.Fprintf(w, "notBefore=%s\nnotAfter=%s\n", asn1Time(cert.NotBefore), asn1Time(cert.NotAfter))
		case "-startdate":
			fmt.Fprintf(w, "notBefore=%s\n", asn1Time(cert.NotBefore))
		case "-enddate":
			fmt.Fprintf(w, "notAfter=%s\n", asn1Time(cert.NotAfter))
		case "-serial":
			fmt.Fprintf(w, "serial=%s\n", strings.ToUpper(fmt.Sprintf("%02x", cert.SerialNumber.Bytes())))
		}
	}
	if !noout {
		w.Write(certPEM(cert.Raw))
	}
	return 0
}

// asn1Time is ASN1_TIME_print's: "Apr 19 12:55:00 2023 GMT", the day
// padded with a space.
func asn1Time(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s %2d %s %d GMT", t.Format("Jan"), t.Day(), t.Format("15:04:05"), t.Year())
}

// attrNames are the short names OpenSSL prints for name attributes.
var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O", "2.5.4.11": "OU",
	"2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.17": "postalCode", "1.2.840.113549.1.9.1": "emailAddress",
}

// dn is a name in OpenSSL's oneline form with spaces ("O = a, CN = b"),
// in the certificate's order.
func dn(n pkix.Name) string {
	var parts []string
	for _, a := range n.Names {
		key := attrNames[a.Type.String()]
		if key == "" {
			key = a.Type.String()
		}
		parts = append(parts, fmt.Sprintf("%s = %v", key, a.Value))
	}
	return strings.Join(parts, ", ")
}

// hexBytes is bytes as "aa:bb:…" (upper for key identifiers).
func hexBytes(b []byte, upper bool) string {
	f := "%02x"
	if upper {
		f = "%02X"
	}
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf(f, x)
	}
	return strings.Join(parts, ":")
}

// dumpHex writes b as OpenSSL's key and signature dumps do: n bytes a line
// after indent, colon-separated, the last without its colon.
func dumpHex(sb *strings.Builder, b []byte, indent, n int) {
	for i := 0; i < len(b); i += n {
		line := hexBytes(b[i:min(i+n, len(b))], false)
		if i+n < len(b) {
			line += ":"
		}
		sb.WriteString(strings.Repeat(" ", indent) + line + "\n")
	}
}

var sigAlgNames = map[x509.SignatureAlgorithm]string{
	x509.ECDSAWithSHA256: "ecdsa-with-SHA256", x509.ECDSAWithSHA384: "ecdsa-with-SHA384", x509.ECDSAWithSHA512: "ecdsa-with-SHA512",
	x509.SHA256WithRSA: "sha256WithRSAEncryption", x509.SHA384WithRSA: "sha384WithRSAEncryption", x509.SHA512WithRSA: "sha512WithRSAEncryption",
	x509.SHA1WithRSA: "sha1WithRSAEncryption", x509.PureEd25519: "ED25519", x509.SHA256WithRSAPSS: "rsassaPss",
}

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "Digital Signature"}, {x509.KeyUsageContentCommitment, "Non Repudiation"},
	{x509.KeyUsageKeyEncipherment, "Key Encipherment"}, {x509.KeyUsageDataEncipherment, "Data Encipherment"},
	{x509.KeyUsageKeyAgreement, "Key Agreement"}, {x509.KeyUsageCertSign, "Certificate Sign"},
	{x509.KeyUsageCRLSign, "CRL Sign"}, {x509.KeyUsageEncipherOnly, "Encipher Only"}, {x509.KeyUsageDecipherOnly, "Decipher Only"},
}

var extKeyUsageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageServerAuth: "TLS Web Server Authentication", x509.ExtKeyUsageClientAuth: "TLS Web Client Authentication",
	x509.ExtKeyUsageCodeSigning: "Code Signing", x509.ExtKeyUsageEmailProtection: "E-mail Protection",
	x509.ExtKeyUsageTimeStamping: "Time Stamping", x509.ExtKeyUsageOCSPSigning: "OCSP Signing", x509.ExtKeyUsageAny: "Any Extended Key Usage",
}

// certText is `openssl x509 -text`'s block.
func certText(cert *x509.Certificate) string {
	var b strings.Builder
	sigAlg := sigAlgNames[cert.SignatureAlgorithm]
	if sigAlg == "" {
		sigAlg = cert.SignatureAlgorithm.String()
	}
	b.WriteString("Certificate:\n    Data:\n")
	fmt.Fprintf(&b, "        Version: %d (0x%x)\n", cert.Version, cert.Version-1)
	if s := cert.SerialNumber; s.Sign() >= 0 && s.BitLen() <= 63 {
		fmt.Fprintf(&b, "        Serial Number: %d (%#x)\n", s.Uint64(), s.Uint64())
	} else {
		fmt.Fprintf(&b, "        Serial Number:\n            %s\n", hexBytes(new(big.Int).Abs(s).Bytes(), false))
	}
	fmt.Fprintf(&b, "        Signature Algorithm: %s\n", sigAlg)
	fmt.Fprintf(&b, "        Issuer: %s\n", dn(cert.Issuer))
	fmt.Fprintf(&b, "        Validity\n            Not Before: %s\n            Not After : %s\n", asn1Time(cert.NotBefore), asn1Time(cert.NotAfter))
	fmt.Fprintf(&b, "        Subject: %s\n", dn(cert.Subject))
	b.WriteString("        Subject Public Key Info:\n")
	switch k := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		size := k.Curve.Params().BitSize
		b.WriteString("            Public Key Algorithm: id-ecPublicKey\n")
		fmt.Fprintf(&b, "                Public-Key: (%d bit)\n                pub:\n", size)
		raw, _ := k.Bytes()
		dumpHex(&b, raw, 20, 15)
		oid, nist := "prime256v1", "P-256"
		switch size {
		case 384:
			oid, nist = "secp384r1", "P-384"
		case 521:
			oid, nist = "secp521r1", "P-521"
		}
		fmt.Fprintf(&b, "                ASN1 OID: %s\n                NIST CURVE: %s\n", oid, nist)
	case *rsa.PublicKey:
		b.WriteString("            Public Key Algorithm: rsaEncryption\n")
		fmt.Fprintf(&b, "                Public-Key: (%d bit)\n                Modulus:\n", k.N.BitLen())
		mod := k.N.Bytes()
		if len(mod) > 0 && mod[0]&0x80 != 0 {
			mod = append([]byte{0}, mod...)
		}
		dumpHex(&b, mod, 20, 15)
		fmt.Fprintf(&b, "                Exponent: %d (%#x)\n", k.E, k.E)
	case ed25519.PublicKey:
		b.WriteString("            Public Key Algorithm: ED25519\n                ED25519 Public-Key:\n                pub:\n")
		dumpHex(&b, k, 20, 15)
	}
	if len(cert.Extensions) > 0 {
		b.WriteString("        X509v3 extensions:\n")
	}
	for _, e := range cert.Extensions {
		name, value := extension(cert, e)
		crit := ""
		if e.Critical {
			crit = "critical"
		}
		fmt.Fprintf(&b, "            %s: %s\n", name, crit)
		for _, line := range strings.Split(value, "\n") {
			fmt.Fprintf(&b, "                %s\n", line)
		}
	}
	fmt.Fprintf(&b, "    Signature Algorithm: %s\n    Signature Value:\n", sigAlg)
	dumpHex(&b, cert.Signature, 8, 18)
	return b.String()
}

// extension names one extension and renders its value as OpenSSL does.
func extension(cert *x509.Certificate, e pkix.Extension) (string, string) {
	switch e.Id.String() {
	case "2.5.29.15":
		var names []string
		for _, u := range keyUsageNames {
			if cert.KeyUsage&u.bit != 0 {
				names = append(names, u.name)
			}
		}
		return "X509v3 Key Usage", strings.Join(names, ", ")
	case "2.5.29.37":
		var names []string
		for _, u := range cert.ExtKeyUsage {
			names = append(names, extKeyUsageNames[u])
		}
		return "X509v3 Extended Key Usage", strings.Join(names, ", ")
	case "2.5.29.19":
		v := "CA:FALSE"
		if cert.IsCA {
			v = "CA:TRUE"
			if cert.MaxPathLen > 0 || cert.MaxPathLenZero {
				v += fmt.Sprintf(", pathlen:%d", cert.MaxPathLen)
			}
		}
		return "X509v3 Basic Constraints", v
	case "2.5.29.14":
		return "X509v3 Subject Key Identifier", hexBytes(cert.SubjectKeyId, true)
	case "2.5.29.35":
		return "X509v3 Authority Key Identifier", hexBytes(cert.AuthorityKeyId, true)
	case "2.5.29.17":
		var names []string
		for _, d := range cert.DNSNames {
			names = append(names, "DNS:"+d)
		}
		for _, m := range cert.EmailAddresses {
			names = append(names, "email:"+m)
		}
		for _, ip := range cert.IPAddresses {
			names = append(names, "IP Address:"+ipText(ip))
		}
		for _, u := range cert.URIs {
			names = append(names, "URI:"+u.String())
		}
		return "X509v3 Subject Alternative Name", strings.Join(names, ", ")
	}
	return e.Id.String(), hexBytes(e.Value, false)
}

// ipText is OpenSSL's address form: dotted IPv4, IPv6 as eight
// uncompressed upper-case groups.
func ipText(ip net.IP) string {
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	var groups []string
	for i := 0; i+1 < len(ip); i += 2 {
		groups = append(groups, fmt.Sprintf("%X", int(ip[i])<<8|int(ip[i+1])))
	}
	return strings.Join(groups, ":")
}
