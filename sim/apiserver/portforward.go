package apiserver

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	gwebsocket "github.com/gorilla/websocket"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// PortConn is a connection to a port inside a pod (net/fabric's Conn):
// Serve carries the client's bytes to it and its answers back, running
// each handler call through locked.
type PortConn interface {
	Serve(r io.Reader, w io.Writer, locked func(func())) error
}

// portForwardProtocol is the one port-forward protocol of SPDY; kubectl
// 1.31+ first asks for it tunnelled over WebSocket (SPDY/3.1+ prefix) and
// falls back to plain SPDY when the upgrade fails.
const portForwardProtocol = "portforward.k8s.io"

// servePortForward answers pods/portforward: the client opens a pair of
// streams (error, data) per forwarded connection, tagged with the port and
// a request id; each data stream is carried to the port inside the pod.
func (s *Server) servePortForward(w http.ResponseWriter, req *http.Request, r *request) {
	var err error
	s.cfg.Driver.Do(func() {
		var obj any
		obj, err = s.cfg.Registry.Get(r.res, r.namespace, r.name)
		if err != nil {
			return
		}
		if obj.(*corev1.Pod).Status.Phase != corev1.PodRunning {
			err = apierrors.NewBadRequest(fmt.Sprintf("pod %s is not running", r.name))
		}
	})
	if err == nil && s.cfg.Hooks.PortForward == nil {
		err = notFoundPath()
	}
	if err != nil {
		writeError(w, err)
		return
	}
	pf := &portForwarder{s: s, ns: r.namespace, pod: r.name, pairs: map[string]*streamPair{}}
	switch {
	case wsstream.IsWebSocketRequestWithTunnelingProtocol(req):
		up := gwebsocket.Upgrader{
			Subprotocols: []string{"SPDY/3.1+" + portForwardProtocol},
			CheckOrigin:  func(*http.Request) bool { return true },
		}
		ws, err := up.Upgrade(w, req, nil)
		if err != nil {
			return
		}
		conn, err := spdy.NewServerConnection(&tunnelConn{ws: ws}, pf.newStream)
		if err != nil {
			ws.Close()
			return
		}
		<-conn.CloseChan()
	case wsstream.IsWebSocketRequest(req):
		// The v4.channel.k8s.io port-forward protocol of browsers; kubectl
		// does not speak it. A non-101 answer makes a client fall back.
		writeError(w, apierrors.NewBadRequest("port forwarding over plain WebSocket is not supported; use SPDY"))
	case httpstream.IsUpgradeRequest(req):
		if _, err := httpstream.Handshake(req, w, []string{portForwardProtocol}); err != nil {
			return
		}
		conn := spdy.NewResponseUpgrader().UpgradeResponse(w, req, pf.newStream)
		if conn == nil {
			return
		}
		<-conn.CloseChan()
	default:
		writeError(w, apierrors.NewBadRequest("Upgrade request required"))
	}
}

type portForwarder struct {
	s       *Server
	ns, pod string
	mu      sync.Mutex
	pairs   map[string]*streamPair
}

type streamPair struct {
	data, errs httpstream.Stream
}

// newStream pairs a stream with its partner (same requestID) and starts
// forwarding when both are there.
func (pf *portForwarder) newStream(st httpstream.Stream, replySent <-chan struct{}) error {
	h := st.Headers()
	id := h.Get("requestID")
	pf.mu.Lock()
	p := pf.pairs[id]
	if p == nil {
		p = &streamPair{}
		pf.pairs[id] = p
	}
	switch h.Get("streamType") {
	case "data":
		p.data = st
	case "error":
		p.errs = st
	default:
		pf.mu.Unlock()
		return fmt.Errorf("invalid stream type %q", h.Get("streamType"))
	}
	ready := p.data != nil && p.errs != nil
	if ready {
		delete(pf.pairs, id)
	}
	pf.mu.Unlock()
	if ready {
		go func() {
			<-replySent
			pf.forward(p)
		}()
	}
	return nil
}

// forward carries one connection, as the kubelet's port-forward does:
// errors go to the error stream as text.
func (pf *portForwarder) forward(p *streamPair) {
	defer p.data.Close()
	defer p.errs.Close()
	portStr := p.data.Headers().Get("port")
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		fmt.Fprintf(p.errs, "invalid port %q", portStr)
		return
	}
	var cn PortConn
	pf.s.cfg.Driver.Do(func() { cn, err = pf.s.cfg.Hooks.PortForward(pf.ns, pf.pod, int32(port)) })
	if err != nil {
		fmt.Fprint(p.errs, err.Error())
		return
	}
	cn.Serve(p.data, p.data, pf.s.cfg.Driver.Do)
}

// tunnelConn is a WebSocket carrying SPDY's bytes in binary messages, as
// client-go's TunnelingConnection sends them, seen as a net.Conn.
type tunnelConn struct {
	ws      *gwebsocket.Conn
	rmu     sync.Mutex
	cur     io.Reader
	wmu     sync.Mutex
	closing sync.Once
}

func (c *tunnelConn) Read(b []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for {
		if c.cur == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				if ce, ok := err.(*gwebsocket.CloseError); ok && ce.Code == gwebsocket.CloseNormalClosure {
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != gwebsocket.BinaryMessage {
				return 0, fmt.Errorf("invalid message type received")
			}
			c.cur = r
		}
		n, err := c.cur.Read(b)
		if n == 0 && err == io.EOF {
			c.cur = nil
			continue
		}
		if err == io.EOF {
			err = nil
			c.cur = nil
		}
		return n, err
	}
}

func (c *tunnelConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(gwebsocket.BinaryMessage, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (c *tunnelConn) Close() error {
	var err error
	c.closing.Do(func() {
		c.wmu.Lock()
		c.ws.WriteMessage(gwebsocket.CloseMessage, gwebsocket.FormatCloseMessage(gwebsocket.CloseNormalClosure, ""))
		c.wmu.Unlock()
		err = c.ws.Close()
	})
	return err
}

func (c *tunnelConn) LocalAddr() net.Addr                { return c.ws.LocalAddr() }
func (c *tunnelConn) RemoteAddr() net.Addr               { return c.ws.RemoteAddr() }
func (c *tunnelConn) SetDeadline(t time.Time) error      { return c.ws.NetConn().SetDeadline(t) }
func (c *tunnelConn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *tunnelConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
