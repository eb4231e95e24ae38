package server

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

// The Kubernetes API as a client reaches it: while the cluster's
// kube-apiserver does not serve (a broken manifest on the control plane's
// host, sim.Cluster.APIServing), nothing listens on the API port, so
// kubectl's connections are refused as they are by a machine whose API
// server is down, and the connections open at that moment (a watch in
// progress) are closed under their clients, as a dying process's are.
// When it serves again the port is listened on again. kubesim's own verbs
// (/kubesim/: advance, ssh, node, …) go through a unix socket in the
// state directory, which stays open whatever the API does.

// ControlSocket is the unix socket a served cluster's control verbs are
// reached on, in its state directory.
func ControlSocket(dir string) string { return filepath.Join(dir, "control.sock") }

// apiGate is the API listener's state.
type apiGate struct {
	mu    sync.Mutex
	ln    net.Listener // nil while the API is down
	conns map[net.Conn]bool
	// ctl serves the control verbs on ControlSocket.
	ctl *http.Server
}

// trackConn is the API server's ConnState hook: it keeps the open
// connections so that they can be closed when the API goes down.
func (s *Served) trackConn(c net.Conn, st http.ConnState) {
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	switch st {
	case http.StateNew:
		if s.gate.conns == nil {
			s.gate.conns = map[net.Conn]bool{}
		}
		s.gate.conns[c] = true
	case http.StateClosed, http.StateHijacked:
		delete(s.gate.conns, c)
	}
}

// serveAPI serves the API on ln.
func (s *Served) serveAPI(ln net.Listener) {
	s.gate.ln = ln
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		s.srv.ServeTLS(ln, "", "")
	}()
}

// serveControl serves handler (the API's mux, with the control verbs) on
// the state directory's unix socket. A socket that cannot be made (a path
// too long for one) leaves the verbs on the API port only.
func (s *Served) serveControl(dir string, handler http.Handler) {
	if dir == "" {
		return
	}
	p := ControlSocket(dir)
	os.Remove(p)
	ln, err := net.Listen("unix", p)
	if err != nil {
		return
	}
	os.Chmod(p, 0o600)
	s.gate.ctl = &http.Server{Handler: handler}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		s.gate.ctl.Serve(ln)
	}()
}

// syncAPI opens or closes the API port as the cluster's kube-apiserver
// serves or not. The live loop calls it after every step, the control
// verbs after they ran.
func (s *Served) syncAPI() {
	var up bool
	s.Cluster.Locked(func() { up = s.Cluster.APIServing() })
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	switch {
	case up && s.gate.ln == nil:
		select {
		case <-s.stop:
			return
		default:
		}
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			return // taken meanwhile: the next sync tries again
		}
		s.serveAPI(ln)
	case !up && s.gate.ln != nil:
		s.gate.ln.Close()
		s.gate.ln = nil
		for c := range s.gate.conns {
			c.Close()
		}
		s.gate.conns = nil
	}
}
