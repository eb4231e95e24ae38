package events

import (
	"math"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/sim/store"
)

// Expiry. An event goes TTL after its last activity (lastTimestamp, a
// series' lastObservedTime, else eventTime, else its creation), as etcd's
// lease on each event write does. Expire used to list every event each
// minute; with a million events that is a million objects read (and, where
// the store keeps events as bytes only, decoded) a minute. The recorder
// instead keeps when each event write expires, in a heap fed from the
// store's events (Observe: the cluster hands it every store event, and on
// resume every stored object, as it does its components), so Expire reads
// only the events that are due. An entry whose event was written again
// since (another entry has the new revision) or deleted is dropped when it
// comes due; so the heap holds at most the event writes of the last TTL.

// expiry is one event write: when it expires (Unix nanoseconds, clamped),
// its revision and its store key (the store's own string).
type expiry struct {
	at, rev int64
	key     string
}

// expiries is a min-heap by at.
type expiries []expiry

func (h *expiries) push(e expiry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p].at <= s[i].at {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *expiries) pop() expiry {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = expiry{}
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s[l].at < s[m].at {
			m = l
		}
		if r := l + 1; r < n && s[r].at < s[m].at {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// lastActivity is the time an event's TTL runs from.
func lastActivity(ev *corev1.Event) time.Time {
	last := ev.LastTimestamp.Time
	if ev.Series != nil && ev.Series.LastObservedTime.Time.After(last) {
		last = ev.Series.LastObservedTime.Time
	}
	if last.IsZero() {
		last = ev.EventTime.Time
	}
	if last.IsZero() {
		last = ev.CreationTimestamp.Time
	}
	return last
}

// unixNano is t in Unix nanoseconds, clamped to int64's range (years
// before 1678 or after 2261, which an API client may write).
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Observe notes a store event: an event written (created, updated, or
// handed over on resume) expires TTL after its last activity; one deleted
// is forgotten by the aggregation cache at the next Expire. The cluster
// calls it for every store event, in revision order.
func (r *Recorder) Observe(ev store.Event) {
	if !strings.HasPrefix(ev.KV.Key, r.prefix) {
		return
	}
	if ev.Type == store.Delete {
		r.gone[ev.KV.Key] = struct{}{}
		return
	}
	e, ok := ev.KV.Obj.(*corev1.Event)
	if !ok {
		// Not carried decoded: read it (if it is still this write).
		kv, err := r.reg.Store().Get(ev.KV.Key)
		if err != nil || kv.ModRev != ev.KV.ModRev {
			return
		}
		if e, ok = kv.Obj.(*corev1.Event); !ok {
			return
		}
	}
	at := lastActivity(e).Add(TTL)
	r.expiries.push(expiry{at: unixNano(at), rev: ev.KV.ModRev, key: ev.KV.Key})
}

// Expire deletes the events whose last activity is TTL or more before now,
// as etcd's lease on each event does. The cluster runs it periodically.
func (r *Recorder) Expire(now time.Time) {
	due := unixNano(now)
	for len(r.expiries) > 0 && r.expiries[0].at <= due {
		e := r.expiries.pop()
		kv, err := r.reg.Store().Get(e.key)
		if err != nil || kv.ModRev != e.rev {
			continue // deleted, or written again since (its own entry)
		}
		ns, name, _ := strings.Cut(e.key[len(r.prefix):], "/")
		if _, err := r.reg.Remove(r.res, ns, name); err == nil {
			r.gone[e.key] = struct{}{}
		}
	}
	if len(r.gone) == 0 {
		return
	}
	r.cache.removeIf(func(k *key, name string) bool {
		_, gone := r.gone[r.prefix+nsOr(k.ns)+"/"+name]
		return gone
	})
	clear(r.gone)
}

func nsOr(ns string) string {
	if ns == "" {
		return metav1.NamespaceDefault
	}
	return ns
}
