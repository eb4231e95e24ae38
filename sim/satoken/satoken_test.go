package satoken

import (
	"strings"
	"testing"
	"time"
)

// TestIssueVerify: a token verifies until its expiry and not after, not
// when tampered with, not under another cluster's key, not for another
// audience; the same seed gives the same key.
func TestIssueVerify(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	s := New(42)
	sa := Ref{Namespace: "default", Name: "robot", UID: "u-1"}
	tok := s.Issue(sa, nil, now, time.Hour, nil, nil)
	c, ok := s.Verify(tok, now.Add(59*time.Minute))
	if !ok || c.Subject != "system:serviceaccount:default:robot" || c.K8s.ServiceAccount.UID != "u-1" || c.K8s.Namespace != "default" {
		t.Fatalf("Verify = %+v, %v", c, ok)
	}
	if _, ok := s.Verify(tok, now.Add(time.Hour)); ok {
		t.Error("verified at its expiry")
	}
	parts := strings.Split(tok, ".")
	forged := New(42).Issue(Ref{Namespace: "kube-system", Name: "admin"}, nil, now, time.Hour, nil, nil)
	if _, ok := s.Verify(parts[0]+"."+strings.Split(forged, ".")[1]+"."+parts[2], now); ok {
		t.Error("verified a swapped body")
	}
	if _, ok := New(42).Verify(tok, now); !ok {
		t.Error("the same seed does not verify")
	}
	if _, ok := New(43).Verify(tok, now); ok {
		t.Error("another cluster's key verified")
	}
	if _, ok := s.Verify(s.Issue(sa, []string{"vault"}, now, time.Hour, nil, nil), now); ok {
		t.Error("verified a token for another audience")
	}
	if _, ok := s.Verify("not.a.jwt", now); ok {
		t.Error("verified garbage")
	}
}
