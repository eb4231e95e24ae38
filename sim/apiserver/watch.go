package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"kubesim/sim/registry"
	"kubesim/sim/store"
)

// defaultWatchTimeout is kube-apiserver's --min-request-timeout (1800 s);
// the real server randomises up to twice that, we take the floor.
const defaultWatchTimeout = 1800 * time.Second

// DefaultWatchTimeout is the timeout of a watch that names none.
const DefaultWatchTimeout = defaultWatchTimeout

// never is a deadline no clock reaches.
var never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

func (s *Server) serveWatch(w http.ResponseWriter, req *http.Request, r *request) {
	q := req.URL.Query()
	opts, err := listOptions(q, r.res)
	if err != nil {
		writeError(w, err)
		return
	}
	timeout := defaultWatchTimeout
	if v := q.Get("timeoutSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("invalid timeoutSeconds %q", v)))
			return
		}
		timeout = time.Duration(n) * time.Second
	}
	var fromRev int64
	rv := q.Get("resourceVersion")
	if rv != "" && rv != "0" {
		fromRev, err = strconv.ParseInt(rv, 10, 64)
		if err != nil {
			writeError(w, apierrors.NewBadRequest(fmt.Sprintf("invalid resource version: %s", rv)))
			return
		}
	}
	tv := tableVersion(req.Header.Get("Accept"))
	// WatchList (client-go informers): the current state as ADDED events,
	// then a bookmark that marks the end of the initial events.
	initialEvents := isTrue(q.Get("sendInitialEvents"))
	if initialEvents {
		fromRev = 0
	}
	var (
		initial  []runtime.Object
		watcher  *store.Watcher
		deadline time.Time
		current  int64
		listRev  int64
	)
	// The stream carries committed revisions only (store.WatchCommitted):
	// as from etcd, nothing a client was sent can be lost in a crash.
	s.cfg.Driver.Do(func() {
		deadline = s.cfg.Clock.Now().Add(timeout)
		if s.cfg.Live {
			// The live shell times a watch on the wall clock, as
			// kube-apiserver does (server/watchtimeout.go): on the
			// virtual clock, `kubesim advance` would end every open
			// watch at its next event.
			deadline = never
		}
		pfx := registry.Prefix(r.res, r.namespace)
		if fromRev == 0 {
			var rev int64
			initial, rev, err = s.cfg.Registry.List(r.res, r.namespace, opts)
			listRev = rev
			if err == nil {
				watcher, err = s.cfg.Registry.Store().WatchCommitted(pfx, rev)
			}
			return
		}
		current = s.cfg.Registry.Store().Rev()
		watcher, err = s.cfg.Registry.Store().WatchCommitted(pfx, fromRev)
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Transfer-Encoding", "chunked")
	if errors.Is(err, store.ErrCompacted) {
		w.WriteHeader(http.StatusOK)
		st := apierrors.NewResourceExpired(fmt.Sprintf("too old resource version: %d (%d)", fromRev, current)).Status()
		st.Kind, st.APIVersion = "Status", "v1"
		body, _ := json.Marshal(&st)
		s.sendEvent(w, "ERROR", body)
		return
	}
	if err != nil {
		writeError(w, err)
		return
	}
	defer watcher.Stop()
	w.WriteHeader(http.StatusOK)
	flush(w)
	headers := true
	send := func(typ string, obj runtime.Object) bool {
		var body []byte
		var err error
		if tv != "" {
			opt := s.tableOptions(req)
			opt.NoHeaders = !headers
			opt.TableVersion = tv
			var t *metav1.Table
			t, err = s.buildTable(r.res, []runtime.Object{obj}, metav1.ListMeta{ResourceVersion: registry.ObjectMeta(obj).GetResourceVersion()}, opt)
			if err == nil {
				t.APIVersion = "meta.k8s.io/" + tv
				var buf bytes.Buffer
				err = json.NewEncoder(&buf).Encode(t)
				body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
			}
			headers = false
		} else {
			body, err = encodeJSON(obj)
			body = bytes.TrimSuffix(body, []byte("\n"))
		}
		if err != nil {
			return false
		}
		return s.sendEvent(w, typ, body)
	}
	for _, obj := range initial {
		if !send("ADDED", asServed(r.res, obj)) {
			return
		}
	}
	if initialEvents {
		bm := r.res.New()
		registry.SetGVK(bm)
		m := registry.ObjectMeta(bm)
		rv := strconv.FormatInt(listRev, 10)
		m.SetResourceVersion(rv)
		m.SetAnnotations(map[string]string{"k8s.io/initial-events-end": "true"})
		body, err := encodeJSON(bm)
		if err != nil || !s.sendEvent(w, "BOOKMARK", bytes.TrimSuffix(body, []byte("\n"))) {
			return
		}
	}
	for {
		evs := watcher.Pull()
		for _, ev := range evs {
			typ, obj := s.translate(r, ev, opts)
			if typ == "" {
				continue
			}
			if !send(typ, asServed(r.res, obj)) {
				return
			}
		}
		if len(evs) == 0 && !s.cfg.Driver.Wait(req.Context(), watcher.Ready(), deadline) {
			return
		}
	}
}

// translate turns a store event into a watch event type and object,
// applying the selectors: an object that starts matching is ADDED, one that
// stops matching is DELETED.
func (s *Server) translate(r *request, ev store.Event, opts registry.ListOptions) (string, runtime.Object) {
	obj := ev.KV.Obj.(runtime.Object)
	if r.namespace != "" && registry.ObjectMeta(obj).GetNamespace() != r.namespace {
		return "", nil
	}
	matches := func(o runtime.Object) bool { return registry.Matches(r.res, o, opts) }
	if ev.Type == store.Delete {
		if !matches(obj) {
			return "", nil
		}
		cp := obj.DeepCopyObject()
		registry.ObjectMeta(cp).SetResourceVersion(strconv.FormatInt(ev.Rev, 10))
		return "DELETED", cp
	}
	now := matches(obj)
	was := false
	if ev.PrevKV != nil {
		was = matches(ev.PrevKV.Obj.(runtime.Object))
	}
	switch {
	case ev.PrevKV == nil && now:
		return "ADDED", obj
	case now && was:
		return "MODIFIED", obj
	case now && !was:
		return "ADDED", obj
	case !now && was:
		return "DELETED", obj
	}
	return "", nil
}

func (s *Server) sendEvent(w http.ResponseWriter, typ string, obj []byte) bool {
	line, err := json.Marshal(watchEvent{Type: typ, Object: obj})
	if err != nil {
		return false
	}
	if _, err := w.Write(append(line, '\n')); err != nil {
		return false
	}
	flush(w)
	return true
}

func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
