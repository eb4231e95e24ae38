package satoken

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Issuer is the kubeadm cluster's service-account issuer and default audience.
const Issuer = "https://kubernetes.default.svc.cluster.local"

// Signer signs and verifies a cluster's tokens.
type Signer struct {
	key ed25519.PrivateKey
	pub ed25519.PublicKey
	jti *rand.Rand
}

// New derives the cluster's signing key from its seed.
func New(seed uint64) *Signer {
	r := rand.New(rand.NewPCG(seed, 0x7361746f6b656e))
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = byte(r.Uint32())
	}
	key := ed25519.NewKeyFromSeed(s)
	return &Signer{key: key, pub: key.Public().(ed25519.PublicKey), jti: r}
}

// Ref is what a token is bound to: the service account and, for a bound
// token, the object (a Pod or Secret).
type Ref struct {
	Namespace, Name, UID string
}

// Claims are a token's JWT claims, as kube-apiserver writes them.
type Claims struct {
	Audience  []string `json:"aud"`
	Expiry    int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	Issuer    string   `json:"iss"`
	ID        string   `json:"jti,omitempty"`
	K8s       K8s      `json:"kubernetes.io"`
	NotBefore int64    `json:"nbf"`
	Subject   string   `json:"sub"`
}

// K8s is the private claim.
type K8s struct {
	Namespace      string `json:"namespace"`
	Pod            *Ref   `json:"pod,omitempty"`
	Secret         *Ref   `json:"secret,omitempty"`
	ServiceAccount Ref    `json:"serviceaccount"`
}

// MarshalJSON writes a Ref as {name, uid}.
func (r Ref) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	}{r.Name, r.UID})
}

// UnmarshalJSON reads {name, uid}.
func (r *Ref) UnmarshalJSON(b []byte) error {
	var v struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Name, r.UID = v.Name, v.UID
	return nil
}

// Issue returns a signed token for the service account sa valid from now
// for d, for the audiences (the issuer when empty), bound to pod or secret
// when set.
func (s *Signer) Issue(sa Ref, audiences []string, now time.Time, d time.Duration, pod, secret *Ref) string {
	if len(audiences) == 0 {
		audiences = []string{Issuer}
	}
	c := Claims{
		Audience: audiences, Expiry: now.Add(d).Unix(), IssuedAt: now.Unix(), Issuer: Issuer,
		ID:  fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", s.jti.Uint32(), s.jti.Uint32()&0xffff, s.jti.Uint32()&0x0fff|0x4000, s.jti.Uint32()&0x3fff|0x8000, s.jti.Uint64()&0xffffffffffff),
		K8s: K8s{Namespace: sa.Namespace, ServiceAccount: sa, Pod: pod, Secret: secret}, NotBefore: now.Unix(),
		Subject: "system:serviceaccount:" + sa.Namespace + ":" + sa.Name,
	}
	header := b64([]byte(`{"alg":"EdDSA","kid":"` + s.kid() + `"}`))
	body, _ := json.Marshal(c)
	signing := header + "." + b64(body)
	return signing + "." + b64(ed25519.Sign(s.key, []byte(signing)))
}

// Verify checks a token's signature, issuer and audience and its validity
// at now, and returns its claims.
func (s *Signer) Verify(token string, now time.Time) (*Claims, bool) {
	var c Claims
	if !s.verified(token, &c) || c.Issuer != Issuer {
		return nil, false
	}
	t := now.Unix()
	if t >= c.Expiry || t < c.NotBefore-60 {
		return nil, false
	}
	for _, a := range c.Audience {
		if a == Issuer {
			return &c, true
		}
	}
	return nil, false
}

// kid is the key's id, as upstream's: the URL-safe base64 of a hash of
// the public key (here the first 32 bytes of it).
func (s *Signer) kid() string { return b64(s.pub[:]) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// LegacyIssuer is the issuer of the tokens kept in Secrets.
const LegacyIssuer = "kubernetes/serviceaccount"

// Legacy are a Secret-held token's claims.
type Legacy struct {
	Issuer     string `json:"iss"`
	Namespace  string `json:"kubernetes.io/serviceaccount/namespace"`
	SecretName string `json:"kubernetes.io/serviceaccount/secret.name"`
	Name       string `json:"kubernetes.io/serviceaccount/service-account.name"`
	UID        string `json:"kubernetes.io/serviceaccount/service-account.uid"`
	Subject    string `json:"sub"`
}

// IssueLegacy returns the non-expiring token the tokens controller puts
// in a kubernetes.io/service-account-token Secret.
func (s *Signer) IssueLegacy(sa Ref, secret string) string {
	body, _ := json.Marshal(Legacy{Issuer: LegacyIssuer, Namespace: sa.Namespace, SecretName: secret, Name: sa.Name, UID: sa.UID,
		Subject: "system:serviceaccount:" + sa.Namespace + ":" + sa.Name})
	signing := b64([]byte(`{"alg":"EdDSA","kid":"`+s.kid()+`"}`)) + "." + b64(body)
	return signing + "." + b64(ed25519.Sign(s.key, []byte(signing)))
}

// VerifyLegacy checks a Secret-held token's signature and issuer and
// returns its claims (the caller checks that the Secret and the service
// account still exist).
func (s *Signer) VerifyLegacy(token string) (*Legacy, bool) {
	var l Legacy
	if !s.verified(token, &l) || l.Issuer != LegacyIssuer {
		return nil, false
	}
	return &l, true
}

// verified checks a token's signature and decodes its claims into v.
func (s *Signer) verified(token string, v any) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !ed25519.Verify(s.pub, []byte(parts[0]+"."+parts[1]), sig) {
		return false
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	return err == nil && json.Unmarshal(body, v) == nil
}

// Key is the signing key: kube-apiserver's
// --service-account-signing-key-file (a control plane's
// /etc/kubernetes/pki/sa.key, with sa.pub its public half).
func (s *Signer) Key() ed25519.PrivateKey { return s.key }
